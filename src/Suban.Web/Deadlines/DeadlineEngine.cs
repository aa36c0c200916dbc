using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Notifications;

namespace Suban.Web.Deadlines;

/// <summary>
/// One pass of the reminder ladder: claim the clocks whose next step is due (a bounded batch, see
/// <see cref="Claims"/>), and for each, in its own transaction, take the step: remind the unit at the warning,
/// record the overdue and remind its head when the limit runs out, and remind the supervising platform after
/// that. A step is taken once: <see cref="RequestClock.Step"/> is a concurrency token and reminders are unique
/// per clock and level. A clock that fails is left for its claim to lapse; the others go on.
/// </summary>
internal sealed class DeadlineEngine(SubanDb db, Outbox outbox, TimeProvider clock, IOptions<DeadlineOptions> options, ILogger<DeadlineEngine> logger)
{
    public sealed record PassResult(int Claimed, int Reminded, int Overdue, int Failed);

    public async Task<PassResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = Claims.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await Claims.ClaimAsync(db, "request_clocks", "next_check_at", nameof(ClockStatus.Running), token, now, settings.Lease, settings.BatchSize, cancellationToken);
        int reminded = 0, overdue = 0, failed = 0;
        foreach (var id in claimed)
        {
            try
            {
                db.ChangeTracker.Clear();
                var (sent, late) = await StepAsync(id, token, now, cancellationToken);
                reminded += sent ? 1 : 0;
                overdue += late ? 1 : 0;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another pass took this step after our claim lapsed: nothing to do.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                logger.LogError(e, "Deadline step failed for clock {ClockId}; it is retried when its claim lapses", id);
            }
        }

        return new PassResult(claimed.Count, reminded, overdue, failed);
    }

    private async Task<(bool Sent, bool Overdue)> StepAsync(long id, string token, DateTime now, CancellationToken cancellationToken)
    {
        var timer = await db.Clocks.FirstOrDefaultAsync(c => c.Id == id && c.ClaimedBy == token, cancellationToken);
        if (timer is null)
        {
            return (false, false);
        }

        timer.ClaimedBy = null;
        timer.ClaimedUntil = null;
        if (timer.Status != ClockStatus.Running)
        {
            timer.NextCheckAt = null;
            await db.SaveChangesAsync(cancellationToken);
            return (false, false);
        }

        var step = ReminderLadder.Advance(timer.Step, timer.WarnAt, timer.DueAt, timer.EscalateAt, now);
        timer.NextCheckAt = step.NextCheck;
        if (step.Step == timer.Step)
        {
            await db.SaveChangesAsync(cancellationToken);
            return (false, false);
        }

        var request = await db.Requests.FirstAsync(r => r.Id == timer.RequestId, cancellationToken);
        var what = Describe(timer.Kind);
        if (step.RecordOverdue)
        {
            timer.Overdue = true;
            db.OverdueRecords.Add(new OverdueRecord { RequestId = request.Id, ClockId = timer.Id, UnitId = timer.UnitId, Kind = timer.Kind, DueAt = timer.DueAt, RecordedAt = now });
            AddEvent(request, RequestAction.Overdue, now, $"{what}超期（时限{Local(timer.DueAt)}）");
        }

        foreach (var skipped in step.Skipped)
        {
            db.Reminders.Add(new Reminder { RequestId = request.Id, ClockId = timer.Id, Level = skipped, UnitId = timer.UnitId, At = now, Skipped = true });
        }

        if (step.Send is { } level)
        {
            var target = level == ReminderLevel.Platform ? await SupervisorOfAsync(timer, request, cancellationToken) : timer.UnitId;
            var text = level switch
            {
                ReminderLevel.Unit => $"催办：工单{request.TrackingNumber}{what}将于{Local(timer.DueAt)}到期，请抓紧办理。",
                ReminderLevel.Head => $"催办（负责人）：工单{request.TrackingNumber}{what}已于{Local(timer.DueAt)}超期，请督促办理。",
                _ => $"逐级催办：下级单位工单{request.TrackingNumber}{what}超期未办，请督促。",
            };
            db.Reminders.Add(new Reminder { RequestId = request.Id, ClockId = timer.Id, Level = level, UnitId = target, At = now, Note = text });
            AddEvent(request, RequestAction.Remind, now, text);
            await outbox.ToUnitAsync(target, request.Id, nameof(RequestAction.Remind), text, now, head: level == ReminderLevel.Head, cancellationToken);
        }

        timer.Step = step.Step;
        await db.SaveChangesAsync(cancellationToken);
        return (step.Send is not null, step.RecordOverdue);
    }

    /// <summary>Who supervises the answerable unit: for a platform's own clocks the platform above it; for a unit's,
    /// the platform that dispatched the request.</summary>
    private async Task<int> SupervisorOfAsync(RequestClock timer, ServiceRequest request, CancellationToken cancellationToken)
    {
        if (timer.Kind is ClockKind.Dispatch or ClockKind.FollowUp)
        {
            var unit = await db.Units.AsNoTracking().FirstAsync(u => u.Id == timer.UnitId, cancellationToken);
            return unit.Kind == UnitKind.CityPlatform || unit.ParentId is null ? unit.Id : unit.ParentId.Value;
        }

        return request.PlatformUnitId;
    }

    private void AddEvent(ServiceRequest request, RequestAction action, DateTime now, string note) =>
        db.Events.Add(new RequestEvent
        {
            RequestId = request.Id,
            At = now,
            Action = action,
            FromState = request.State,
            ToState = request.State,
            ActorRole = Role.System,
            Note = note,
            IsPublic = false,
        });

    internal static string Describe(ClockKind kind) => kind switch
    {
        ClockKind.Dispatch => "分拨",
        ClockKind.Accept => "签收",
        ClockKind.Handling => "办理",
        ClockKind.FollowUp => "回访",
        _ => "督办",
    };

    /// <summary>A deadline as people say it: a working-day limit ends "on the 3rd at 24:00", not "on the 4th at 00:00".</summary>
    internal static string Local(DateTime utc)
    {
        var local = WorkingCalendar.LocalTime(utc);
        return local.TimeOfDay == TimeSpan.Zero ? $"{local.AddDays(-1):M月d日} 24:00" : $"{local:M月d日 HH:mm}";
    }
}

internal sealed class DeadlineWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<DeadlineOptions> options, ILogger<DeadlineWorker> logger)
    : PollingWorker(scopes, clock, logger)
{
    protected override bool Enabled => options.Value.RunWorker;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string PassName => "Deadline pass";

    /// <summary>A full batch means more is due: go on at once, one bounded batch after another.</summary>
    protected override async Task<bool> RunPassAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<DeadlineEngine>().RunOnceAsync(cancellationToken);
        if (result.Reminded + result.Overdue + result.Failed > 0)
        {
            logger.LogInformation("Deadline pass: {Reminded} reminders, {Overdue} overdue, {Failed} failed", result.Reminded, result.Overdue, result.Failed);
        }

        return result.Claimed >= options.Value.BatchSize;
    }
}
