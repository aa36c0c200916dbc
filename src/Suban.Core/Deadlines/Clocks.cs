namespace Suban.Core.Deadlines;

/// <summary>What a clock times, and so who answers for it.</summary>
public enum ClockKind
{
    /// <summary>From intake (or a return) until the platform dispatches: by urgency, round the clock.</summary>
    Dispatch,

    /// <summary>From assignment until the lead unit accepts.</summary>
    Accept,

    /// <summary>From assignment (or reopening) until the lead unit replies: per matter and request type.</summary>
    Handling,

    /// <summary>From the reply until the platform has the citizen's rating (回访).</summary>
    FollowUp,

    /// <summary>A supervision order's own deadline.</summary>
    Supervision,
}

/// <summary>How a limit is measured.</summary>
public enum ClockBasis
{
    /// <summary>Round the clock (dispatch limits).</summary>
    Elapsed,

    /// <summary>Office hours of working days only.</summary>
    WorkingHours,

    /// <summary>Whole working days; the period ends at the close of its last day.</summary>
    WorkingDays,
}

public enum ClockStatus
{
    Running,

    /// <summary>Suspended (挂起): time does not count until it resumes.</summary>
    Paused,

    /// <summary>Its step was done (on time or late: overdue is recorded separately).</summary>
    Stopped,

    /// <summary>Made moot: the request was cancelled, merged, returned or re-dispatched.</summary>
    Cancelled,
}

/// <summary>The colour a countdown shows.</summary>
public enum Warning
{
    None,
    Yellow,
    Red,
}

/// <summary>A time limit: an amount (hours for <see cref="ClockBasis.Elapsed"/> and <see cref="ClockBasis.WorkingHours"/>,
/// days for <see cref="ClockBasis.WorkingDays"/>) and how it is measured.</summary>
public sealed record TimeLimit(ClockBasis Basis, double Amount)
{
    public static TimeLimit Hours(double hours) => new(ClockBasis.Elapsed, hours);

    public static TimeLimit WorkingHours(double hours) => new(ClockBasis.WorkingHours, hours);

    public static TimeLimit WorkingDays(int days) => new(ClockBasis.WorkingDays, days);

    /// <remarks>A start at local midnight opens its day, so working days count from it as from any other time;
    /// only a due time at midnight (which <see cref="Extend"/> expects) closes the day before.</remarks>
    public DateTime DueFrom(DateTime startUtc, WorkingCalendar calendar) => Basis == ClockBasis.WorkingDays
        ? calendar.AddWorkingDays(startUtc, (int)Math.Ceiling(Amount))
        : Extend(Basis, startUtc, Amount, calendar);

    /// <summary><paramref name="dueUtc"/> moved later by <paramref name="amount"/> in <paramref name="basis"/> units.</summary>
    public static DateTime Extend(ClockBasis basis, DateTime dueUtc, double amount, WorkingCalendar calendar)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return basis switch
        {
            ClockBasis.Elapsed => dueUtc.AddHours(amount),
            ClockBasis.WorkingHours => calendar.AddWorkingHours(dueUtc, TimeSpan.FromHours(amount)),
            // A working-day due time is a midnight; the day it closes is the one before it.
            ClockBasis.WorkingDays when IsLocalMidnight(dueUtc) => calendar.AddWorkingDays(dueUtc.AddTicks(-1), (int)Math.Ceiling(amount)),
            ClockBasis.WorkingDays => calendar.AddWorkingDays(dueUtc, (int)Math.Ceiling(amount)),
            _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, null),
        };
    }

    /// <summary>Where <paramref name="dueUtc"/> moves after a suspension from <paramref name="pausedUtc"/> to
    /// <paramref name="resumedUtc"/>: later by the time that would have counted meanwhile.</summary>
    public static DateTime Resume(ClockBasis basis, DateTime dueUtc, DateTime pausedUtc, DateTime resumedUtc, WorkingCalendar calendar)
    {
        if (resumedUtc <= pausedUtc)
        {
            return dueUtc;
        }

        return basis switch
        {
            ClockBasis.Elapsed => dueUtc + (resumedUtc - pausedUtc),
            ClockBasis.WorkingHours => calendar.AddWorkingHours(dueUtc, calendar.WorkingHoursBetween(pausedUtc, resumedUtc)),
            ClockBasis.WorkingDays => Extend(basis, dueUtc, calendar.WorkingDaysBetween(pausedUtc, resumedUtc), calendar),
            _ => throw new ArgumentOutOfRangeException(nameof(basis), basis, null),
        };
    }

    /// <summary>When the yellow warning starts: after <paramref name="share"/> of the span has passed.</summary>
    public static DateTime WarnAt(DateTime startUtc, DateTime dueUtc, double share) =>
        startUtc + TimeSpan.FromTicks((long)((dueUtc - startUtc).Ticks * Math.Clamp(share, 0, 1)));

    public static Warning WarningAt(DateTime nowUtc, DateTime warnAtUtc, DateTime dueUtc) =>
        nowUtc >= dueUtc ? Warning.Red : nowUtc >= warnAtUtc ? Warning.Yellow : Warning.None;

    public override string ToString() => Basis switch
    {
        ClockBasis.Elapsed => $"{Amount:0.##} h",
        ClockBasis.WorkingHours => $"{Amount:0.##} working h",
        _ => $"{Amount:0} working days",
    };

    private static bool IsLocalMidnight(DateTime utc) => WorkingCalendar.LocalTime(utc).TimeOfDay == TimeSpan.Zero;
}

