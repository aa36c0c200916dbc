using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Deadlines;

public enum PeriodKind
{
    Week,
    Month,
    Quarter,
    Year,
}

/// <summary>A calendar period in Shenzhen time, as UTC instants [From, To).</summary>
public sealed record Period(PeriodKind Kind, DateOnly First, DateOnly End)
{
    public DateTime From => WorkingCalendar.ToUtc(First, TimeOnly.MinValue);

    public DateTime To => WorkingCalendar.ToUtc(End, TimeOnly.MinValue);

    public string Label => Kind switch
    {
        PeriodKind.Week => $"{First:yyyy-MM-dd}～{End.AddDays(-1):MM-dd}",
        PeriodKind.Month => $"{First:yyyy-MM}",
        PeriodKind.Quarter => $"{First.Year} Q{(First.Month - 1) / 3 + 1}",
        _ => $"{First.Year}",
    };

    public static Period Containing(PeriodKind kind, DateOnly day) => kind switch
    {
        PeriodKind.Week => Week(day.AddDays(-(((int)day.DayOfWeek + 6) % 7))),
        PeriodKind.Month => new(kind, new DateOnly(day.Year, day.Month, 1), new DateOnly(day.Year, day.Month, 1).AddMonths(1)),
        PeriodKind.Quarter => new(kind, new DateOnly(day.Year, (day.Month - 1) / 3 * 3 + 1, 1), new DateOnly(day.Year, (day.Month - 1) / 3 * 3 + 1, 1).AddMonths(3)),
        _ => new(kind, new DateOnly(day.Year, 1, 1), new DateOnly(day.Year + 1, 1, 1)),
    };

    public Period Previous() => Containing(Kind, First.AddDays(-1));

    private static Period Week(DateOnly monday) => new(PeriodKind.Week, monday, monday.AddDays(7));
}

/// <summary>How one handling unit did in a period.</summary>
/// <param name="OnTimeRate">Handling clocks finished in the period within their limit, over those finished plus
/// those that ran out in the period and are still open; null when there were none.</param>
/// <param name="SatisfactionRate">Satisfied and basically satisfied ratings over all ratings in the period.</param>
/// <param name="ReopenRate">Dissatisfied ratings (each reopens the request) over replies in the period.</param>
public sealed record LeagueRow(
    int Rank,
    string UnitCode,
    string UnitName,
    UnitKind Kind,
    int Received,
    int Finished,
    double? OnTimeRate,
    int Overdue,
    double? AverageHandlingHours,
    double? P90HandlingHours,
    double? SatisfactionRate,
    double? ReopenRate,
    int Returns,
    int? PreviousRank,
    double? OnTimeChange,
    double? SatisfactionChange);

public sealed record League(string Period, DateTimeOffset From, DateTimeOffset To, string PreviousPeriod, IReadOnlyList<LeagueRow> Rows);

/// <summary>
/// The unit league table (排行榜): per handling unit and period, received, on-time rate, overdue count, average
/// and p90 handling time, satisfaction, reopen rate and returns; ranked by on-time rate, then satisfaction, then
/// fewer overdue; with the change against the previous period.
/// </summary>
internal sealed class LeagueTable(SubanDb db)
{
    private sealed record Stats(int Received, int Finished, int OnTime, int Late, int Overdue, List<double> Hours, int Rated, int Satisfied, int Replies, int Reopened, int Returns);

