namespace Suban.Core.Lifecycle;

/// <summary>Where a request stands. Labels for people live in the UI resources, not here.</summary>
public enum RequestState
{
    Submitted,
    Dispatched,
    InProgress,
    Replied,
    Reopened,
    Returned,
    Closed,
    Cancelled,

    /// <summary>Merged into another request (并案): it follows that one and gets its reply.</summary>
    Merged,
}

public enum RequestAction
{
    Submit,
    /// <summary>The platform matched the text to a matter and queued the request for review (no change of state).</summary>
    Route,
    Forward,
    Dispatch,
    Cancel,
    Merge,
    /// <summary>The request it was merged into was replied to: the same reply reaches this citizen.</summary>
    FollowMaster,
    Accept,
    Handle,
    ReportPart,
    Return,
    Reply,
    RateSatisfied,
    RateBasicallySatisfied,
    RateDissatisfied,
    AutoClose,

    // Time limits: none of these changes the state; they move or stop the clocks and answer for them.

    /// <summary>The lead unit asks for more time (延期申请), with a reason and a number of working days.</summary>
    RequestExtension,
    ApproveExtension,
    RefuseExtension,

    /// <summary>The lead unit stops the handling clock (挂起), e.g. waiting for the citizen.</summary>
    Suspend,
    Resume,

    /// <summary>A reminder (催办): automatic, climbing level by level, or by a supervisor's hand.</summary>
    Remind,

    /// <summary>A supervision order (督办) with its own deadline.</summary>
    Supervise,
    AnswerSupervision,

    /// <summary>A time limit ran out; recorded against the unit for good.</summary>
    Overdue,
}

/// <summary>Who acts. <see cref="System"/> is the platform itself (workers, automatic dispatch).</summary>
public enum Role
{
    Citizen,
    CallTaker,
    Dispatcher,
    Handler,
    Supervisor,
    Analyst,
    CatalogueEditor,
    Administrator,
    System,
}

/// <summary>For a handler, which assignment on the request entitles it to act.</summary>
public enum HandlerPart
{
    None,
    Lead,
    CoHandler,
}

public enum RequestType
{
    Consultation,
    Complaint,
    Suggestion,
    Help,
}

public enum Urgency
{
    Urgent,
    Fast,
    Normal,
}

public enum Channel
{
    Web,
    Mobile,
    WeChat,
    Hotline,
    ServiceCentre,
    Email,
    Open311,
    DepartmentSystem,
    BulkImport,

    /// <summary>A data-driven event (大数据事件工单): the platform's own request about a hotspot its data showed.</summary>
    DataDriven,
}

public enum Rating
{
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

public static class Channels
{
    /// <summary>Channels a citizen reaches by themselves; the others are staffed or system channels.</summary>
    public static bool IsSelfService(Channel channel) => channel is Channel.Web or Channel.Mobile or Channel.WeChat;
}
