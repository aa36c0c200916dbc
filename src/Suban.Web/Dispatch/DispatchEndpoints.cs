using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Dispatch;

public sealed record DispatchInput(string? LeadUnitCode, IReadOnlyList<string>? CoUnitCodes, string? Note, string? MatterCode = null);

public sealed record ForwardInput(string? PlatformUnitCode, string? Note);

public sealed record CancelInput(string? Reason);

public sealed record MergeInput(string? MasterTrackingNumber, string? Note);

internal static class DispatchEndpoints
{
    private const int MaxCoUnits = 10;

    public static IEndpointRouteBuilder MapDispatch(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/requests/{trackingNumber}").WithTags("Dispatch");

        // Dispatchers of the platform holding the request, or of a platform above it.
        group.MapPost("/dispatch", DispatchAsync)
            .WithSummary("Send the request to one lead unit and any co-handling units.")
            .AllowRolesOf(RequestAction.Dispatch);
        group.MapPost("/forward", ForwardAsync)
            .WithSummary("Hand the request down to a lower platform (district or street) to dispatch.")
            .AllowRolesOf(RequestAction.Forward);
        group.MapPost("/merge", MergeAsync)
            .WithSummary("Merge a duplicate into another open request: it follows that one and its citizen gets the reply.")
            .AllowRolesOf(RequestAction.Merge);
        group.MapPost("/cancel", CancelAsync)
            .WithSummary("Cancel an invalid request (spam, duplicate), with the reason.")
            .AllowRolesOf(RequestAction.Cancel);
        return routes;
    }

    private static async Task<IResult> DispatchAsync(string trackingNumber, DispatchInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, Catalogue.CatalogueStore catalogue, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);

        // The dispatcher's matter confirms or corrects the model's: it is recorded and trains the next model.
        Core.Catalogue.Matter? matter = null;
        var catalogueVersion = 0;
        if (!string.IsNullOrWhiteSpace(input.MatterCode))
        {
            if (await catalogue.CurrentAsync(cancellationToken) is not ({ } number, { } snapshot) || snapshot.Current(input.MatterCode.Trim()) is not { } found)
            {
                return Problems.Field("matterCode", "No matter in force has this code.");
            }

            matter = found;
            catalogueVersion = number;
        }

        if (string.IsNullOrWhiteSpace(input.LeadUnitCode))
        {
            return Problems.Field("leadUnitCode", "Name the lead unit.");
        }

        var coCodes = (input.CoUnitCodes ?? []).Select(c => c.Trim()).ToList();
        if (coCodes.Count > MaxCoUnits)
        {
            return Problems.Field("coUnitCodes", $"At most {MaxCoUnits} co-handling units.");
        }

        if (coCodes.Distinct().Count() != coCodes.Count || coCodes.Contains(input.LeadUnitCode.Trim()))
        {
            return Problems.Field("coUnitCodes", "Each unit appears once, and the lead unit is not also a co-handling unit.");
        }

