using Microsoft.EntityFrameworkCore;
using Suban.Core.Intake;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Intake;
using Suban.Web.Requests;

namespace Suban.Web.Tracking;

/// <summary>Enum filters arrive as text so that camelCase names bind like the JSON ones, and a bad one can be named.</summary>
public sealed record RequestFilter(
    string? State,
    string? UnitCode,
    string? Type,
    string? Channel,
    string? Urgency,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int? Page,
    int? PageSize,
    string? Sort = null,
    string? DistrictCode = null);

public sealed record PublicStatus(string TrackingNumber, RequestType Type, string Title, RequestState State, DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TimelineEntry> Timeline);

internal static class TrackingEndpoints
{
    public const string LookupPolicy = "public-lookup";
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapTracking(this IEndpointRouteBuilder routes)
    {
        // Any signed-in user; what they get is limited to what they may see (citizens: their own).
        var group = routes.MapGroup("/api/v1/requests").WithTags("Tracking").RequireAuthorization();
        group.MapGet("/", ListAsync).WithSummary("Requests visible to the caller, filtered and paged, newest first.");
        group.MapGet("/{trackingNumber}", GetAsync).WithSummary("One request as the caller may see it.");
        group.MapGet("/{trackingNumber}/timeline", TimelineAsync).WithSummary("Every step; citizens see the public ones.");
        group.MapGet("/{trackingNumber}/photos/{position:int}", PhotoAsync).WithSummary("A photo sent with the request.");

        // Anyone, without a session, rate-limited: the public status for a tracking number and phone digits.
        routes.MapGet("/api/v1/lookup", LookupAsync)
            .WithTags("Tracking")
            .WithSummary("Public status by tracking number and the last four digits of the phone number used.")
            .AllowAnonymous()
            .RequireRateLimiting(LookupPolicy);
        return routes;
    }

    private static async Task<IResult> ListAsync([AsParameters] RequestFilter filter, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var page = filter.Page ?? 1;
        var pageSize = filter.PageSize ?? 50;
        if (page < 1)
        {
            return Problems.Field("page", "Pages start at 1.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problems.Field("pageSize", $"Between 1 and {MaxPageSize}.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var filtered = await RequestFilters.ApplyAsync(filter, db.Requests.AsNoTracking(), db, actor, cancellationToken);
        if (filtered.Problem is { } rejected)
        {
            return rejected;
        }

        var query = filtered.Query!;
        if (filter.Sort is not (null or "" or "newest" or "due"))
        {
            return Problems.Field("sort", "Sort by 'newest' (the default) or 'due' (least time left first).");
        }

        var total = await query.CountAsync(cancellationToken);
        var withDue = query.Select(r => new
        {
            Request = r,
            DueAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Status == Core.Deadlines.ClockStatus.Running && c.Kind != Core.Deadlines.ClockKind.Supervision).Min(c => (DateTime?)c.DueAt),
            WarnAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Status == Core.Deadlines.ClockStatus.Running && c.Kind != Core.Deadlines.ClockKind.Supervision).Min(c => (DateTime?)c.WarnAt),
        });
        var ordered = filter.Sort == "due"
            ? withDue.OrderBy(x => x.DueAt == null).ThenBy(x => x.DueAt).ThenBy(x => x.Request.Id)
            : withDue.OrderByDescending(x => x.Request.SubmittedAt).ThenByDescending(x => x.Request.Id);
        var now = clock.GetUtcNow().UtcDateTime;
        var items = await ordered
            .Select(x => new
            {
                x.Request.TrackingNumber,
                x.Request.Type,
                x.Request.Title,
                x.Request.State,
                x.Request.Channel,
                x.Request.Urgency,
                x.Request.SubmittedAt,
                x.Request.UpdatedAt,
                LeadUnitName = db.Units.Where(u => u.Id == x.Request.LeadUnitId).Select(u => u.Name).FirstOrDefault(),
                x.DueAt,
                x.WarnAt,
            })
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new PagedList<RequestSummary>(
            items.Select(r => new RequestSummary(r.TrackingNumber, r.Type, r.Title, r.State, r.Channel, r.Urgency, RequestViews.Utc(r.SubmittedAt), RequestViews.Utc(r.UpdatedAt), r.LeadUnitName,
                RequestViews.Utc(r.DueAt), r.DueAt is { } due && r.WarnAt is { } warn ? Core.Deadlines.TimeLimit.WarningAt(now, warn, due) : Core.Deadlines.Warning.None)).ToList(),
            page,
            pageSize,
            total));
    }

    private static async Task<IResult> GetAsync(string trackingNumber, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        if (await FindAsync(trackingNumber, db, actor, cancellationToken) is not { } request)
        {
            return NotFound(trackingNumber);
        }

        return TypedResults.Ok(await RequestViews.DetailAsync(db, request, actor, clock.GetUtcNow().UtcDateTime, cancellationToken));
    }

    private static async Task<IResult> TimelineAsync(string trackingNumber, SubanDb db, ActorAccessor actors, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        if (await FindAsync(trackingNumber, db, actor, cancellationToken) is not { } request)
        {
            return NotFound(trackingNumber);
        }

        return TypedResults.Ok(await RequestViews.TimelineAsync(db, request.Id, publicOnly: !actor.IsStaff, cancellationToken));
    }

    private static async Task<IResult> PhotoAsync(HttpContext http, string trackingNumber, int position, SubanDb db, ActorAccessor actors, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        if (await FindAsync(trackingNumber, db, actor, cancellationToken) is not { } request)
        {
            return NotFound(trackingNumber);
        }

        var photo = await db.Photos.AsNoTracking().FirstOrDefaultAsync(p => p.RequestId == request.Id && p.Position == position, cancellationToken);
        if (photo is null)
        {
            return Problems.NotFound("position", $"The request has no photo at position {position}.");
        }

        // A photo never changes once taken in: the browser keeps it (privately, for an hour) across the desks' reloads.
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(photo.Content, photo.ContentType);
    }

    private static async Task<IResult> LookupAsync(string? trackingNumber, string? phoneLast4, SubanDb db, CancellationToken cancellationToken)
    {
        if (!TrackingNumber.IsWellFormed(trackingNumber))
        {
            return Problems.Field("trackingNumber", "A tracking number looks like SZ20261122-000123.");
        }

        if (phoneLast4 is not { Length: 4 } || !phoneLast4.All(char.IsAsciiDigit))
        {
            return Problems.Field("phoneLast4", "Give the last four digits of the phone number used for the request.");
        }

        var request = await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, cancellationToken);

        // A wrong phone and an unknown number answer alike, so the look-up reveals nothing to a guesser.
        if (request is null || SubmitValidation.LastFourDigits(request.ContactPhone) != phoneLast4)
        {
            return Problems.NotFound("trackingNumber", "No request matches this tracking number and these phone digits.");
        }

        var timeline = await RequestViews.TimelineAsync(db, request.Id, publicOnly: true, cancellationToken);
        return TypedResults.Ok(new PublicStatus(request.TrackingNumber, request.Type, request.Title, request.State, RequestViews.Utc(request.SubmittedAt), RequestViews.Utc(request.UpdatedAt), timeline));
    }

    private static async Task<ServiceRequest?> FindAsync(string trackingNumber, SubanDb db, Actor actor, CancellationToken cancellationToken)
    {
        if (!TrackingNumber.IsWellFormed(trackingNumber))
        {
            return null;
        }

        var query = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        return await query.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, cancellationToken);
    }

    private static IResult NotFound(string trackingNumber) =>
        TrackingNumber.IsWellFormed(trackingNumber)
            ? Problems.NotFound("trackingNumber", "No request with this tracking number is visible to you.")
            : Problems.Field("trackingNumber", "A tracking number looks like SZ20261122-000123.");
}

