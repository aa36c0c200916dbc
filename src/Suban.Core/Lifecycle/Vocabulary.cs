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
