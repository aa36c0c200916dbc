using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;

namespace Suban.Web.Deadlines;

/// <summary>The rules of the clocks. Defaults follow the Shenzhen platform; every one is configurable.</summary>
public sealed class DeadlineOptions
{
    public const string Section = "Deadlines";

    /// <summary>Dispatch limits by urgency, round the clock.</summary>
    public TimeSpan DispatchUrgent { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan DispatchFast { get; set; } = TimeSpan.FromHours(2);

    public TimeSpan DispatchNormal { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a unit has to accept an assignment.</summary>
    public double AcceptHours { get; set; } = 2;

    /// <summary>Whether <see cref="AcceptHours"/> counts office hours only (else round the clock).</summary>
    public bool AcceptInWorkingHours { get; set; } = true;

    /// <summary>Handling limit when the request has no matter yet, in working days.</summary>
    public int DefaultHandlingDays { get; set; } = 5;

    /// <summary>Working days the platform has to get the citizen's rating after a reply (回访).</summary>
    public int FollowUpDays { get; set; } = 2;

    /// <summary>Working days a supervision order gives when the supervisor names none.</summary>
    public int SupervisionDays { get; set; } = 3;

    /// <summary>The share of a limit after which the countdown turns yellow and the unit is reminded.</summary>
    public double WarnAtShare { get; set; } = 0.8;

    /// <summary>How long after running out the reminder goes up to the supervising platform (round the clock).</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The most working days one extension may add.</summary>
    public int MaxExtensionDays { get; set; } = 15;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Clocks one pass claims: bounds the work after a restart, so catching up never storms.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How long a pass holds its claim; a crashed instance's claims lapse after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether this instance runs the worker; tests drive <see cref="DeadlineEngine"/> directly.</summary>
    public bool RunWorker { get; set; } = true;

    public TimeLimit DispatchLimit(Urgency urgency) => TimeLimit.Hours((urgency switch
    {
        Urgency.Urgent => DispatchUrgent,
        Urgency.Fast => DispatchFast,
        _ => DispatchNormal,
    }).TotalHours);

    public TimeLimit AcceptLimit => AcceptInWorkingHours ? TimeLimit.WorkingHours(AcceptHours) : TimeLimit.Hours(AcceptHours);

    public bool IsValid(out string error)
    {
        error = "";
        if (DispatchUrgent <= TimeSpan.Zero || DispatchFast <= TimeSpan.Zero || DispatchNormal <= TimeSpan.Zero || AcceptHours <= 0)
        {
            error = "Dispatch and accept limits must be positive.";
        }
        else if (DefaultHandlingDays < 1 || FollowUpDays < 1 || SupervisionDays < 1 || MaxExtensionDays < 1)
        {
            error = "Day limits must be at least 1.";
        }
        else if (WarnAtShare is <= 0 or >= 1)
        {
            error = "Deadlines:WarnAtShare is a share between 0 and 1.";
        }
        else if (EscalateAfter < TimeSpan.Zero || PollInterval <= TimeSpan.Zero || BatchSize < 1 || Lease <= TimeSpan.Zero)
        {
            error = "Worker settings must be positive.";
        }

        return error.Length == 0;
    }
}
