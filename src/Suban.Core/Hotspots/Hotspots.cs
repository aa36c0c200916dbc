using Suban.Core.Duplicates;

namespace Suban.Core.Hotspots;

/// <summary>One request as hotspot detection sees it: where (a street, else a district), which matter, when, and who.</summary>
/// <param name="Reporter">Tells people apart (a hashed phone number, say); the same person calling five times is one.</param>
public sealed record HotspotSample(long Id, string Area, string Matter, DateTime At, string Reporter, double? Latitude = null, double? Longitude = null);

/// <summary>How often a place and matter came up in the weeks before the window: what "usual" is.</summary>
public sealed record BaselineCount(string Area, string Matter, int Count);

public enum HotspotLevel
{
    /// <summary>苗头性预警: rising well above usual, not yet many people.</summary>
    EarlyWarning,

    /// <summary>热点: many people about one matter in one place.</summary>
    Hotspot,
}

/// <summary>
/// When a place and matter is a hotspot: at least <see cref="HotspotPeople"/> different people in the window (an early
/// warning from <see cref="WarningPeople"/>), and at least <see cref="MinRatio"/> times what the baseline weeks
/// would lead one to expect in a window as long. A place that is always busy is not a spike.
/// </summary>
public sealed record HotspotRules(TimeSpan Window, TimeSpan Baseline, int WarningPeople = 3, int HotspotPeople = 5, double MinRatio = 2.0)
{
    public bool IsValid(out string? problem)
    {
        problem = Window <= TimeSpan.Zero ? "the window must be positive"
            : Baseline <= TimeSpan.Zero ? "the baseline must be positive"
            : WarningPeople < 2 ? "an early warning needs at least two people"
            : HotspotPeople < WarningPeople ? "a hotspot needs at least as many people as an early warning"
            : MinRatio < 1 ? "the ratio to the baseline must be at least 1"
            : null;
        return problem is null;
    }
}

/// <summary>A place and matter that spiked: its requests in the window, against what the baseline expected.</summary>
/// <param name="Expected">Requests the baseline predicts for a window as long: baseline count × window ÷ baseline.</param>
/// <param name="Score">How unusual, for ordering: (count − expected) ÷ √max(expected, 1), a Poisson z-score.</param>
public sealed record Hotspot(
    string Area,
    string Matter,
    HotspotLevel Level,
    int Count,
    int People,
    double Expected,
    double Score,
    DateTime FirstAt,
    DateTime LastAt,
    IReadOnlyList<long> Ids,
    double? Latitude,
    double? Longitude);

public static class HotspotDetector
{
    /// <summary>The hotspots among <paramref name="window"/>'s requests, most unusual first.</summary>
    /// <param name="window">The requests submitted in the window; others are ignored.</param>
    public static IReadOnlyList<Hotspot> Find(IEnumerable<HotspotSample> window, IEnumerable<BaselineCount> baseline, DateTime now, HotspotRules rules)
    {
        var from = now - rules.Window;
        var usual = baseline.GroupBy(b => (b.Area, b.Matter)).ToDictionary(g => g.Key, g => g.Sum(b => b.Count));
        var scale = rules.Window / rules.Baseline;
        var found = new List<Hotspot>();
        foreach (var group in window.Where(s => s.At >= from && s.At <= now).GroupBy(s => (s.Area, s.Matter)))
        {
            var people = group.Select(s => s.Reporter).Distinct(StringComparer.Ordinal).Count();
            if (people < rules.WarningPeople)
            {
                continue;
            }

            var count = group.Count();
            var expected = usual.GetValueOrDefault(group.Key) * scale;
            if (count < rules.MinRatio * Math.Max(expected, 1))
            {
                continue;
            }

            var located = group.Where(s => s.Latitude is not null && s.Longitude is not null).ToList();
            found.Add(new Hotspot(
                group.Key.Area,
                group.Key.Matter,
                people >= rules.HotspotPeople ? HotspotLevel.Hotspot : HotspotLevel.EarlyWarning,
                count,
                people,
                Math.Round(expected, 2),
                Math.Round((count - expected) / Math.Sqrt(Math.Max(expected, 1)), 2),
                group.Min(s => s.At),
                group.Max(s => s.At),
                group.OrderBy(s => s.At).Select(s => s.Id).ToList(),
                located.Count > 0 ? located.Average(s => s.Latitude) : null,
                located.Count > 0 ? located.Average(s => s.Longitude) : null));
        }

        return found.OrderByDescending(h => h.Level).ThenByDescending(h => h.Score).ThenByDescending(h => h.Count).ThenBy(h => h.Area, StringComparer.Ordinal).ThenBy(h => h.Matter, StringComparer.Ordinal).ToList();
    }
}

/// <summary>A request handled and replied to: the problem was, the unit said, resolved.</summary>
public sealed record ResolvedSample(long Id, string Area, string Matter, DateTime ResolvedAt, double? Latitude = null, double? Longitude = null);

/// <summary>A new request about a problem resolved before in the same place (回潮): the fix did not hold.</summary>
public sealed record Recurrence(long Id, long EarlierId, TimeSpan After, double? Metres);

public static class RecurrenceFinder
{
    /// <summary>
    /// For each new request, the latest earlier request of the same matter and place resolved at most
    /// <paramref name="within"/> before it came in. The place is the same street (or district); where both have
    /// coordinates they must also lie within <paramref name="metres"/>, since a street is large.
    /// </summary>
    public static IReadOnlyList<Recurrence> Find(IEnumerable<HotspotSample> recent, IEnumerable<ResolvedSample> resolved, TimeSpan within, double metres)
    {
        var earlier = resolved.ToLookup(r => (r.Area, r.Matter));
        var found = new List<Recurrence>();
        foreach (var request in recent)
        {
            Recurrence? best = null;
            var bestAt = DateTime.MinValue;
            foreach (var before in earlier[(request.Area, request.Matter)])
            {
                if (before.Id == request.Id || before.ResolvedAt >= request.At || request.At - before.ResolvedAt > within || before.ResolvedAt <= bestAt)
                {
                    continue;
                }

                double? distance = request.Latitude is { } lat && request.Longitude is { } lon && before.Latitude is { } blat && before.Longitude is { } blon
                    ? DuplicateRules.Metres(lat, lon, blat, blon)
                    : null;
                if (distance > metres)
                {
                    continue;
                }

                best = new Recurrence(request.Id, before.Id, request.At - before.ResolvedAt, distance is null ? null : Math.Round(distance.Value));
                bestAt = before.ResolvedAt;
            }

            if (best is not null)
            {
                found.Add(best);
            }
        }

        return found.OrderBy(r => r.After).ThenBy(r => r.Id).ToList();
    }
}
