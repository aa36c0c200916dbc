using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Requests;

namespace Suban.Web.Pages;

/// <summary>A request as the desks and the portal show it.</summary>
public sealed record RequestCard(
    string TrackingNumber,
    RequestType Type,
    string Title,
    string Description,
    RequestState State,
    Urgency Urgency,
    string? Address,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? DueAt,
    Warning Warning,
    string? LeadUnitName,
    bool IsLead,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<SuggestionOption> Suggestions,
    IReadOnlyList<Duplicates.DuplicateCandidate>? Duplicates = null,
    bool Disputed = false,
    IReadOnlyList<int>? Photos = null);

/// <summary>One of the model's matters for a request, with the units the responsibility list names for it there.</summary>
public sealed record SuggestionOption(string MatterCode, string MatterName, double Probability, string? LeadUnitCode, IReadOnlyList<string> CoUnitCodes);

public sealed record UnitOption(string Code, string Name);

/// <summary>A unit-desk card's time limits: whether the handling clock runs or stands, an extension waiting for a
/// decision, and the supervision orders the unit has still to answer.</summary>
public sealed record UnitDeskTime(bool Running, bool Paused, int? PendingExtensionDays, IReadOnlyList<OpenOrder> Orders)
{
    public static readonly UnitDeskTime None = new(false, false, null, []);
}

public sealed record OpenOrder(long Id, string Text, DateTimeOffset DueAt);

public static class TimelineText
{
    public static string Action(RequestAction action, bool en) => (action, en) switch
    {
        (RequestAction.Submit, false) => "提交诉求",
        (RequestAction.Route, false) => "智能分拨",
        (RequestAction.Forward, false) => "转下级平台",
        (RequestAction.Dispatch, false) => "派单",
        (RequestAction.Cancel, false) => "撤销",
        (RequestAction.Merge, false) => "并案",
        (RequestAction.FollowMaster, false) => "随主单答复",
        (RequestAction.Accept, false) => "签收",
        (RequestAction.Handle, false) => "办理",
        (RequestAction.ReportPart, false) => "协办回复",
        (RequestAction.Return, false) => "退回",
        (RequestAction.Reply, false) => "答复",
        (RequestAction.RateSatisfied, false) => "评价：满意",
        (RequestAction.RateBasicallySatisfied, false) => "评价：基本满意",
        (RequestAction.RateDissatisfied, false) => "评价：不满意，重新办理",
        (RequestAction.AutoClose, false) => "自动办结",
        (RequestAction.RequestExtension, false) => "申请延期",
        (RequestAction.ApproveExtension, false) => "同意延期",
        (RequestAction.RefuseExtension, false) => "不同意延期",
        (RequestAction.Suspend, false) => "挂起",
        (RequestAction.Resume, false) => "恢复办理",
        (RequestAction.Remind, false) => "催办",
        (RequestAction.Supervise, false) => "督办",
        (RequestAction.AnswerSupervision, false) => "督办回复",
        (RequestAction.Overdue, false) => "超期",
        (var a, _) => System.Text.RegularExpressions.Regex.Replace(a.ToString(), "(?<!^)([A-Z])", " $1").ToLowerInvariant(),
    };
}