/// <summary>The list's filters, shared by the list and the export: what the actor may see, narrowed by the filter.</summary>
internal static class RequestFilters
{
    public static async Task<(IQueryable<ServiceRequest>? Query, IResult? Problem)> ApplyAsync(RequestFilter filter, IQueryable<ServiceRequest> requests, SubanDb db, Actor actor, CancellationToken cancellationToken)
    {
        if (filter.From is { } f && filter.To is { } t && f > t)
        {
            return (null, Problems.Field("from", "'from' must not be after 'to'."));
        }

        if (!QueryValues.TryEnum<RequestState>(filter.State, "state", out var state, out var problem)
            || !QueryValues.TryEnum<RequestType>(filter.Type, "type", out var type, out problem)
            || !QueryValues.TryEnum<Channel>(filter.Channel, "channel", out var channel, out problem)
            || !QueryValues.TryEnum<Urgency>(filter.Urgency, "urgency", out var urgency, out problem))
        {
            return (null, problem);
        }

        var query = await requests.VisibleTo(db, actor, cancellationToken);
        if (state is { } wantedState)
        {
            query = query.Where(r => r.State == wantedState);
        }

        if (type is { } wantedType)
        {
            query = query.Where(r => r.Type == wantedType);
        }

        if (channel is { } wantedChannel)
        {
            query = query.Where(r => r.Channel == wantedChannel);
        }

        if (urgency is { } wantedUrgency)
        {
            query = query.Where(r => r.Urgency == wantedUrgency);
        }

        if (filter.From is { } from)
        {
            var fromUtc = from.UtcDateTime;
            query = query.Where(r => r.SubmittedAt >= fromUtc);
        }

        if (filter.To is { } to)
        {
            var toUtc = to.UtcDateTime;
            query = query.Where(r => r.SubmittedAt < toUtc);
        }

        if (!string.IsNullOrWhiteSpace(filter.UnitCode))
        {
            var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == filter.UnitCode, cancellationToken);
            if (unit is null)
            {
                return (null, Problems.Field("unitCode", $"No unit has the code '{filter.UnitCode}'."));
            }

            query = query.Where(r => r.PlatformUnitId == unit.Id || r.Assignments.Any(a => a.IsActive && a.UnitId == unit.Id));
        }

        if (!string.IsNullOrWhiteSpace(filter.DistrictCode))
        {
            var district = filter.DistrictCode.Trim();
            query = query.Where(r => r.DistrictCode == district);
        }

        return (query, null);
    }
}
