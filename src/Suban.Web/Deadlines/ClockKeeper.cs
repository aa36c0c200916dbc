using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Notifications;

namespace Suban.Web.Deadlines;

/// <summary>
/// Starts and stops a request's clocks as it moves, and tells the citizen and the units, all in the unit of
/// work of the change itself (so a clock or a notification exists exactly when the change does).
/// </summary>
/// <remarks>The rules:
/// intake and every return start a dispatch clock for the platform (by urgency); a forward hands it to the lower
/// platform; dispatch stops it and starts the lead unit's accept and handling clocks (handling from the matter's
/// limit for the request type, in working days); accepting stops the accept clock; the reply stops handling and
/// starts the platform's follow-up clock; a rating or auto-close stops that; a dissatisfied rating starts a new
/// handling clock; cancelling or merging stops everything.</remarks>
internal sealed class ClockKeeper(SubanDb db, Calendars calendars, CatalogueStore catalogue, Outbox outbox, IOptions<DeadlineOptions> options)
{
    private DeadlineOptions Rules => options.Value;

    /// <summary>The working calendar the next <see cref="OnSubmitted"/> needs: read before intake's transaction, because
    /// on a cold cache it takes a connection of its own, and taking a second connection while holding the day's
    /// tracking-number lock starves the pool in a burst (every connection waiting on the lock its holder cannot
    /// release).</summary>
    public Task<WorkingCalendar> CalendarAsync(CancellationToken cancellationToken) => calendars.GetAsync(cancellationToken);

    public void OnSubmitted(ServiceRequest request, DateTime now, WorkingCalendar calendar)
    {
        Start(request, ClockKind.Dispatch, request.PlatformUnitId, Rules.DispatchLimit(request.Urgency), now, calendar);
        outbox.ToCitizen(request, nameof(RequestAction.Submit), $"您的诉求已受理，编号{request.TrackingNumber}，可凭编号和手机尾号查询办理进度。", now);
    }

    public async Task OnTransitionAsync(ServiceRequest request, Transition transition, RequestEvent recorded, DateTime now, CancellationToken cancellationToken)
    {
        // Progress notes, part reports and the time-limit actions (which move their own clock) read no clocks here.
        var handlingDue = MovesClocks.Contains(transition.Action)
            ? await MoveClocksAsync(request, transition, recorded, now, cancellationToken)
            : null;
        if (transition.IsPublic)
        {
            outbox.ToCitizen(request, transition.Action.ToString(), await CitizenTextAsync(request, transition.Action, recorded.Note, handlingDue, cancellationToken), now);
        }
    }

