using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Pages;

/// <summary>A replied request waiting for the citizen's verdict, as the call-taker who phones for it (回访) needs it:
/// what was asked, what the unit answered, whom to call and by when.</summary>
public sealed record FollowUpCall(
    string TrackingNumber,
    RequestType Type,
    string Title,
    string Description,
    string? LeadUnitName,
    DateTimeOffset? RepliedAt,
    string? Reply,
    string? ContactName,
    string ContactPhone,
    bool Anonymous,
    int ReopenCount,
    DateTimeOffset? DueAt,
    Warning Warning,
    IReadOnlyList<TimelineEntry> Timeline);

internal static class FollowUpDeskData
{
    private const int Shown = 100;

    /// <summary>The replied requests the caller may see, soonest follow-up limit first.</summary>
    public static async Task<List<FollowUpCall>> LoadAsync(SubanDb db, Actor actor, DateTime now, CancellationToken cancellationToken)
    {
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        // A data-driven event has nobody to call: it closes when its rating period ends.
        var rows = await visible.Where(r => r.State == RequestState.Replied && r.Channel != Channel.DataDriven)
            .Select(r => new
            {
                Request = r,
                DueAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Kind == ClockKind.FollowUp && c.Status == ClockStatus.Running).Min(c => (DateTime?)c.DueAt),
                WarnAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Kind == ClockKind.FollowUp && c.Status == ClockStatus.Running).Min(c => (DateTime?)c.WarnAt),
                // A merged request was handled by its master's unit.
                LeadName = db.Units.Where(u => u.Id == (r.LeadUnitId ?? db.Requests.Where(m => m.Id == r.MasterRequestId).Select(m => m.LeadUnitId).FirstOrDefault()))
                    .Select(u => u.Name).FirstOrDefault(),
            })
            .OrderBy(x => x.DueAt == null ? 1 : 0).ThenBy(x => x.DueAt).ThenBy(x => x.Request.Id)
            .Take(Shown)
            .ToListAsync(cancellationToken);
        var timelines = await RequestViews.TimelinesAsync(db, rows.Select(x => x.Request.Id).ToList(), publicOnly: false, cancellationToken);
        return rows.Select(x =>
        {
            var r = x.Request;
            var timeline = timelines[r.Id];
            return new FollowUpCall(
                r.TrackingNumber, r.Type, r.Title, r.Description, x.LeadName, RequestViews.Utc(r.RepliedAt),
                timeline.LastOrDefault(e => e.Action is RequestAction.Reply or RequestAction.FollowMaster)?.Note, r.ContactName, r.ContactPhone, r.IsAnonymous, r.ReopenCount,
                RequestViews.Utc(x.DueAt),
                x.DueAt is { } due && x.WarnAt is { } warn ? TimeLimit.WarningAt(now, warn, due) : Warning.None,
                timeline);
        }).ToList();
    }
}
