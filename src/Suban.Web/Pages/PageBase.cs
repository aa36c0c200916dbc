using Microsoft.AspNetCore.Components;
using Suban.Core.Lifecycle;

namespace Suban.Web.Pages;

/// <summary>What every page knows: its language (Simplified Chinese first, English on ?lang=en) and who is looking.</summary>
public abstract class PageBase : ComponentBase
{
    [Parameter]
    public string Lang { get; set; } = "zh";

    [Parameter]
    public IReadOnlyList<string> Roles { get; set; } = [];

    protected bool En => Lang == "en";

    /// <summary>The text in the page's language.</summary>
    protected string T(string chinese, string english) => En ? english : chinese;

    /// <summary>A local link that keeps the language.</summary>
    protected string Href(string path) => En ? path + (path.Contains('?') ? "&" : "?") + "lang=en" : path;

    protected string StateName(RequestState state) => PageText.State(state, En);

    protected static string Local(DateTimeOffset? at) => at is { } t ? t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm") : "";
}

public static class PageText
{
    public static string State(RequestState state, bool en) => (state, en) switch
    {
        (RequestState.Submitted, false) => "待分拨",
        (RequestState.Dispatched, false) => "已派单",
        (RequestState.InProgress, false) => "办理中",
        (RequestState.Returned, false) => "已退回",
        (RequestState.Replied, false) => "已答复",
        (RequestState.Reopened, false) => "重新办理",
        (RequestState.Closed, false) => "已办结",
        (RequestState.Cancelled, false) => "已撤销",
        (RequestState.Merged, false) => "已并案",
        (var s, false) => s.ToString(),
        (var s, true) => System.Text.RegularExpressions.Regex.Replace(s.ToString(), "(?<!^)([A-Z])", " $1").ToLowerInvariant(),
    };

    public static string Type(RequestType type, bool en) => (type, en) switch
    {
        (RequestType.Consultation, false) => "咨询",
        (RequestType.Complaint, false) => "投诉",
        (RequestType.Suggestion, false) => "建议",
        (RequestType.Help, false) => "求助",
        (var t, _) => t.ToString().ToLowerInvariant(),
    };
}
