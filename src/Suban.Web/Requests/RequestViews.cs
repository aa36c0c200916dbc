using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Requests;

public sealed record UnitRef(string Code, string Name, UnitKind Kind);

public sealed record PlaceView(string? Address, double? Latitude, double? Longitude);

public sealed record ContactView(string? Name, string Phone, bool Anonymous);

public sealed record AssignmentView(UnitRef Unit, bool IsLead, DateTimeOffset AssignedAt, DateTimeOffset? AcceptedAt, string? PartReport, DateTimeOffset? PartReportedAt);

public sealed record RequestSummary(
    string TrackingNumber,
    RequestType Type,
    string Title,
    RequestState State,
    Channel Channel,
    Urgency Urgency,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    string? LeadUnitName,
    DateTimeOffset? DueAt = null,
    Core.Deadlines.Warning Warning = Core.Deadlines.Warning.None);

public sealed record RequestDetail(
    string TrackingNumber,
    RequestType Type,
    string Title,
    string Description,
    RequestState State,
    Channel Channel,
    Urgency Urgency,
    PlaceView Place,
    ContactView? Contact,
    UnitRef Platform,
    IReadOnlyList<AssignmentView> Assignments,
    Rating? Rating,
    int ReopenCount,
    int PhotoCount,
    DateTimeOffset SubmittedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RepliedAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<RequestAction> AllowedActions,
    string? MatterCode,
    int? CatalogueVersion,
    string? DistrictCode,
    string? StreetCode,
    RoutingView? Routing,
    IReadOnlyList<ClockView> Clocks);

/// <summary>A time limit on the request: when it runs out, how much is left, and its colour.</summary>
/// <param name="RemainingSeconds">Negative when overdue; frozen while paused; null once stopped.</param>
public sealed record ClockView(
    Core.Deadlines.ClockKind Kind,
    UnitRef Unit,
    Core.Deadlines.ClockBasis Basis,
    double Limit,
    double Extended,
    DateTimeOffset StartedAt,
    DateTimeOffset WarnAt,
    DateTimeOffset DueAt,
    Core.Deadlines.ClockStatus Status,
    Core.Deadlines.Warning Warning,
    long? RemainingSeconds,
    bool Overdue,
    DateTimeOffset? EndedAt);

/// <summary>How intake routed the request: outcome, model version, confidence and the suggestions it made.</summary>
public sealed record RoutingView(Routing.RoutingOutcome Outcome, int? ModelVersion, double? Confidence, System.Text.Json.JsonElement? Suggestions);

public sealed record ActorView(Role Role, UnitRef? Unit);

public sealed record TimelineEntry(
    DateTimeOffset At,
    RequestAction Action,
    RequestState? FromState,
    RequestState ToState,
    ActorView Actor,
    string? Note,
    bool IsPublic);

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

internal static class RequestViews
{
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is null ? null : Utc(value.Value);

    public static async Task<RequestDetail> DetailAsync(SubanDb db, ServiceRequest request, Actor actor, DateTime now, CancellationToken cancellationToken)
    {
        // Citizens see the handling clock (when to expect an answer); staff see every clock.
        var clocks = await db.Clocks.AsNoTracking()
            .Where(c => c.RequestId == request.Id && (actor.IsStaff || c.Kind == Core.Deadlines.ClockKind.Handling))
            .OrderBy(c => c.Id)
            .ToListAsync(cancellationToken);
        var assignments = await db.Assignments.AsNoTracking()
            .Where(a => a.RequestId == request.Id && a.IsActive)
            .OrderByDescending(a => a.IsLead).ThenBy(a => a.Id)
            .ToListAsync(cancellationToken);
        var unitIds = assignments.Select(a => a.UnitId).Append(request.PlatformUnitId).Concat(clocks.Select(c => c.UnitId)).ToHashSet();
        var units = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var photoCount = await db.Photos.CountAsync(p => p.RequestId == request.Id, cancellationToken);

        return new RequestDetail(
            request.TrackingNumber,
            request.Type,
            request.Title,
            request.Description,
            request.State,
            request.Channel,
            request.Urgency,
            new PlaceView(request.AddressText, request.Latitude, request.Longitude),
            ContactFor(request, actor),
            Ref(units[request.PlatformUnitId]),
            assignments.Select(a => new AssignmentView(Ref(units[a.UnitId]), a.IsLead, Utc(a.AssignedAt), Utc(a.AcceptedAt), a.PartReport, Utc(a.PartReportedAt))).ToList(),
            request.Rating,
            request.ReopenCount,
            photoCount,
            Utc(request.SubmittedAt),
            Utc(request.UpdatedAt),
            Utc(request.RepliedAt),
            Utc(request.ClosedAt),
            AllowedActions(request, assignments, actor),
            request.MatterCode,
            request.CatalogueVersion,
            request.DistrictCode,
            request.StreetCode,
            request.RoutingOutcome is { } outcome && actor.IsStaff
                ? new RoutingView(outcome, request.RoutingModelVersion, request.RoutingConfidence, request.RoutingSuggestions is null ? null : System.Text.Json.JsonDocument.Parse(request.RoutingSuggestions).RootElement.Clone())
                : null,
            clocks.Select(c => ClockOf(c, units[c.UnitId], now)).ToList());
    }