    /// <summary>Starts, stops or hands over the clocks <paramref name="transition"/> affects; returns the new
    /// handling deadline when one started.</summary>
    private async Task<DateTime?> MoveClocksAsync(ServiceRequest request, Transition transition, RequestEvent recorded, DateTime now, CancellationToken cancellationToken)
    {
        DateTime? handlingDue = null;
        var calendar = await calendars.GetAsync(cancellationToken);
        var running = await db.Clocks
            .Where(c => c.RequestId == request.Id && (c.Status == ClockStatus.Running || c.Status == ClockStatus.Paused))
            .ToListAsync(cancellationToken);

        switch (transition.Action)
        {
            case RequestAction.Forward:
                foreach (var clock in running.Where(c => c.Kind == ClockKind.Dispatch))
                {
                    clock.UnitId = request.PlatformUnitId;
                }

                break;

            case RequestAction.Dispatch:
                End(running, now, ClockStatus.Stopped, ClockKind.Dispatch);
                End(running, now, ClockStatus.Cancelled, ClockKind.Accept, ClockKind.Handling);
                var lead = request.LeadUnitId!.Value;
                Start(request, ClockKind.Accept, lead, Rules.AcceptLimit, now, calendar);
                handlingDue = Start(request, ClockKind.Handling, lead, await HandlingLimitAsync(request, cancellationToken), now, calendar).DueAt;
                foreach (var assignment in request.Assignments.Where(a => a.IsActive))
                {
                    var part = assignment.IsLead ? "牵头办理" : "协办";
                    await outbox.ToUnitAsync(assignment.UnitId, request.Id, nameof(RequestAction.Dispatch), $"新派单{request.TrackingNumber}（{part}）：{request.Title}", now, cancellationToken: cancellationToken);
                }

                break;

            case RequestAction.Accept:
                End(running, now, ClockStatus.Stopped, ClockKind.Accept);
                break;

            case RequestAction.Return:
                End(running, now, ClockStatus.Cancelled, ClockKind.Accept, ClockKind.Handling);
                Start(request, ClockKind.Dispatch, request.PlatformUnitId, Rules.DispatchLimit(request.Urgency), now, calendar);
                await outbox.ToUnitAsync(request.PlatformUnitId, request.Id, nameof(RequestAction.Return), $"工单{request.TrackingNumber}被退回，请重新分拨：{recorded.Note}", now, cancellationToken: cancellationToken);
                break;

            case RequestAction.Reply:
                End(running, now, ClockStatus.Stopped, ClockKind.Accept, ClockKind.Handling);

                // A data-driven event has no citizen to call back; it closes when its rating period ends.
                if (request.Channel != Channel.DataDriven)
                {
                    Start(request, ClockKind.FollowUp, request.PlatformUnitId, TimeLimit.WorkingDays(Rules.FollowUpDays), now, calendar);
                }

                break;

            case RequestAction.RateSatisfied or RequestAction.RateBasicallySatisfied or RequestAction.AutoClose:
                End(running, now, ClockStatus.Stopped, ClockKind.FollowUp);
                break;

            case RequestAction.RateDissatisfied:
                End(running, now, ClockStatus.Stopped, ClockKind.FollowUp);
                if (request.LeadUnitId is { } reopenedBy)
                {
                    handlingDue = Start(request, ClockKind.Handling, reopenedBy, await HandlingLimitAsync(request, cancellationToken), now, calendar).DueAt;
                    await outbox.ToUnitAsync(reopenedBy, request.Id, nameof(RequestAction.RateDissatisfied), $"工单{request.TrackingNumber}群众不满意，已重新交办", now, cancellationToken: cancellationToken);
                }

                break;

            case RequestAction.Cancel or RequestAction.Merge:
                End(running, now, ClockStatus.Cancelled, Enum.GetValues<ClockKind>());
                break;
        }

        await SettleAsync(request, transition.Action, running, now, cancellationToken);
        return handlingDue;
    }

    /// <summary>
    /// What hung on a clock or a lead unit that this step ended: an extension still waiting for a decision lapses
    /// with its handling clock, and a supervision order to a unit that no longer leads the request is withdrawn
    /// (its clock cancelled), so neither waits on a desk for an answer no one can give.
    /// </summary>
    private async Task SettleAsync(ServiceRequest request, RequestAction action, List<RequestClock> clocks, DateTime now, CancellationToken cancellationToken)
    {
        // The clocks were all running or paused when read: those stopped or cancelled now ended with this step.
        var ended = clocks.Where(c => c.Kind == ClockKind.Handling && c.Status is ClockStatus.Stopped or ClockStatus.Cancelled).Select(c => c.Id).ToList();
        if (ended.Count > 0)
        {
            foreach (var extension in await db.ExtensionRequests.Where(x => ended.Contains(x.ClockId) && x.Status == ExtensionStatus.Pending).ToListAsync(cancellationToken))
            {
                extension.Status = ExtensionStatus.Lapsed;
                extension.DecidedAt = now;
                extension.DecisionNote = $"办理时限已结束（{Pages.TimelineText.Action(action, en: false)}），无需审核";
            }
        }

        if (action is RequestAction.Dispatch or RequestAction.Return or RequestAction.Cancel or RequestAction.Merge)
        {
            var lead = action is RequestAction.Dispatch ? request.LeadUnitId : null;
            var orders = await db.SupervisionOrders.Where(o => o.RequestId == request.Id && o.Status == SupervisionStatus.Open && o.UnitId != lead).ToListAsync(cancellationToken);
            foreach (var order in orders)
            {
                // The unit is told (in-app only: a department system's webhook events have no withdrawal).
                order.Status = SupervisionStatus.Withdrawn;
                await outbox.ToUnitAsync(order.UnitId, request.Id, nameof(RequestAction.Supervise), $"督办单已撤回：工单{request.TrackingNumber}已不由本单位主办，无需回复。", now, cancellationToken: cancellationToken, webhook: false);
            }

            var withdrawn = orders.Select(o => (long?)o.Id).ToHashSet();
            End(clocks.Where(c => withdrawn.Contains(c.SupervisionOrderId)).ToList(), now, ClockStatus.Cancelled, ClockKind.Supervision);
        }
    }

