namespace Suban.Core.Lifecycle;

/// <summary>One row of the transition table: in <paramref name="From"/>, <paramref name="Action"/> leads to
/// <paramref name="To"/> when taken by one of <paramref name="Roles"/>.</summary>
/// <param name="Part">For handlers, the assignment they must hold on the request.</param>
/// <param name="IsPublic">Whether the event it writes is shown to the citizen.</param>
/// <param name="RequiresNote">Whether the actor must say why (a return, a cancellation) or what (a reply).</param>
public sealed record Transition(
    RequestState From,
    RequestAction Action,
    RequestState To,
    IReadOnlySet<Role> Roles,
    HandlerPart Part,
    bool IsPublic,
    bool RequiresNote);

public enum DecisionOutcome
{
    Allowed,
    /// <summary>The role may never take this action.</summary>
    RoleNotAllowed,
    /// <summary>The action exists for the role but not from the current state.</summary>
    IllegalInState,
}

public sealed record Decision(DecisionOutcome Outcome, Transition? Transition)
{
    public bool IsAllowed => Outcome == DecisionOutcome.Allowed;
}

/// <summary>
/// The request lifecycle: every change of a request goes through <see cref="Decide"/>, so the table below is
/// the whole truth about who may do what, when.
/// </summary>
public static class RequestLifecycle
{
    public const RequestState Initial = RequestState.Submitted;

    private static readonly Role[] Dispatchers = [Role.Dispatcher, Role.System];
    private static readonly Role[] Handlers = [Role.Handler];
    private static readonly Role[] Raters = [Role.Citizen, Role.CallTaker];

    public static IReadOnlyList<Transition> Table { get; } =
    [
        Row(RequestState.Submitted, RequestAction.Route, RequestState.Submitted, [Role.System], isPublic: false),

        // Tiered dispatch: a platform hands the request down to a lower platform, which then dispatches.
        Row(RequestState.Submitted, RequestAction.Forward, RequestState.Submitted, Dispatchers, isPublic: false),
        Row(RequestState.Returned, RequestAction.Forward, RequestState.Submitted, Dispatchers, isPublic: false),
        Row(RequestState.Submitted, RequestAction.Dispatch, RequestState.Dispatched, Dispatchers),
        Row(RequestState.Returned, RequestAction.Dispatch, RequestState.Dispatched, Dispatchers),
        Row(RequestState.Submitted, RequestAction.Cancel, RequestState.Cancelled, [Role.Dispatcher], requiresNote: true),
        Row(RequestState.Returned, RequestAction.Cancel, RequestState.Cancelled, [Role.Dispatcher], requiresNote: true),

        // 并案: a duplicate follows the request it was merged into, and gets its reply to rate.
        Row(RequestState.Submitted, RequestAction.Merge, RequestState.Merged, [Role.Dispatcher]),
        Row(RequestState.Returned, RequestAction.Merge, RequestState.Merged, [Role.Dispatcher]),
        Row(RequestState.Merged, RequestAction.FollowMaster, RequestState.Replied, [Role.System], requiresNote: true),

        Row(RequestState.Dispatched, RequestAction.Accept, RequestState.InProgress, Handlers, HandlerPart.Lead),
        Row(RequestState.Reopened, RequestAction.Accept, RequestState.InProgress, Handlers, HandlerPart.Lead),
        Row(RequestState.InProgress, RequestAction.Handle, RequestState.InProgress, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true),
        Row(RequestState.Dispatched, RequestAction.ReportPart, RequestState.Dispatched, Handlers, HandlerPart.CoHandler, isPublic: false, requiresNote: true),
        Row(RequestState.InProgress, RequestAction.ReportPart, RequestState.InProgress, Handlers, HandlerPart.CoHandler, isPublic: false, requiresNote: true),
        Row(RequestState.Reopened, RequestAction.ReportPart, RequestState.Reopened, Handlers, HandlerPart.CoHandler, isPublic: false, requiresNote: true),
        Row(RequestState.Dispatched, RequestAction.Return, RequestState.Returned, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true),
        Row(RequestState.InProgress, RequestAction.Return, RequestState.Returned, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true),
        Row(RequestState.Reopened, RequestAction.Return, RequestState.Returned, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true),
        Row(RequestState.InProgress, RequestAction.Reply, RequestState.Replied, Handlers, HandlerPart.Lead, requiresNote: true),
        // A reopened request was accepted once already; its unit may answer again straight away.
        Row(RequestState.Reopened, RequestAction.Reply, RequestState.Replied, Handlers, HandlerPart.Lead, requiresNote: true),

        Row(RequestState.Replied, RequestAction.RateSatisfied, RequestState.Closed, Raters),
        Row(RequestState.Replied, RequestAction.RateBasicallySatisfied, RequestState.Closed, Raters),
        Row(RequestState.Replied, RequestAction.RateDissatisfied, RequestState.Reopened, Raters),
        Row(RequestState.Replied, RequestAction.AutoClose, RequestState.Closed, [Role.System]),
        .. ClockRows(),
    ];

