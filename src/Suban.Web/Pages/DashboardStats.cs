using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Pages;

public sealed record Tally(string Code, string Name, int Count);

public sealed record OverdueItem(string TrackingNumber, string Title, string UnitName, DateTimeOffset DueAt);

public sealed record UnitStat(string Code, string Name, int Received, int Closed, double? OnTimeRate, double? SatisfactionRate, int Overdue);

/// <summary>
/// The dashboard's figures for requests submitted in a period, all computed from the requests the viewer may see:
/// a drill-down (the export with the same filter) lists exactly the requests behind each number.
/// </summary>
public sealed record DashboardStats(
    DateOnly From,
    DateOnly To,
    DateTime FromUtc,
    DateTime ToUtc,
    int Total,
    double? OnTimeRate,
    double? SatisfactionRate,
    double? AverageHandlingHours,
    int Overdue,
    IReadOnlyList<Tally> ByDay,
    IReadOnlyList<Tally> ByChannel,
    IReadOnlyList<Tally> ByCategory,
    IReadOnlyList<Tally> ByDistrict,
    IReadOnlyList<UnitStat> Units,
    IReadOnlyList<OverdueItem> OverdueList)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ChannelName(Channel channel, bool en) => (channel, en) switch
    {
        (Channel.Web, false) => "网站",
        (Channel.Mobile, false) => "移动端",
        (Channel.WeChat, false) => "微信",
        (Channel.Hotline, false) => "12345热线",
        (Channel.ServiceCentre, false) => "服务中心",
        (Channel.Email, false) => "邮件",
        (Channel.Open311, false) => "合作应用",
        (Channel.DepartmentSystem, false) => "部门系统",
        (Channel.BulkImport, false) => "历史导入",
        (Channel.DataDriven, false) => "大数据发现",
        (Channel.DataDriven, true) => "Data-driven",
        (var c, _) => c.ToString(),
    };

    internal static async Task<DashboardStats> ComputeAsync(SubanDb db, Actor actor, CatalogueStore catalogue, DateOnly from, DateOnly to, bool en, CancellationToken cancellationToken)
    {
        var fromUtc = WorkingCalendar.ToUtc(from, TimeOnly.MinValue);
        var toUtc = WorkingCalendar.ToUtc(to, TimeOnly.MinValue);
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var rows = await visible.Where(r => r.SubmittedAt >= fromUtc && r.SubmittedAt < toUtc)
            .Select(r => new { r.Id, r.TrackingNumber, r.Title, r.SubmittedAt, r.Channel, r.MatterCode, r.DistrictCode, r.Rating, r.RepliedAt, r.State, r.LeadUnitId })
            .ToListAsync(cancellationToken);
        var numbers = rows.ToDictionary(r => r.Id, r => r.TrackingNumber);
        var titles = rows.ToDictionary(r => r.Id, r => r.Title);
        var ids = rows.Select(r => r.Id).ToHashSet();
        var handling = await db.Clocks.AsNoTracking()
            .Where(c => c.Kind == ClockKind.Handling && c.Status == ClockStatus.Stopped && c.StartedAt >= fromUtc)
            .Select(c => new { c.RequestId, c.Overdue }).ToListAsync(cancellationToken);
        handling = handling.Where(c => ids.Contains(c.RequestId)).ToList();
        var overdueRows = (await db.OverdueRecords.AsNoTracking().Where(o => o.DueAt >= fromUtc)
            .Select(o => new { o.RequestId, o.UnitId, o.DueAt }).ToListAsync(cancellationToken)).Where(o => ids.Contains(o.RequestId)).ToList();
        var overdue = overdueRows.Count;

        var snapshot = (await catalogue.CurrentAsync(cancellationToken))?.Snapshot;
        var units = await db.Units.AsNoTracking().ToListAsync(cancellationToken);
        var districts = units.Where(u => u.Kind == UnitKind.DistrictPlatform && u.DistrictCode is not null).ToDictionary(u => u.DistrictCode!, u => u.ShortName ?? u.Name);
        var zone = TimeSpan.FromHours(8);

        var byDay = new List<Tally>();
        for (var day = from; day < to; day = day.AddDays(1))
        {
            var start = WorkingCalendar.ToUtc(day, TimeOnly.MinValue);
            var end = start.AddDays(1);
            byDay.Add(new Tally(day.ToString("yyyy-MM-dd"), day.ToString("MM-dd"), rows.Count(r => r.SubmittedAt >= start && r.SubmittedAt < end)));
        }

        var rated = rows.Where(r => r.Rating is not null).ToList();
        var replied = rows.Where(r => r.RepliedAt is not null).ToList();
        var unitRows = rows.Where(r => r.LeadUnitId is not null).GroupBy(r => r.LeadUnitId!.Value)
            .Select(g =>
            {
                var unit = units.First(u => u.Id == g.Key);
                var unitIds = g.Select(r => r.Id).ToHashSet();
                var clocks = handling.Where(c => unitIds.Contains(c.RequestId)).ToList();
                var unitRated = g.Where(r => r.Rating is not null).ToList();
                return new UnitStat(unit.Code, unit.Name, g.Count(), g.Count(r => r.State == RequestState.Closed),
                    clocks.Count == 0 ? null : (double)clocks.Count(c => !c.Overdue) / clocks.Count,
                    unitRated.Count == 0 ? null : (double)unitRated.Count(r => r.Rating is Rating.Satisfied or Rating.BasicallySatisfied) / unitRated.Count,
                    clocks.Count(c => c.Overdue));
            })
            .OrderByDescending(u => u.OnTimeRate ?? -1).ThenByDescending(u => u.SatisfactionRate ?? -1).ThenByDescending(u => u.Received)
            .Take(20)
            .ToList();

        return new DashboardStats(
            from,
            to,
            fromUtc,
            toUtc,
            rows.Count,
            handling.Count == 0 ? null : (double)handling.Count(c => !c.Overdue) / handling.Count,
            rated.Count == 0 ? null : (double)rated.Count(r => r.Rating is Rating.Satisfied or Rating.BasicallySatisfied) / rated.Count,
            replied.Count == 0 ? null : replied.Average(r => (r.RepliedAt!.Value - r.SubmittedAt).TotalHours),
            overdue,
            byDay,
            rows.GroupBy(r => r.Channel).Select(g => new Tally(g.Key.ToString(), ChannelName(g.Key, en), g.Count())).OrderByDescending(t => t.Count).ToList(),
            rows.GroupBy(r => r.MatterCode is { } code && snapshot?[code] is { } m ? m.Category : null)
                .Select(g => new Tally(g.Key ?? "", g.Key ?? (en ? "not yet known" : "待定"), g.Count())).OrderByDescending(t => t.Count).ToList(),
            rows.GroupBy(r => r.DistrictCode)
                .Select(g => new Tally(g.Key ?? "", g.Key is { } d && districts.TryGetValue(d, out var name) ? name : (en ? "unknown" : "未知"), g.Count())).OrderByDescending(t => t.Count).ToList(),
            unitRows,
            overdueRows.OrderByDescending(o => o.DueAt).Take(20)
                .Select(o => new OverdueItem(
                    numbers.GetValueOrDefault(o.RequestId, ""),
                    titles.GetValueOrDefault(o.RequestId, ""),
                    units.FirstOrDefault(u => u.Id == o.UnitId)?.Name ?? "",
                    RequestViews.Utc(o.DueAt)))
                .ToList());
    }
}
