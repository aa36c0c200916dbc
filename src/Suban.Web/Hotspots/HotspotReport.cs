using Microsoft.EntityFrameworkCore;
using Suban.Core.Hotspots;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Hotspots;

public sealed record HotspotMember(string TrackingNumber, string Title, RequestState State, RequestType Type, Urgency Urgency, DateTimeOffset SubmittedAt);

/// <summary>The data-driven event made for a hotspot (after its first request); its number only when the reader may see its request.</summary>
public sealed record EventLink(string? TrackingNumber, RequestState State);

public sealed record HotspotView(
    string Area,
    string AreaName,
    string MatterCode,
    string MatterName,
    string Category,
    HotspotLevel Level,
    int Count,
    int People,
    double Expected,
    double Score,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    double? Latitude,
    double? Longitude,
    IReadOnlyList<HotspotMember> Requests,
    EventLink? Event);

/// <summary>A request that came in after <see cref="RecurrenceView"/>'s was resolved: how long after, how far away.</summary>
public sealed record Recurring(string TrackingNumber, string Title, RequestState State, DateTimeOffset SubmittedAt, double Days, double? Metres);

/// <summary>A request resolved before, and the requests about the same matter and place since (回潮).</summary>
public sealed record RecurrenceView(
    string EarlierTrackingNumber,
    string EarlierTitle,
    DateTimeOffset EarlierResolvedAt,
    string Area,
    string AreaName,
    string MatterCode,
    string MatterName,
    IReadOnlyList<Recurring> Since);

/// <summary>
/// Hotspots and recurrences among the requests the reader may see: each request counts where it happens (its street,
/// else its district) under the matter it was routed to. Requests without either, cancelled ones and the platform's
/// own events do not count.
/// </summary>
public sealed record HotspotReport(int WindowDays, int BaselineDays, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HotspotView> Hotspots, IReadOnlyList<RecurrenceView> Recurrences)
{
    private const int ShownRecurrences = 200;

    internal static async Task<HotspotReport> LoadAsync(SubanDb db, Actor actor, CatalogueStore catalogue, HotspotOptions options, DateTime now, CancellationToken cancellationToken)
    {
        var rules = options.Rules;
        var from = now - rules.Window;
        var baselineFrom = from - rules.Baseline;
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var counted = visible.Where(r => r.MatterCode != null && (r.StreetCode != null || r.DistrictCode != null)
            && r.Channel != Channel.DataDriven && r.State != RequestState.Cancelled);

        var window = await counted.Where(r => r.SubmittedAt >= from && r.SubmittedAt <= now)
            .Select(r => new
            {
                r.Id, r.TrackingNumber, r.Title, r.State, r.Type, r.Urgency, r.SubmittedAt, Area = r.StreetCode ?? r.DistrictCode, r.MatterCode,
                r.ContactPhone, r.Latitude, r.Longitude,
            })
            .ToListAsync(cancellationToken);
        var baseline = await counted.Where(r => r.SubmittedAt >= baselineFrom && r.SubmittedAt < from)
            .GroupBy(r => new { Area = r.StreetCode ?? r.DistrictCode, r.MatterCode })
            .Select(g => new { g.Key.Area, g.Key.MatterCode, Count = g.Count() })
            .ToListAsync(cancellationToken);

        // People are told apart by the digits of their phone; a report without one is somebody of its own.
        var samples = window.Select(r => new HotspotSample(r.Id, r.Area!, r.MatterCode!, r.SubmittedAt, Reporter(r.ContactPhone, r.Id), r.Latitude, r.Longitude)).ToList();
        var hotspots = HotspotDetector.Find(samples, baseline.Select(b => new BaselineCount(b.Area!, b.MatterCode!, b.Count)), now, rules);

        // Recurrences: what came in during the window against what was resolved in the same places and matters before.
        var areas = samples.Select(s => s.Area).Distinct().ToList();
        var matters = samples.Select(s => s.Matter).Distinct().ToList();
        var resolvedFrom = from - TimeSpan.FromDays(options.RecurrenceDays);
        var resolved = await counted
            .Where(r => r.RepliedAt != null && r.RepliedAt >= resolvedFrom && (r.State == RequestState.Replied || r.State == RequestState.Closed)
                && matters.Contains(r.MatterCode!) && (areas.Contains(r.StreetCode!) || (r.StreetCode == null && areas.Contains(r.DistrictCode!))))
            .Select(r => new { r.Id, r.TrackingNumber, r.Title, Area = r.StreetCode ?? r.DistrictCode, r.MatterCode, RepliedAt = r.RepliedAt!.Value, r.Latitude, r.Longitude })
            .ToListAsync(cancellationToken);
        var recurrences = RecurrenceFinder.Find(
            samples,
            resolved.Select(r => new ResolvedSample(r.Id, r.Area!, r.MatterCode!, r.RepliedAt, r.Latitude, r.Longitude)),
            TimeSpan.FromDays(options.RecurrenceDays),
            options.RecurrenceMetres).Take(ShownRecurrences).ToList();

        // An event covers a hotspot when it was made after the hotspot's first request, whatever became of it since
        // (unless it was cancelled or merged away): a new one is due when a new spike forms, not when the last is handled.
        var made = await db.DataDrivenEvents.AsNoTracking()
            .Where(e => e.CreatedAt >= from && db.Requests.Any(r => r.Id == e.RequestId && r.State != RequestState.Cancelled && r.State != RequestState.Merged))
            .Select(e => new
            {
                e.AreaCode, e.MatterCode, e.CreatedAt,
                Request = db.Requests.Where(r => r.Id == e.RequestId).Select(r => new { r.TrackingNumber, r.State }).First(),
                Visible = visible.Any(r => r.Id == e.RequestId),
            })
            .ToListAsync(cancellationToken);
        var events = made.ToLookup(e => (e.AreaCode, e.MatterCode));

        var names = await NamesAsync(db, catalogue, cancellationToken);
        var byId = window.ToDictionary(r => r.Id);
        var earlier = resolved.ToDictionary(r => r.Id);
        return new HotspotReport(
            options.WindowDays,
            options.BaselineDays,
            RequestViews.Utc(from),
            RequestViews.Utc(now),
            hotspots.Select(h =>
            {
                var matter = names.Matter(h.Matter);
                var e = events[(h.Area, h.Matter)].Where(e => e.CreatedAt >= h.FirstAt).MaxBy(e => e.CreatedAt);
                EventLink? link = e is null ? null : new EventLink(e.Visible ? e.Request.TrackingNumber : null, e.Request.State);
                return new HotspotView(
                    h.Area, names.Area(h.Area), h.Matter, matter.Name, matter.Category, h.Level, h.Count, h.People, h.Expected, h.Score,
                    RequestViews.Utc(h.FirstAt), RequestViews.Utc(h.LastAt), h.Latitude, h.Longitude,
                    h.Ids.Select(id => byId[id]).Select(r => new HotspotMember(r.TrackingNumber, r.Title, r.State, r.Type, r.Urgency, RequestViews.Utc(r.SubmittedAt))).ToList(),
                    link);
            }).ToList(),
            recurrences.GroupBy(c => c.EarlierId).Select(g =>
            {
                var before = earlier[g.Key];
                var since = g.Select(c => (Recurrence: c, Request: byId[c.Id])).OrderBy(x => x.Request.SubmittedAt)
                    .Select(x => new Recurring(x.Request.TrackingNumber, x.Request.Title, x.Request.State, RequestViews.Utc(x.Request.SubmittedAt), Math.Round(x.Recurrence.After.TotalDays, 1), x.Recurrence.Metres))
                    .ToList();
                return new RecurrenceView(
                    before.TrackingNumber, before.Title, RequestViews.Utc(before.RepliedAt), before.Area!, names.Area(before.Area!), before.MatterCode!, names.Matter(before.MatterCode!).Name, since);
            }).OrderByDescending(v => v.Since[^1].SubmittedAt).ToList());
    }