    /// <summary>The actions that start, stop or hand over clocks in <see cref="OnTransitionAsync"/>.</summary>
    private static readonly HashSet<RequestAction> MovesClocks =
    [
        RequestAction.Forward, RequestAction.Dispatch, RequestAction.Accept, RequestAction.Return, RequestAction.Reply,
        RequestAction.RateSatisfied, RequestAction.RateBasicallySatisfied, RequestAction.RateDissatisfied,
        RequestAction.AutoClose, RequestAction.Cancel, RequestAction.Merge,
    ];

    /// <summary>The matter's limit for the request's type; requests without a matter get the default.</summary>
    public async Task<TimeLimit> HandlingLimitAsync(ServiceRequest request, CancellationToken cancellationToken)
    {
        if (request.MatterCode is { } code && await catalogue.CurrentAsync(cancellationToken) is ({ } _, { } snapshot) && snapshot.Current(code) is { } matter)
        {
            return TimeLimit.WorkingDays(Math.Max(1, matter.Limits.For(request.Type)));
        }

        return TimeLimit.WorkingDays(Rules.DefaultHandlingDays);
    }

    public RequestClock Start(ServiceRequest request, ClockKind kind, int unitId, TimeLimit limit, DateTime now, WorkingCalendar calendar, SupervisionOrder? order = null)
    {
        var due = limit.DueFrom(now, calendar);
        var clock = new RequestClock
        {
            RequestId = request.Id,
            Kind = kind,
            UnitId = unitId,
            Basis = limit.Basis,
            LimitAmount = limit.Amount,
            StartedAt = now,
            DueAt = due,
            Status = ClockStatus.Running,
            SupervisionOrder = order,
        };
        Schedule(clock, now);
        db.Clocks.Add(clock);
        return clock;
    }

    /// <summary>Sets the warning and escalation times from the due time, and when the worker must look next.</summary>
    public void Schedule(RequestClock clock, DateTime now)
    {
        clock.WarnAt = TimeLimit.WarnAt(clock.StartedAt, clock.DueAt, Rules.WarnAtShare);
        clock.EscalateAt = clock.DueAt + Rules.EscalateAfter;

        // Steps already taken stay taken; a moved deadline only changes when the next one falls due. Once the
        // unit has been reminded for a deadline that is now later, the ladder waits for the new one.
        clock.NextCheckAt = clock.Status == ClockStatus.Running ? ReminderLadder.NextCheck(clock.Step, clock.WarnAt, clock.DueAt, clock.EscalateAt) : null;
    }

    private static void End(List<RequestClock> clocks, DateTime now, ClockStatus status, params ClockKind[] kinds)
    {
        foreach (var clock in clocks.Where(c => kinds.Contains(c.Kind) && c.Status is ClockStatus.Running or ClockStatus.Paused))
        {
            clock.Status = status;
            clock.EndedAt = now;
            clock.NextCheckAt = null;
        }
    }

    private async Task<string> CitizenTextAsync(ServiceRequest request, RequestAction action, string? note, DateTime? handlingDue, CancellationToken cancellationToken)
    {
        var number = request.TrackingNumber;
        string? lead = request.LeadUnitId is { } id ? await db.Units.Where(u => u.Id == id).Select(u => u.Name).FirstOrDefaultAsync(cancellationToken) : null;
        var due = handlingDue is { } d ? $"，办理时限至{WorkingCalendar.LocalTime(d).AddTicks(-1):M月d日}" : "";
        return action switch
        {
            RequestAction.Dispatch => $"您的诉求（{number}）已派至{lead}办理{due}。",
            RequestAction.Accept => $"{lead}已接收您的诉求（{number}），正在办理。",
            RequestAction.Reply or RequestAction.FollowMaster => $"您的诉求（{number}）已办理答复，请查看结果并评价。",
            RequestAction.Merge => $"您的诉求（{number}）已与同类诉求合并办理，结果将一并告知。",
            RequestAction.Cancel => $"您的诉求（{number}）已作废：{note}",
            RequestAction.RateSatisfied or RequestAction.RateBasicallySatisfied => $"感谢您的评价，诉求（{number}）已办结。",
            RequestAction.RateDissatisfied => $"您的诉求（{number}）已重新交办{lead}{due}，我们将继续跟进。",
            RequestAction.AutoClose => $"您的诉求（{number}）评价期已满，已办结。",
            RequestAction.ApproveExtension => $"您的诉求（{number}）办理时限已延长：{note}",
            RequestAction.Suspend => $"您的诉求（{number}）暂停计时：{note}",
            RequestAction.Resume => $"您的诉求（{number}）已恢复计时办理。",
            _ => $"您的诉求（{number}）有新进展。",
        };
    }
}
