using Suban.Core.Lifecycle;

namespace Suban.Core.Tests;

/// <summary>
/// The lifecycle written out a second time, by hand, as the spec: every (state, action) pair not listed here
/// must be refused. A change to the table that is not also made here fails.
/// </summary>
public sealed class LifecycleTests
{
    private static readonly Dictionary<(RequestState, RequestAction), (RequestState To, Role[] Roles)> Spec = new()
    {
        [(RequestState.Submitted, RequestAction.Route)] = (RequestState.Submitted, [Role.System]),
        [(RequestState.Submitted, RequestAction.Forward)] = (RequestState.Submitted, [Role.Dispatcher, Role.System]),
        [(RequestState.Returned, RequestAction.Forward)] = (RequestState.Submitted, [Role.Dispatcher, Role.System]),
        [(RequestState.Submitted, RequestAction.Dispatch)] = (RequestState.Dispatched, [Role.Dispatcher, Role.System]),
        [(RequestState.Returned, RequestAction.Dispatch)] = (RequestState.Dispatched, [Role.Dispatcher, Role.System]),
        [(RequestState.Submitted, RequestAction.Cancel)] = (RequestState.Cancelled, [Role.Dispatcher]),
        [(RequestState.Returned, RequestAction.Cancel)] = (RequestState.Cancelled, [Role.Dispatcher]),
        [(RequestState.Submitted, RequestAction.Merge)] = (RequestState.Merged, [Role.Dispatcher]),
        [(RequestState.Returned, RequestAction.Merge)] = (RequestState.Merged, [Role.Dispatcher]),
        [(RequestState.Merged, RequestAction.FollowMaster)] = (RequestState.Replied, [Role.System]),
        [(RequestState.Dispatched, RequestAction.Accept)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.Accept)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.Handle)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Dispatched, RequestAction.ReportPart)] = (RequestState.Dispatched, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.ReportPart)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.ReportPart)] = (RequestState.Reopened, [Role.Handler]),
        [(RequestState.Dispatched, RequestAction.Return)] = (RequestState.Returned, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.Return)] = (RequestState.Returned, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.Return)] = (RequestState.Returned, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.Reply)] = (RequestState.Replied, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.Reply)] = (RequestState.Replied, [Role.Handler]),
        [(RequestState.Replied, RequestAction.RateSatisfied)] = (RequestState.Closed, [Role.Citizen, Role.CallTaker]),
        [(RequestState.Replied, RequestAction.RateBasicallySatisfied)] = (RequestState.Closed, [Role.Citizen, Role.CallTaker]),
        [(RequestState.Replied, RequestAction.RateDissatisfied)] = (RequestState.Reopened, [Role.Citizen, Role.CallTaker]),
        [(RequestState.Replied, RequestAction.AutoClose)] = (RequestState.Closed, [Role.System]),

        // Time limits: the state stays.
        [(RequestState.Dispatched, RequestAction.RequestExtension)] = (RequestState.Dispatched, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.RequestExtension)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.RequestExtension)] = (RequestState.Reopened, [Role.Handler]),
        [(RequestState.Dispatched, RequestAction.ApproveExtension)] = (RequestState.Dispatched, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.InProgress, RequestAction.ApproveExtension)] = (RequestState.InProgress, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.Reopened, RequestAction.ApproveExtension)] = (RequestState.Reopened, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.Dispatched, RequestAction.RefuseExtension)] = (RequestState.Dispatched, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.InProgress, RequestAction.RefuseExtension)] = (RequestState.InProgress, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.Reopened, RequestAction.RefuseExtension)] = (RequestState.Reopened, [Role.Supervisor, Role.Dispatcher]),
        [(RequestState.Dispatched, RequestAction.Suspend)] = (RequestState.Dispatched, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.Suspend)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.Suspend)] = (RequestState.Reopened, [Role.Handler]),
        [(RequestState.Dispatched, RequestAction.Resume)] = (RequestState.Dispatched, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.Resume)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.Resume)] = (RequestState.Reopened, [Role.Handler]),
        [(RequestState.Dispatched, RequestAction.Supervise)] = (RequestState.Dispatched, [Role.Supervisor]),
        [(RequestState.InProgress, RequestAction.Supervise)] = (RequestState.InProgress, [Role.Supervisor]),
        [(RequestState.Reopened, RequestAction.Supervise)] = (RequestState.Reopened, [Role.Supervisor]),
        [(RequestState.Dispatched, RequestAction.AnswerSupervision)] = (RequestState.Dispatched, [Role.Handler]),
        [(RequestState.InProgress, RequestAction.AnswerSupervision)] = (RequestState.InProgress, [Role.Handler]),
        [(RequestState.Reopened, RequestAction.AnswerSupervision)] = (RequestState.Reopened, [Role.Handler]),
        [(RequestState.Replied, RequestAction.AnswerSupervision)] = (RequestState.Replied, [Role.Handler]),
        [(RequestState.Closed, RequestAction.AnswerSupervision)] = (RequestState.Closed, [Role.Handler]),
        [(RequestState.Submitted, RequestAction.Remind)] = (RequestState.Submitted, [Role.Supervisor, Role.System]),
        [(RequestState.Returned, RequestAction.Remind)] = (RequestState.Returned, [Role.Supervisor, Role.System]),
        [(RequestState.Dispatched, RequestAction.Remind)] = (RequestState.Dispatched, [Role.Supervisor, Role.System]),
        [(RequestState.InProgress, RequestAction.Remind)] = (RequestState.InProgress, [Role.Supervisor, Role.System]),
        [(RequestState.Reopened, RequestAction.Remind)] = (RequestState.Reopened, [Role.Supervisor, Role.System]),
        [(RequestState.Replied, RequestAction.Remind)] = (RequestState.Replied, [Role.Supervisor, Role.System]),
        [(RequestState.Submitted, RequestAction.Overdue)] = (RequestState.Submitted, [Role.System]),
        [(RequestState.Returned, RequestAction.Overdue)] = (RequestState.Returned, [Role.System]),
        [(RequestState.Dispatched, RequestAction.Overdue)] = (RequestState.Dispatched, [Role.System]),
        [(RequestState.InProgress, RequestAction.Overdue)] = (RequestState.InProgress, [Role.System]),
        [(RequestState.Reopened, RequestAction.Overdue)] = (RequestState.Reopened, [Role.System]),
        [(RequestState.Replied, RequestAction.Overdue)] = (RequestState.Replied, [Role.System]),
    };

    public static TheoryData<RequestState, RequestAction, Role> EveryStateActionRole()
    {
        var data = new TheoryData<RequestState, RequestAction, Role>();
        foreach (var state in Enum.GetValues<RequestState>())
        {
            foreach (var action in Enum.GetValues<RequestAction>())
            {
                foreach (var role in Enum.GetValues<Role>())
                {
                    data.Add(state, action, role);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateActionRole))]
    public void Decide_EveryStateActionAndRole_MatchesTheSpec(RequestState state, RequestAction action, Role role)
    {
        var decision = RequestLifecycle.Decide(state, action, role);
        var rolesEverAllowed = Spec.Where(s => s.Key.Item2 == action).SelectMany(s => s.Value.Roles).ToHashSet();

        if (Spec.TryGetValue((state, action), out var expected) && expected.Roles.Contains(role))
        {
            decision.Outcome.ShouldBe(DecisionOutcome.Allowed);
            decision.Transition!.To.ShouldBe(expected.To);
        }
        else if (rolesEverAllowed.Contains(role))
        {
            decision.Outcome.ShouldBe(DecisionOutcome.IllegalInState);
            decision.Transition.ShouldBeNull();
        }
        else
        {
            decision.Outcome.ShouldBe(DecisionOutcome.RoleNotAllowed);
        }
    }

    [Fact]
    public void Table_HasNoRowTheSpecLacks()
    {
        RequestLifecycle.Table.Select(t => (t.From, t.Action)).ToHashSet().SetEquals(Spec.Keys).ShouldBeTrue();
    }

    [Fact]
    public void Table_OneRowPerStateAndAction()
    {
        RequestLifecycle.Table.GroupBy(t => (t.From, t.Action)).ShouldAllBe(g => g.Count() == 1);
    }

    [Theory]
    [InlineData(RequestAction.Return)]
    [InlineData(RequestAction.Cancel)]
    [InlineData(RequestAction.Reply)]
    [InlineData(RequestAction.ReportPart)]
    [InlineData(RequestAction.Handle)]
    public void Table_ActionsThatMustSayWhy_RequireANote(RequestAction action)
    {
        RequestLifecycle.Table.Where(t => t.Action == action).ShouldAllBe(t => t.RequiresNote);
    }

    [Theory]
    [InlineData(RequestAction.Return, false)]
    [InlineData(RequestAction.ReportPart, false)]
    [InlineData(RequestAction.Handle, false)]
    [InlineData(RequestAction.Forward, false)]
    [InlineData(RequestAction.Dispatch, true)]
    [InlineData(RequestAction.Accept, true)]
    [InlineData(RequestAction.Reply, true)]
    [InlineData(RequestAction.RateDissatisfied, true)]
    public void Table_EventVisibilityToCitizens(RequestAction action, bool isPublic)
    {
        RequestLifecycle.Table.Where(t => t.Action == action).ShouldAllBe(t => t.IsPublic == isPublic);
    }

    [Theory]
    [InlineData(RequestAction.Accept, HandlerPart.Lead)]
    [InlineData(RequestAction.Reply, HandlerPart.Lead)]
    [InlineData(RequestAction.Return, HandlerPart.Lead)]
    [InlineData(RequestAction.Handle, HandlerPart.Lead)]
    [InlineData(RequestAction.ReportPart, HandlerPart.CoHandler)]
    public void Table_HandlerActions_NameTheAssignmentNeeded(RequestAction action, HandlerPart part)
    {
        RequestLifecycle.Table.Where(t => t.Action == action).ShouldAllBe(t => t.Part == part);
    }

    [Theory]
    [InlineData(RequestState.Closed, true)]
    [InlineData(RequestState.Cancelled, true)]
    [InlineData(RequestState.Replied, false)]
    [InlineData(RequestState.Merged, false)]
    [InlineData(RequestState.Submitted, false)]
    public void IsTerminal_OnlyClosedAndCancelled(RequestState state, bool terminal)
    {
        RequestLifecycle.IsTerminal(state).ShouldBe(terminal);
    }

    [Fact]
    public void EveryState_IsReachableFromSubmitted()
    {
        var reached = new HashSet<RequestState> { RequestLifecycle.Initial };
        var frontier = new Queue<RequestState>(reached);
        while (frontier.TryDequeue(out var state))
        {
            foreach (var next in RequestLifecycle.Table.Where(t => t.From == state).Select(t => t.To))
            {
                if (reached.Add(next))
                {
                    frontier.Enqueue(next);
                }
            }
        }

        reached.ShouldBe(Enum.GetValues<RequestState>(), ignoreOrder: true);
    }

    [Theory]
    [InlineData(Rating.Satisfied, RequestAction.RateSatisfied)]
    [InlineData(Rating.BasicallySatisfied, RequestAction.RateBasicallySatisfied)]
    [InlineData(Rating.Dissatisfied, RequestAction.RateDissatisfied)]
    public void RatingAction_MapsEachRating(Rating rating, RequestAction action)
    {
        RequestLifecycle.RatingAction(rating).ShouldBe(action);
    }
}