    public static ClockView ClockOf(Deadlines.RequestClock clock, Unit unit, DateTime now)
    {
        var status = clock.Status;
        long? remaining = status switch
        {
            Core.Deadlines.ClockStatus.Running => (long)(clock.DueAt - now).TotalSeconds,
            Core.Deadlines.ClockStatus.Paused => (long)(clock.DueAt - clock.PausedAt!.Value).TotalSeconds,
            _ => null,
        };
        var warning = status switch
        {
            Core.Deadlines.ClockStatus.Running => Core.Deadlines.TimeLimit.WarningAt(now, clock.WarnAt, clock.DueAt),
            _ when clock.Overdue => Core.Deadlines.Warning.Red,
            _ => Core.Deadlines.Warning.None,
        };
        return new ClockView(clock.Kind, Ref(unit), clock.Basis, clock.LimitAmount, clock.Extended, Utc(clock.StartedAt), Utc(clock.WarnAt), Utc(clock.DueAt),
            status, warning, remaining, clock.Overdue, Utc(clock.EndedAt));
    }

    /// <summary>Handling units do not see who an anonymous citizen is; platforms and the citizen do.</summary>
    private static ContactView? ContactFor(ServiceRequest request, Actor actor)
    {
        var seesIdentity = !request.IsAnonymous
            || actor.IsIn(Roles.Administrator)
            || actor.IsIn(Roles.CallTaker)
            || actor.IsIn(Roles.Dispatcher)
            || (actor.UserId is not null && actor.UserId == request.CitizenUserId);
        return seesIdentity
            ? new ContactView(request.ContactName, request.ContactPhone, request.IsAnonymous)
            : null;
    }

    private static List<RequestAction> AllowedActions(ServiceRequest request, List<RequestAssignment> assignments, Actor actor)
    {
        var isLead = assignments.Any(a => a.IsLead && a.UnitId == actor.Unit?.Id);
        var isCo = assignments.Any(a => !a.IsLead && a.UnitId == actor.Unit?.Id);
        return actor.RoleNames
            .Select(Roles.ToLifecycle)
            .SelectMany(role => RequestLifecycle.Table.Where(t => t.From == request.State && t.Roles.Contains(role)))
            .Where(t => t.Part switch
            {
                HandlerPart.Lead => isLead,
                HandlerPart.CoHandler => isCo,
                _ => true,
            })
            .Where(t => !actor.IsIn(Roles.Citizen) || actor.UserId == request.CitizenUserId)
            .Select(t => t.Action)
            .Distinct()
            .ToList();
    }

    public static async Task<List<TimelineEntry>> TimelineAsync(SubanDb db, long requestId, bool publicOnly, CancellationToken cancellationToken) =>
        (await TimelinesAsync(db, [requestId], publicOnly, cancellationToken))[requestId];

    /// <summary>The timelines of several requests in one query (a desk of 200 cards is one round trip, not 200).</summary>
    public static async Task<Dictionary<long, List<TimelineEntry>>> TimelinesAsync(SubanDb db, IReadOnlyCollection<long> requestIds, bool publicOnly, CancellationToken cancellationToken)
    {
        var rows = await db.Events.AsNoTracking()
            .Where(e => requestIds.Contains(e.RequestId) && (!publicOnly || e.IsPublic))
            .OrderBy(e => e.Id)
            .Select(e => new
            {
                e.RequestId,
                e.At,
                e.Action,
                e.FromState,
                e.ToState,
                e.ActorRole,
                Unit = db.Units.Where(u => u.Id == e.ActorUnitId).Select(u => new UnitRef(u.Code, u.Name, u.Kind)).FirstOrDefault(),
                e.Note,
                e.IsPublic,
            })
            .ToListAsync(cancellationToken);

        // A citizen's own steps show as "citizen" with no unit and no identity.
        var timelines = requestIds.Distinct().ToDictionary(id => id, _ => new List<TimelineEntry>());
        foreach (var e in rows)
        {
            timelines[e.RequestId].Add(new TimelineEntry(Utc(e.At), e.Action, e.FromState, e.ToState, new ActorView(e.ActorRole, e.Unit), e.Note, e.IsPublic));
        }

        return timelines;
    }

    public static UnitRef Ref(Unit unit) => new(unit.Code, unit.Name, unit.Kind);
}
