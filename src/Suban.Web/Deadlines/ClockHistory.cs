using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Data;

namespace Suban.Web.Deadlines;

/// <summary>
/// Rebuilds the clocks of requests that came with a history but without clocks (the demo city; historical
/// imports), by replaying their timelines through the same rules <see cref="ClockKeeper"/> applies live. Finished
/// clocks that ran out are marked overdue and recorded against their unit; clocks still running are left at the
/// foot of the reminder ladder, so the worker's first pass catches them up with one reminder each.
/// </summary>
internal sealed class ClockHistory(SubanDb db, Calendars calendars, ClockKeeper keeper, TimeProvider clock, IOptions<DeadlineOptions> options)
{
    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        var rules = options.Value;
        var calendar = await calendars.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var root = await db.Units.Where(u => u.ParentId == null).Select(u => u.Id).FirstAsync(cancellationToken);
        var withClocks = db.Clocks.Select(c => c.RequestId);
        var ids = await db.Requests.Where(r => !withClocks.Contains(r.Id)).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        var built = 0;
        foreach (var chunk in ids.Chunk(500))
        {
            var requests = await db.Requests.AsNoTracking().Include(r => r.Events).Include(r => r.Assignments)
                .Where(r => chunk.Contains(r.Id)).ToListAsync(cancellationToken);
            foreach (var request in requests)
            {
                var handling = await keeper.HandlingLimitAsync(request, cancellationToken);
                var clocks = Replay(request, root, handling, rules, calendar);
                foreach (var timer in clocks)
                {
                    var end = timer.EndedAt ?? now;
                    if (timer.Status == ClockStatus.Stopped && end > timer.DueAt)
                    {
                        timer.Overdue = true;
                        timer.Step = ReminderLadder.Last;
                        db.OverdueRecords.Add(new OverdueRecord { RequestId = request.Id, Clock = timer, UnitId = timer.UnitId, Kind = timer.Kind, DueAt = timer.DueAt, RecordedAt = timer.DueAt });
                    }

                    db.Clocks.Add(timer);
                }

                built += clocks.Count;
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        return built;
    }

    /// <summary>The clocks a request's timeline implies. Platforms and lead units are read from the events
    /// (who dispatched, who returned) and, failing that, from the request as it stands.</summary>
    public static List<RequestClock> Replay(ServiceRequest request, int rootUnitId, TimeLimit handling, DeadlineOptions rules, WorkingCalendar calendar)
    {
        var clocks = new List<RequestClock>();
        var lead = request.LeadUnitId
            ?? request.Assignments.Where(a => a.IsLead).OrderBy(a => a.Id).Select(a => (int?)a.UnitId).LastOrDefault()
            ?? request.Events.Where(e => e.Action == RequestAction.Return).Select(e => e.ActorUnitId).LastOrDefault();
        var platform = rootUnitId;

        void Start(ClockKind kind, int? unit, TimeLimit limit, DateTime at)
        {
            if (unit is null)
            {
                return;
            }

            var due = limit.DueFrom(at, calendar);
            var warn = TimeLimit.WarnAt(at, due, rules.WarnAtShare);
            var escalate = due + rules.EscalateAfter;
            clocks.Add(new RequestClock
            {
                RequestId = request.Id, Kind = kind, UnitId = unit.Value, Basis = limit.Basis, LimitAmount = limit.Amount,
                StartedAt = at, WarnAt = warn, DueAt = due, EscalateAt = escalate, Status = ClockStatus.Running,
                NextCheckAt = ReminderLadder.NextCheck(0, warn, due, escalate),
            });
        }

        void End(DateTime at, ClockStatus status, params ClockKind[] kinds)
        {
            foreach (var timer in clocks.Where(c => c.Status == ClockStatus.Running && kinds.Contains(c.Kind)))
            {
                (timer.Status, timer.EndedAt, timer.NextCheckAt) = (status, at, null);
            }
        }

        foreach (var e in request.Events.OrderBy(e => e.At).ThenBy(e => e.Id))
        {
            switch (e.Action)
            {
                case RequestAction.Submit:
                    Start(ClockKind.Dispatch, platform, rules.DispatchLimit(request.Urgency), e.At);
                    break;
                case RequestAction.Forward:
                    platform = request.PlatformUnitId;
                    clocks.Where(c => c.Kind == ClockKind.Dispatch && c.Status == ClockStatus.Running).ToList().ForEach(c => c.UnitId = platform);
                    break;
                case RequestAction.Dispatch:
                    platform = e.ActorUnitId ?? platform;
                    End(e.At, ClockStatus.Stopped, ClockKind.Dispatch);
                    End(e.At, ClockStatus.Cancelled, ClockKind.Accept, ClockKind.Handling);
                    Start(ClockKind.Accept, lead, rules.AcceptLimit, e.At);
                    Start(ClockKind.Handling, lead, handling, e.At);
                    break;
                case RequestAction.Accept:
                    End(e.At, ClockStatus.Stopped, ClockKind.Accept);
                    break;
                case RequestAction.Return:
                    End(e.At, ClockStatus.Cancelled, ClockKind.Accept, ClockKind.Handling);
                    Start(ClockKind.Dispatch, platform, rules.DispatchLimit(request.Urgency), e.At);
                    break;
                case RequestAction.Reply:
                    End(e.At, ClockStatus.Stopped, ClockKind.Accept, ClockKind.Handling);
                    if (request.Channel != Channel.DataDriven)
                    {
                        Start(ClockKind.FollowUp, platform, TimeLimit.WorkingDays(rules.FollowUpDays), e.At);
                    }

                    break;
                case RequestAction.RateSatisfied or RequestAction.RateBasicallySatisfied or RequestAction.AutoClose:
                    End(e.At, ClockStatus.Stopped, ClockKind.FollowUp);
                    break;
                case RequestAction.RateDissatisfied:
                    End(e.At, ClockStatus.Stopped, ClockKind.FollowUp);
                    Start(ClockKind.Handling, lead, handling, e.At);
                    break;
                case RequestAction.Cancel or RequestAction.Merge:
                    End(e.At, ClockStatus.Cancelled, Enum.GetValues<ClockKind>());
                    break;
            }
        }

        return clocks;
    }
}
