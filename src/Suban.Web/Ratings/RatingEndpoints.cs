using Microsoft.EntityFrameworkCore;
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

        // A request sent back to its unit after a follow-up call says why: the unit has only the call-taker's record.
        if (rating == Suban.Core.Lifecycle.Rating.Dissatisfied && actor.RoleFor(RequestAction.RateDissatisfied) == Role.CallTaker && string.IsNullOrWhiteSpace(input.Comment))
        {
            return Problems.Field("comment", "Record why the citizen is dissatisfied: the unit handles the request again from it.");
        }

        // A merged request reopened by its citizen goes to the unit that handled the request it followed.
        var masterId = await db.Requests.Where(r => r.TrackingNumber == trackingNumber).Select(r => r.MasterRequestId).FirstOrDefaultAsync(cancellationToken);
        var masterAssignments = masterId is null
            ? []
            : await db.Assignments.AsNoTracking().Where(a => a.RequestId == masterId && a.IsActive).ToListAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestLifecycle.RatingAction(rating), input.Comment, (request, now) =>
        {
            request.Rating = rating;
            if (rating == Suban.Core.Lifecycle.Rating.Dissatisfied)
            {
                request.ReopenCount++;
                request.RepliedAt = null;
                if (request.Assignments.Count == 0 && masterAssignments.Count > 0)
                {
                    request.Assignments.AddRange(masterAssignments.Select(a => new RequestAssignment { UnitId = a.UnitId, IsLead = a.IsLead, IsActive = true, AssignedAt = now }));
                    request.LeadUnitId = masterAssignments.FirstOrDefault(a => a.IsLead)?.UnitId;
                }
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