        var codes = coCodes.Append(input.LeadUnitCode.Trim()).ToList();
        var units = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code)).ToDictionaryAsync(u => u.Code, cancellationToken);
        foreach (var (code, index) in codes.Select((c, i) => (c, i)))
        {
            var field = index == codes.Count - 1 ? "leadUnitCode" : $"coUnitCodes[{index}]";
            if (!units.TryGetValue(code, out var unit))
            {
                return Problems.Field(field, $"No unit has the code '{code}'.");
            }

            if (unit.Kind is UnitKind.CityPlatform or UnitKind.DistrictPlatform)
            {
                return Problems.Field(field, "Platforms do not handle requests; forward the request to a platform instead.");
            }

            if (actor.Unit is { } own && !unit.Path.StartsWith(own.Path, StringComparison.Ordinal) && unit.Kind != UnitKind.CityDepartment)
            {
                return Problems.Field(field, "A platform dispatches within its own area, or to city departments.");
            }
        }

        var lead = units[input.LeadUnitCode.Trim()];
        var coUnits = coCodes.Select(c => units[c]).ToList();
        var note = coUnits.Count == 0
            ? $"派发至{lead.Name}办理"
            : $"派发至{lead.Name}牵头办理，{string.Join("、", coUnits.Select(u => u.Name))}协办";
        if (!string.IsNullOrWhiteSpace(input.Note))
        {
            note += $"。{input.Note.Trim()}";
        }

        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Dispatch, note, (request, now) =>
        {
            foreach (var old in request.Assignments)
            {
                old.IsActive = false;
            }

            request.Assignments.Add(new RequestAssignment { UnitId = lead.Id, IsLead = true, IsActive = true, AssignedAt = now });
            request.Assignments.AddRange(coUnits.Select(u => new RequestAssignment { UnitId = u.Id, IsLead = false, IsActive = true, AssignedAt = now }));
            request.LeadUnitId = lead.Id;
            if (matter is not null)
            {
                var predicted = request.RoutingSuggestions is { } json
                    ? System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("code").GetString()).FirstOrDefault()
                    : null;
                db.RoutingCorrections.Add(new Routing.RoutingCorrection { RequestId = request.Id, At = now, PredictedCode = request.MatterCode ?? predicted, ChosenCode = matter.Code, UserId = actor.UserId });
                request.MatterCode = matter.Code;
                request.CatalogueVersion = catalogueVersion;
                request.MatterConfirmed = true;
            }

            return null;
        }, cancellationToken: cancellationToken);
        return await RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> ForwardAsync(string trackingNumber, ForwardInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(input.PlatformUnitCode))
        {
            return Problems.Field("platformUnitCode", "Name the platform to forward to.");
        }

        var target = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == input.PlatformUnitCode.Trim(), cancellationToken);
        if (target is null || target.Kind is not (UnitKind.DistrictPlatform or UnitKind.StreetOffice))
        {
            return Problems.Field("platformUnitCode", "Forward to a district platform or a street office.");
        }

        // The target's ancestors, from its path: the request may only move down from one of them.
        var ancestorCodes = target.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipLast(1).ToList();
        var ancestorIds = await db.Units.Where(u => ancestorCodes.Contains(u.Code)).Select(u => u.Id).ToListAsync(cancellationToken);
        var note = $"转{target.Name}分拨" + (string.IsNullOrWhiteSpace(input.Note) ? "" : $"。{input.Note.Trim()}");
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Forward, note, (request, _) =>
        {
            if (!ancestorIds.Contains(request.PlatformUnitId))
            {
                return new Outcome.Invalid("platformUnitCode", "Forward only down to a platform below the one holding the request.");
            }

            request.PlatformUnitId = target.Id;
            return null;
        }, cancellationToken: cancellationToken);
        return await RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> MergeAsync(string trackingNumber, MergeInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(input.MasterTrackingNumber) || input.MasterTrackingNumber.Trim() == trackingNumber)
        {
            return Problems.Field("masterTrackingNumber", "Name another request to merge into.");
        }

        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var master = await visible.FirstOrDefaultAsync(r => r.TrackingNumber == input.MasterTrackingNumber.Trim(), cancellationToken);
        if (master is null || master.State is RequestState.Closed or RequestState.Cancelled or RequestState.Merged)
        {
            return Problems.Field("masterTrackingNumber", "Merge into an open request you can see that is not itself merged.");
        }

        var note = $"与工单{master.TrackingNumber}并案办理" + (string.IsNullOrWhiteSpace(input.Note) ? "" : $"。{input.Note.Trim()}");
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Merge, note, (request, _) =>
        {
            request.MasterRequestId = master.Id;
            return null;
        }, cancellationToken: cancellationToken);
        return await RespondAsync(outcome, db, actor, cancellationToken);
    }

    private static async Task<IResult> CancelAsync(string trackingNumber, CancelInput input, SubanDb db, ActorAccessor actors, RequestWorkflow workflow, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var outcome = await workflow.ApplyAsync(actor, trackingNumber, RequestAction.Cancel, input.Reason, (request, now) =>
        {
            request.ClosedAt = now;
            return null;
        }, noteField: "reason", cancellationToken: cancellationToken);
        return await RespondAsync(outcome, db, actor, cancellationToken);
    }

    /// <summary>After a change, the caller gets the request as they now see it.</summary>
    internal static async Task<IResult> RespondAsync(Outcome outcome, SubanDb db, Actor actor, CancellationToken cancellationToken) =>
        outcome is Outcome.Done done
            ? TypedResults.Ok(await RequestViews.DetailAsync(db, done.Request, actor, done.Event.At, cancellationToken))
            : outcome.ToHttp(_ => throw new InvalidOperationException());
}
