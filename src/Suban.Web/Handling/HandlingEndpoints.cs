using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Dispatch;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Handling;

public sealed record NoteInput(string? Note);

public sealed record ReasonInput(string? Reason);

public sealed record ReplyInput(string? Reply);

internal static class HandlingEndpoints
{
    public static IEndpointRouteBuilder MapHandling(this IEndpointRouteBuilder routes)
    {
        // Handlers of the unit assigned to the request; the lifecycle table says which assignment (lead or co-handling).
        var group = routes.MapGroup("/api/v1/requests/{trackingNumber}").WithTags("Handling");
        group.MapPost("/accept", AcceptAsync).WithSummary("The lead unit acknowledges the request.").AllowRolesOf(RequestAction.Accept);
        group.MapPost("/progress", ProgressAsync).WithSummary("Record a step of the handling (internal).").AllowRolesOf(RequestAction.Handle);
        group.MapPost("/part-report", PartReportAsync).WithSummary("A co-handling unit reports its part to the lead.").AllowRolesOf(RequestAction.ReportPart);
        group.MapPost("/return", ReturnAsync).WithSummary("Send a misrouted request back to the dispatcher, with the reason.").AllowRolesOf(RequestAction.Return);
        group.MapPost("/reply", ReplyAsync).WithSummary("Report the result and answer the citizen.").AllowRolesOf(RequestAction.Reply);
        return routes;
    }

    private static async Task<IResult> AcceptAsync(string trackingNumber, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Accept, null, (request, now) =>
        {
            request.Assignments.Single(a => a.IsLead).AcceptedAt ??= now;
            return null;
        }, cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> ProgressAsync(string trackingNumber, NoteInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Handle, input.Note, cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> PartReportAsync(string trackingNumber, NoteInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.ReportPart, input.Note, (request, now) =>
        {
            var part = request.Assignments.Single(a => !a.IsLead && a.UnitId == actor.Unit!.Id);
            part.PartReport = input.Note!.Trim();
            part.PartReportedAt = now;
            return null;
        }, cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> ReturnAsync(string trackingNumber, ReasonInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Return, input.Reason, (request, _) =>
        {
            foreach (var assignment in request.Assignments)
            {
                assignment.IsActive = false;
            }

            request.LeadUnitId = null;
            return null;
        }, noteField: "reason", cancellationToken: cancellationToken);

        // The returning unit no longer sees the request; it gets the outcome without the request's new state.
        return outcome is Outcome.Done done
            ? TypedResults.Ok(new { done.Request.TrackingNumber, State = done.Request.State })
            : outcome.ToHttp(_ => throw new InvalidOperationException());
    }

    private static async Task<IResult> ReplyAsync(string trackingNumber, ReplyInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Reply, input.Reply, (request, now) =>
        {
            request.RepliedAt = now;
            return null;
        }, noteField: "reply", cancellationToken: cancellationToken);
        if (outcome is Outcome.Done done)
        {
            await ReplyToFollowersAsync(done.Request, done.Event.Note!, db, workflow, cancellationToken);
        }

        return await DispatchEndpoints.RespondAsync(outcome, db, actor, cancellationToken);
    }

    /// <summary>Every request merged into this one gets the same reply, to rate on its own.</summary>
    private static async Task ReplyToFollowersAsync(ServiceRequest master, string reply, SubanDb db, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var followers = await db.Requests.Where(r => r.MasterRequestId == master.Id && r.State == RequestState.Merged).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in followers)
        {
            var follower = await db.Requests.Include(r => r.Assignments.Where(a => a.IsActive)).FirstAsync(r => r.Id == id, cancellationToken);
            await workflow.ApplyAsync(Actor.System, follower, RequestAction.FollowMaster, $"并案工单{master.TrackingNumber}已办结答复：{reply}", (r, now) =>
            {
                r.RepliedAt = now;
                return null;
            }, cancellationToken: cancellationToken);
        }
    }
}