    public async Task<League> ComputeAsync(Period period, CancellationToken cancellationToken)
    {
        var current = await StatsAsync(period, cancellationToken);
        var previous = await StatsAsync(period.Previous(), cancellationToken);
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Kind != UnitKind.CityPlatform && u.Kind != UnitKind.DistrictPlatform)
            .ToListAsync(cancellationToken);
        var rowsNow = Rank(units, current);
        var rowsBefore = Rank(units, previous).ToDictionary(r => r.UnitCode);
        var rows = rowsNow.Select(r => rowsBefore.TryGetValue(r.UnitCode, out var before)
            ? r with
            {
                PreviousRank = before.Received + before.Finished > 0 ? before.Rank : null,
                OnTimeChange = r.OnTimeRate - before.OnTimeRate,
                SatisfactionChange = r.SatisfactionRate - before.SatisfactionRate,
            }
            : r).ToList();
        return new League(period.Label, Requests.RequestViews.Utc(period.From), Requests.RequestViews.Utc(period.To), period.Previous().Label, rows);
    }

    /// <summary>Units with any activity in the period, ranked; units without any follow, unranked, by code.</summary>
    private static List<LeagueRow> Rank(List<Unit> units, Dictionary<int, Stats> stats)
    {
        var active = units.Where(u => stats.ContainsKey(u.Id)).Select(u => Row(u, stats[u.Id])).ToList();
        var ranked = active
            .OrderByDescending(r => r.OnTimeRate ?? -1)
            .ThenByDescending(r => r.SatisfactionRate ?? -1)
            .ThenBy(r => r.Overdue)
            .ThenByDescending(r => r.Received)
            .ThenBy(r => r.UnitCode, StringComparer.Ordinal)
            .Select((r, i) => r with { Rank = i + 1 })
            .ToList();
        return ranked;
    }

    private static LeagueRow Row(Unit unit, Stats s)
    {
        var hours = s.Hours.Order().ToList();
        double? Share(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
        return new LeagueRow(
            0, unit.Code, unit.ShortName ?? unit.Name, unit.Kind, s.Received, s.Finished,
            Share(s.OnTime, s.Finished + s.Late),
            s.Overdue,
            hours.Count == 0 ? null : Math.Round(hours.Average(), 1),
            hours.Count == 0 ? null : Math.Round(hours[(int)Math.Ceiling(0.9 * hours.Count) - 1], 1),
            Share(s.Satisfied, s.Rated),
            Share(s.Reopened, s.Replies),
            s.Returns,
            null, null, null);
    }

    private async Task<Dictionary<int, Stats>> StatsAsync(Period period, CancellationToken cancellationToken)
    {
        var (from, to) = (period.From, period.To);
        var received = await db.Assignments.AsNoTracking()
            .Where(a => a.IsLead && a.AssignedAt >= from && a.AssignedAt < to)
            .GroupBy(a => a.UnitId).Select(g => new { g.Key, Count = g.Select(a => a.RequestId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var finished = await db.Clocks.AsNoTracking()
            .Where(c => c.Kind == ClockKind.Handling && c.Status == ClockStatus.Stopped && c.EndedAt >= from && c.EndedAt < to)
            .Select(c => new { c.UnitId, c.StartedAt, EndedAt = c.EndedAt!.Value, c.Overdue })
            .ToListAsync(cancellationToken);
        var late = await db.Clocks.AsNoTracking()
            .Where(c => c.Kind == ClockKind.Handling && (c.Status == ClockStatus.Running || c.Status == ClockStatus.Paused) && c.Overdue && c.DueAt >= from && c.DueAt < to)
            .GroupBy(c => c.UnitId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var overdue = await db.OverdueRecords.AsNoTracking()
            .Where(o => o.RecordedAt >= from && o.RecordedAt < to)
            .GroupBy(o => o.UnitId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        RequestAction[] ratings = [RequestAction.RateSatisfied, RequestAction.RateBasicallySatisfied, RequestAction.RateDissatisfied];
        var events = await db.Events.AsNoTracking()
            .Where(e => e.At >= from && e.At < to && (ratings.Contains(e.Action) || e.Action == RequestAction.Reply || e.Action == RequestAction.Return))
            .Select(e => new { e.Action, e.ActorUnitId, LeadUnitId = db.Requests.Where(r => r.Id == e.RequestId).Select(r => r.LeadUnitId).FirstOrDefault() })
            .ToListAsync(cancellationToken);

        var unitIds = received.Keys.Concat(finished.Select(f => f.UnitId)).Concat(late.Keys).Concat(overdue.Keys)
            .Concat(events.Select(e => e.Action == RequestAction.Return ? e.ActorUnitId : e.LeadUnitId).OfType<int>())
            .ToHashSet();
        var result = new Dictionary<int, Stats>();
        foreach (var id in unitIds)
        {
            var done = finished.Where(f => f.UnitId == id).ToList();
            var rated = events.Where(e => ratings.Contains(e.Action) && e.LeadUnitId == id).ToList();
            result[id] = new Stats(
                received.GetValueOrDefault(id),
                done.Count,
                done.Count(f => !f.Overdue),
                late.GetValueOrDefault(id),
                overdue.GetValueOrDefault(id),
                done.Select(f => (f.EndedAt - f.StartedAt).TotalHours).ToList(),
                rated.Count,
                rated.Count(e => e.Action != RequestAction.RateDissatisfied),
                events.Count(e => e.Action == RequestAction.Reply && e.ActorUnitId == id),
                rated.Count(e => e.Action == RequestAction.RateDissatisfied),
                events.Count(e => e.Action == RequestAction.Return && e.ActorUnitId == id));
        }

        return result;
    }
}

internal static class LeagueEndpoints
{
    public static IEndpointRouteBuilder MapLeague(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/league", ApiAsync).WithTags("Time limits")
            .WithSummary("The unit league table for a period (week, month, quarter, year) containing 'date', with the change against the previous one.")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Staff));
        routes.MapGet("/league", PageAsync).ExcludeFromDescription()
            .RequireAuthorization(policy => policy.RequireRole(Roles.Staff));
        return routes;
    }

    private static bool TryPeriod(string? period, string? date, TimeProvider clock, out Period result, out IResult? problem)
    {
        result = null!;
        problem = null;
        if (!Enum.TryParse<PeriodKind>(period ?? "month", ignoreCase: true, out var kind) || int.TryParse(period, out _))
        {
            problem = Problems.Field("period", "One of week, month, quarter, year.");
            return false;
        }

        var day = WorkingCalendar.LocalDate(clock.GetUtcNow().UtcDateTime);
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            problem = Problems.Field("date", "A date as yyyy-MM-dd.");
            return false;
        }

        result = Period.Containing(kind, day);
        return true;
    }

    private static async Task<IResult> ApiAsync(string? period, string? date, LeagueTable table, TimeProvider clock, CancellationToken cancellationToken) =>
        TryPeriod(period, date, clock, out var wanted, out var problem)
            ? TypedResults.Ok(await table.ComputeAsync(wanted, cancellationToken))
            : problem!;

    private static async Task<IResult> PageAsync(string? period, string? date, string? lang, LeagueTable table, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!TryPeriod(period, date, clock, out var wanted, out var problem))
        {
            return problem!;
        }

        var en = lang == "en";
        string T(string zh, string english) => en ? english : zh;
        var league = await table.ComputeAsync(wanted, cancellationToken);
        var encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        string E(string? s) => encoder.Encode(s ?? "");
        string Pct(double? v) => v is { } x ? $"{x * 100:0.0}%" : "—";
        string Change(double? v) => v is { } x && Math.Abs(x) >= 0.0005 ? (x > 0 ? $"<span class=up>▲{x * 100:0.0}</span>" : $"<span class=down>▼{-x * 100:0.0}</span>") : "";
        var html = new StringBuilder();
        html.Append($"<form method=get><label for=period>{T("周期", "Period")}</label> <select id=period name=period>");
        foreach (var kind in Enum.GetValues<PeriodKind>())
        {
            var name = kind.ToString().ToLowerInvariant();
            html.Append($"<option value={name}{(kind == wanted.Kind ? " selected" : "")}>{kind switch { PeriodKind.Week => T("周", "Week"), PeriodKind.Month => T("月", "Month"), PeriodKind.Quarter => T("季度", "Quarter"), _ => T("年", "Year") }}</option>");
        }

        html.Append($"</select> <label for=date>{T("日期", "Date")}</label> <input id=date name=date type=date value={wanted.First:yyyy-MM-dd}>")
            .Append(en ? "<input type=hidden name=lang value=en>" : "")
            .Append($" <button>{T("查看", "Show")}</button></form>")
            .Append($"<p>{E(league.Period)} · {T("对比", "vs")} {E(league.PreviousPeriod)}</p>")
            .Append("<table><thead><tr>")
            .Append(string.Concat(new[] { T("排名", "Rank"), T("单位", "Unit"), T("受理", "Received"), T("办结", "Finished"), T("按时办结率", "On time"), T("超期", "Overdue"), T("平均用时(小时)", "Avg hours"), T("P90用时", "P90 hours"), T("满意率", "Satisfied"), T("重办率", "Reopened"), T("退回", "Returns") }.Select(h => $"<th scope=col>{h}</th>")))
            .Append("</tr></thead><tbody>");
        foreach (var row in league.Rows)
        {
            var move = row.PreviousRank is { } p && p != row.Rank ? (p > row.Rank ? $" <span class=up>↑{p - row.Rank}</span>" : $" <span class=down>↓{row.Rank - p}</span>") : "";
            html.Append($"<tr><td>{row.Rank}{move}</td><th scope=row>{E(row.UnitName)}</th><td>{row.Received}</td><td>{row.Finished}</td>")
                .Append($"<td>{Pct(row.OnTimeRate)} {Change(row.OnTimeChange)}</td><td>{row.Overdue}</td><td>{row.AverageHandlingHours?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—"}</td><td>{row.P90HandlingHours?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—"}</td>")
                .Append($"<td>{Pct(row.SatisfactionRate)} {Change(row.SatisfactionChange)}</td><td>{Pct(row.ReopenRate)}</td><td>{row.Returns}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (league.Rows.Count == 0)
        {
            html.Append($"<p>{T("本周期暂无数据。", "No activity in this period.")}</p>");
        }

        var page = $$"""
            <!doctype html>
            <html lang="{{(en ? "en" : "zh-CN")}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{T("单位排行榜", "Unit league table")}} · {{T("速办", "Suban")}}</title>
            <style>
            body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:72rem;margin:0 auto;padding:1rem;color:#1a1a1a}
            table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:right}
            th[scope=row],thead th:nth-child(2){text-align:left} .up{color:#1b5e20} .down{color:#b71c1c}
            a:focus,button:focus,input:focus,select:focus{outline:3px solid #f9a825;outline-offset:2px}
            </style></head>
            <body><h1>{{T("单位排行榜", "Unit league table")}}</h1>{{html}}
            <p><a href="/api/v1/league?period={{wanted.Kind.ToString().ToLowerInvariant()}}&amp;date={{wanted.First:yyyy-MM-dd}}">JSON</a> · <a href="?{{(en ? "" : "lang=en")}}">{{T("English", "中文")}}</a></p>
            </body></html>
            """;
        return Results.Content(page, "text/html; charset=utf-8");
    }
}
