using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Requests;

/// <summary>What became of an attempted change; endpoints turn it into HTTP with <see cref="ToHttp"/>.</summary>
internal abstract record Outcome
{
    public sealed record Done(ServiceRequest Request, RequestEvent Event) : Outcome;

    public sealed record NotFound : Outcome;

    public sealed record Forbidden(string Detail) : Outcome;

    public sealed record Illegal(RequestState State, RequestAction Action) : Outcome;

    public sealed record Invalid(string Field, string Message) : Outcome;

    public sealed record Stale : Outcome;

    public IResult ToHttp(Func<Done, IResult> onDone) => this switch
    {
        Done done => onDone(done),
        NotFound => Problems.NotFound("trackingNumber", "No request with this tracking number is visible to you."),
        Forbidden f => Problems.Forbidden(f.Detail),
        Illegal i => Problems.Conflict(
            $"'{i.Action}' is not possible while the request is '{i.State}'.",
            ProblemTypes.IllegalTransition,
            new Dictionary<string, object?> { ["state"] = i.State.ToString(), ["action"] = i.Action.ToString() }),
        Invalid v => Problems.Field(v.Field, v.Message),
        Stale => Problems.Conflict("The request changed while you were acting on it; load it again and retry."),
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>
/// The only way a request changes state: find it (as the actor may see it), ask the lifecycle table, check the
/// actor's part in it, apply the effect, append the event, and save under optimistic concurrency.
/// </summary>
internal sealed class RequestWorkflow(SubanDb db, TimeProvider clock, Deadlines.ClockKeeper clocks)
{
    public delegate Outcome? Effect(ServiceRequest request, DateTime now);

    public async Task<Outcome> ApplyAsync(
        Actor actor,
        string trackingNumber,
        RequestAction action,
        string? note,
        Effect? effect = null,
        string noteField = "note",
        CancellationToken cancellationToken = default)
    {
        var query = await db.Requests.Include(r => r.Assignments.Where(a => a.IsActive)).VisibleTo(db, actor, cancellationToken);
        var request = await query.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound();
        }

        return await ApplyAsync(actor, request, action, note, effect, noteField, cancellationToken);
    }

    public async Task<Outcome> ApplyAsync(
        Actor actor,
        ServiceRequest request,
        RequestAction action,
        string? note,
        Effect? effect = null,
        string noteField = "note",
        CancellationToken cancellationToken = default)
    {
        if (actor.RoleFor(action) is not { } role)
        {
            return new Outcome.Forbidden($"Your role may not {action} requests.");
        }

        var decision = RequestLifecycle.Decide(request.State, action, role);
        if (!decision.IsAllowed)
        {
            return new Outcome.Illegal(request.State, action);
        }

        var transition = decision.Transition!;
        if (PartCheck(actor, role, request, transition) is { } refusal)
        {
            return refusal;
        }

        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (transition.RequiresNote && note is null)
        {
            return new Outcome.Invalid(noteField, $"Say why or what: '{noteField}' is required for {action}.");
        }

        if (note is { Length: > 10_000 })
        {
            return new Outcome.Invalid(noteField, $"'{noteField}' may be at most 10,000 characters.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (effect?.Invoke(request, now) is { } failed)
        {
            return failed;
        }

        var from = request.State;
        request.State = transition.To;
        request.UpdatedAt = now;
        request.Version++;
        var recorded = new RequestEvent
        {
            RequestId = request.Id,
            At = now,
            Action = action,
            FromState = from,
            ToState = transition.To,
            ActorRole = role,
            ActorUnitId = actor.Unit?.Id,
            ActorUserId = actor.UserId,
            Note = note,
            IsPublic = transition.IsPublic,
        };
        db.Events.Add(recorded);

        // Clocks and notifications commit with the change, or not at all.
        await clocks.OnTransitionAsync(request, transition, recorded, now, cancellationToken);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new Outcome.Stale();
        }

        return new Outcome.Done(request, recorded);
    }

    private static Outcome? PartCheck(Actor actor, Role role, ServiceRequest request, Transition transition)
    {
        switch (role)
        {
            case Role.Handler when transition.Part == HandlerPart.Lead:
                return request.Assignments.Any(a => a.IsActive && a.IsLead && a.UnitId == actor.Unit?.Id)
                    ? null
                    : new Outcome.Forbidden("Only the lead unit may do this.");
            case Role.Handler when transition.Part == HandlerPart.CoHandler:
                return request.Assignments.Any(a => a.IsActive && !a.IsLead && a.UnitId == actor.Unit?.Id)
                    ? null
                    : new Outcome.Forbidden("Only a co-handling unit may report a part.");
            case Role.Citizen:
                return request.CitizenUserId is not null && request.CitizenUserId == actor.UserId
                    ? null
                    : new Outcome.Forbidden("Only the citizen who submitted the request may do this.");
            default:
                return null;
        }
    }
}