    private static string Reporter(string phone, long id)
    {
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());

        // +86 139…, 0086 139… and 139… are one mobile number.
        digits = digits.Length == 15 && digits.StartsWith("0086", StringComparison.Ordinal) ? digits[4..]
            : digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal) ? digits[2..]
            : digits;
        return digits.Length == 0 ? $"#{id}" : digits;
    }

    /// <summary>Streets and districts by code, from the units that serve them; matters from the list in force.</summary>
    private sealed record Names(IReadOnlyDictionary<string, string> Areas, Core.Catalogue.CatalogueSnapshot? Snapshot)
    {
        public string Area(string code) => Areas.GetValueOrDefault(code, code);

        public (string Name, string Category) Matter(string code) =>
            Snapshot?[code] is { } m ? (m.Name, m.Category) : (code, "");
    }

    private static async Task<Names> NamesAsync(SubanDb db, CatalogueStore catalogue, CancellationToken cancellationToken)
    {
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Kind == UnitKind.StreetOffice || u.Kind == UnitKind.DistrictPlatform)
            .Select(u => new { u.Kind, u.Code, u.Name, u.DistrictCode }).ToListAsync(cancellationToken);
        var districts = units.Where(u => u.Kind == UnitKind.DistrictPlatform && u.DistrictCode is not null)
            .GroupBy(u => u.DistrictCode!).ToDictionary(g => g.Key, g => g.First().Name);
        var areas = new Dictionary<string, string>(districts);
        foreach (var street in units.Where(u => u.Kind == UnitKind.StreetOffice))
        {
            areas[street.Code] = street.DistrictCode is { } d && districts.TryGetValue(d, out var district) ? $"{district}{street.Name}" : street.Name;
        }

        return new Names(areas, (await catalogue.CurrentAsync(cancellationToken))?.Snapshot);
    }

    /// <summary>The current hotspot of <paramref name="area"/> and <paramref name="matter"/>, if there is one.</summary>
    public HotspotView? Find(string area, string matter) => Hotspots.FirstOrDefault(h => h.Area == area && h.MatterCode == matter);
}
