using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Dispatch;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Ratings;

public sealed record RatingInput(Suban.Core.Lifecycle.Rating? Rating, string? Comment);

internal static class RatingEndpoints
{
    public static IEndpointRouteBuilder MapRating(this IEndpointRouteBuilder routes)
    {
        // The citizen who submitted it, or a call-taker recording a follow-up call.
        routes.MapPost("/api/v1/requests/{trackingNumber}/rating", RateAsync)
            .WithTags("Rating")
            .WithSummary("Rate the reply: satisfied or basically satisfied closes the request, dissatisfied reopens it.")
            .AllowRolesOf(RequestAction.RateDissatisfied);
        return routes;
    }

    private static async Task<IResult> RateAsync(string trackingNumber, RatingInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        if (input.Rating is not { } rating)
        {
            return Problems.Field("rating", "Choose satisfied, basicallySatisfied or dissatisfied.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestLifecycle.RatingAction(rating), input.Comment, (request, now) =>
        {
            request.Rating = rating;
            if (rating == Suban.Core.Lifecycle.Rating.Dissatisfied)
            {
                request.ReopenCount++;
                request.RepliedAt = null;
            }
            else
            {
                request.ClosedAt = now;
            }

            return null;
        }, noteField: "comment", cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, db, actor, cancellationToken);
    }
}