/// <summary>The steps of 逐级催办: each is taken once, in order.</summary>
public enum ReminderLevel
{
    /// <summary>By hand, from a supervisor; outside the ladder.</summary>
    Manual = 0,

    /// <summary>When the warning starts: to the unit.</summary>
    Unit = 1,

    /// <summary>When the limit runs out: to the unit's head; the overdue is recorded.</summary>
    Head = 2,

    /// <summary>Some time after that: to the platform that supervises the unit.</summary>
    Platform = 3,
}

/// <summary>What the engine must do for a clock now.</summary>
/// <param name="Step">The ladder step reached (0 none, 3 the last).</param>
/// <param name="Send">The one reminder to send now, if any. Steps passed while nobody looked (a restart, a long
/// pause of the workers) are marked done without sending: the latest step is the one that matters.</param>
/// <param name="Skipped">Steps passed over without sending.</param>
/// <param name="RecordOverdue">The limit ran out: record it against the unit.</param>
/// <param name="NextCheck">When to look again; null when the ladder is done.</param>
public sealed record LadderStep(int Step, ReminderLevel? Send, IReadOnlyList<ReminderLevel> Skipped, bool RecordOverdue, DateTime? NextCheck);

public static class ReminderLadder
{
    public const int Last = (int)ReminderLevel.Platform;

    /// <summary>When each step falls due for a clock.</summary>
    public static DateTime StepTime(int step, DateTime warnAt, DateTime dueAt, DateTime escalateAt) => step switch
    {
        1 => warnAt,
        2 => dueAt,
        3 => escalateAt,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    public static DateTime? NextCheck(int step, DateTime warnAt, DateTime dueAt, DateTime escalateAt) =>
        step >= Last ? null : StepTime(step + 1, warnAt, dueAt, escalateAt);

    /// <summary>Advances a clock that has taken <paramref name="step"/> steps so far to where it should be at <paramref name="now"/>.</summary>
    public static LadderStep Advance(int step, DateTime warnAt, DateTime dueAt, DateTime escalateAt, DateTime now)
    {
        var reached = step;
        while (reached < Last && StepTime(reached + 1, warnAt, dueAt, escalateAt) <= now)
        {
            reached++;
        }

        if (reached == step)
        {
            return new LadderStep(step, null, [], false, NextCheck(step, warnAt, dueAt, escalateAt));
        }

        var skipped = Enumerable.Range(step + 1, reached - step - 1).Select(s => (ReminderLevel)s).ToList();
        return new LadderStep(
            reached,
            (ReminderLevel)reached,
            skipped,
            RecordOverdue: step < 2 && reached >= 2,
            NextCheck(reached, warnAt, dueAt, escalateAt));
    }
}
