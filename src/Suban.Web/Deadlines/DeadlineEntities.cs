using Suban.Core.Deadlines;

namespace Suban.Web.Deadlines;

/// <summary>
/// One running limit on a request, answered for by one unit. The worker finds clocks by <see cref="NextCheckAt"/>
/// (the next ladder step), so a pass over a million open requests reads only those that are due.
/// </summary>
public sealed class RequestClock
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public ClockKind Kind { get; set; }

    /// <summary>The unit answerable for it: the platform for dispatch and follow-up, the lead unit otherwise.</summary>
    public int UnitId { get; set; }

    public ClockBasis Basis { get; set; }

    /// <summary>The limit it started with (hours or working days, by <see cref="Basis"/>).</summary>
    public double LimitAmount { get; set; }

    /// <summary>Approved extensions, in the same units.</summary>
    public double Extended { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime WarnAt { get; set; }

    public DateTime DueAt { get; set; }

    /// <summary>When the reminder goes up to the supervising platform.</summary>
    public DateTime EscalateAt { get; set; }

    public ClockStatus Status { get; set; }

    public DateTime? PausedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>Steps of the reminder ladder taken (0–3). A concurrency token: a step is taken once.</summary>
    public int Step { get; set; }

    /// <summary>It ran out before it stopped; also recorded in <see cref="OverdueRecord"/>.</summary>
    public bool Overdue { get; set; }

    /// <summary>When the worker must look at it next; null when nothing more can happen.</summary>
    public DateTime? NextCheckAt { get; set; }

    /// <summary>The worker pass holding it, until <see cref="ClaimedUntil"/>.</summary>
    public string? ClaimedBy { get; set; }

    public DateTime? ClaimedUntil { get; set; }

    public long? SupervisionOrderId { get; set; }

    public SupervisionOrder? SupervisionOrder { get; set; }
}

/// <summary>A limit that ran out, counted against the unit for good, even if the request is resolved later.</summary>
public sealed class OverdueRecord
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public long ClockId { get; set; }

    public RequestClock? Clock { get; set; }

    public int UnitId { get; set; }

    public ClockKind Kind { get; set; }

    public DateTime DueAt { get; set; }

    public DateTime RecordedAt { get; set; }
}

/// <summary>A reminder (催办) sent to a unit: a ladder step of a clock (once each), or by a supervisor's hand.</summary>
public sealed class Reminder
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    /// <summary>The clock whose ladder it climbs; null for a reminder by hand.</summary>
    public long? ClockId { get; set; }

    public ReminderLevel Level { get; set; }

    /// <summary>Who is reminded: the unit, its head (same unit id) or the supervising platform.</summary>
    public int UnitId { get; set; }

    public DateTime At { get; set; }

    public string? ByUserId { get; set; }

    public string? Note { get; set; }

    /// <summary>Passed over while the workers were away: marked, not sent.</summary>
    public bool Skipped { get; set; }
}

public enum SupervisionStatus
{
    Open,
    Answered,

    /// <summary>The unit it was addressed to no longer leads the request (returned, dispatched elsewhere,
    /// cancelled or merged): there is no one to answer it, and a supervisor may issue a new one to the new lead.</summary>
    Withdrawn,
}

/// <summary>A supervision order (督办): a formal order to a unit, with its own deadline and record.</summary>
public sealed class SupervisionOrder
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public int UnitId { get; set; }

    public required string Text { get; set; }

    public DateTime IssuedAt { get; set; }

    public string? IssuedByUserId { get; set; }

    public DateTime DueAt { get; set; }

    public SupervisionStatus Status { get; set; }

    public DateTime? AnsweredAt { get; set; }

    public string? Answer { get; set; }
}

public enum ExtensionStatus
{
    Pending,
    Approved,
    Refused,

    /// <summary>Its handling clock ended before anyone decided (the unit replied, returned the request, or it was
    /// dispatched elsewhere, cancelled or merged): nothing is left to extend.</summary>
    Lapsed,
}

/// <summary>The one definition of an extension waiting for a decision, for every desk that counts or lists them.</summary>
internal static class ExtensionQueries
{
    /// <summary>Pending, on a handling clock still counting (running, or stood still by a suspension); one left
    /// pending on a clock that has ended waits for no one.</summary>
    public static IQueryable<ExtensionRequest> Waiting(Data.SubanDb db) =>
        db.ExtensionRequests.Where(x => x.Status == ExtensionStatus.Pending
            && db.Clocks.Any(c => c.Id == x.ClockId && (c.Status == ClockStatus.Running || c.Status == ClockStatus.Paused)));
}

/// <summary>A unit's request for more time on a handling clock, and the decision on it.</summary>
public sealed class ExtensionRequest
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public long ClockId { get; set; }

    public int UnitId { get; set; }

    public int Days { get; set; }

    public required string Reason { get; set; }

    public DateTime RequestedAt { get; set; }

    public string? RequestedByUserId { get; set; }

    public ExtensionStatus Status { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedByUserId { get; set; }

    public string? DecisionNote { get; set; }
}

/// <summary>An administrator's entry in the working calendar: a holiday or a make-up working day.</summary>
public sealed class CalendarEntry
{
    public DateOnly Date { get; set; }

    public DayKind Kind { get; set; }

    public string? Name { get; set; }

    public DateTime UpdatedAt { get; set; }
}