    private static readonly Dictionary<(RequestState, RequestAction), Transition> ByStateAndAction =
        Table.ToDictionary(t => (t.From, t.Action));

    private static readonly Dictionary<RequestAction, HashSet<Role>> RolesByAction = Table
        .GroupBy(t => t.Action)
        .ToDictionary(g => g.Key, g => g.SelectMany(t => t.Roles).ToHashSet());

    public static Decision Decide(RequestState state, RequestAction action, Role role)
    {
        if (!RolesByAction.TryGetValue(action, out var roles) || !roles.Contains(role))
        {
            return new Decision(DecisionOutcome.RoleNotAllowed, null);
        }

        return ByStateAndAction.TryGetValue((state, action), out var transition) && transition.Roles.Contains(role)
            ? new Decision(DecisionOutcome.Allowed, transition)
            : new Decision(DecisionOutcome.IllegalInState, null);
    }

    /// <summary>The roles that may take <paramref name="action"/> from some state.</summary>
    public static IReadOnlySet<Role> RolesFor(RequestAction action) =>
        RolesByAction.TryGetValue(action, out var roles) ? roles : new HashSet<Role>();

    /// <summary>The actions open from <paramref name="state"/> to <paramref name="role"/>; drives the buttons a page shows.</summary>
    public static IEnumerable<RequestAction> ActionsFrom(RequestState state, Role role) =>
        Table.Where(t => t.From == state && t.Roles.Contains(role)).Select(t => t.Action);

    /// <summary>No action moves a request out of <paramref name="state"/> (answering a supervision order on a closed
    /// request leaves it closed).</summary>
    public static bool IsTerminal(RequestState state) => !Table.Any(t => t.From == state && t.To != state);

    public static RequestAction RatingAction(Rating rating) => rating switch
    {
        Rating.Satisfied => RequestAction.RateSatisfied,
        Rating.BasicallySatisfied => RequestAction.RateBasicallySatisfied,
        Rating.Dissatisfied => RequestAction.RateDissatisfied,
        _ => throw new ArgumentOutOfRangeException(nameof(rating), rating, null),
    };

    /// <summary>Time-limit actions leave the state as it is; the table still says who may take them, and when.</summary>
    private static IEnumerable<Transition> ClockRows()
    {
        RequestState[] handling = [RequestState.Dispatched, RequestState.InProgress, RequestState.Reopened];
        RequestState[] open = [RequestState.Submitted, RequestState.Returned, .. handling, RequestState.Replied];
        Role[] deciders = [Role.Supervisor, Role.Dispatcher];
        foreach (var state in handling)
        {
            yield return Row(state, RequestAction.RequestExtension, state, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true);
            yield return Row(state, RequestAction.ApproveExtension, state, deciders);
            yield return Row(state, RequestAction.RefuseExtension, state, deciders, isPublic: false, requiresNote: true);
            yield return Row(state, RequestAction.Suspend, state, Handlers, HandlerPart.Lead, requiresNote: true);
            yield return Row(state, RequestAction.Resume, state, Handlers, HandlerPart.Lead);
            yield return Row(state, RequestAction.Supervise, state, [Role.Supervisor], isPublic: false, requiresNote: true);
        }

        foreach (var state in (RequestState[])[.. handling, RequestState.Replied, RequestState.Closed])
        {
            yield return Row(state, RequestAction.AnswerSupervision, state, Handlers, HandlerPart.Lead, isPublic: false, requiresNote: true);
        }

        foreach (var state in open)
        {
            yield return Row(state, RequestAction.Remind, state, [Role.Supervisor, Role.System], isPublic: false);
            yield return Row(state, RequestAction.Overdue, state, [Role.System], isPublic: false);
        }
    }

    private static Transition Row(
        RequestState from,
        RequestAction action,
        RequestState to,
        IEnumerable<Role> roles,
        HandlerPart part = HandlerPart.None,
        bool isPublic = true,
        bool requiresNote = false) =>
        new(from, action, to, roles.ToHashSet(), part, isPublic, requiresNote);
}
