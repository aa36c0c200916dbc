using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Dispatch;
using Suban.Web.Infrastructure;
using Suban.Web.Notifications;
using Suban.Web.Requests;

namespace Suban.Web.Deadlines;

public sealed record ExtensionInput(int? Days, string? Reason);

public sealed record DecisionInput(string? Note);

public sealed record SuspendInput(string? Reason);

public sealed record RemindInput(string? Note);

public sealed record SuperviseInput(string? Text, int? Days);

public sealed record AnswerInput(string? Answer);

public sealed record CalendarDayInput(string? Kind, string? Name);

public sealed record ReadAllInput(long? UpTo);

public sealed record ReminderView(long Id, ReminderLevel Level, string UnitCode, DateTimeOffset At, bool Skipped, string? Note);

public sealed record OverdueView(string TrackingNumber, ClockKind Kind, string UnitCode, string UnitName, DateTimeOffset DueAt, DateTimeOffset RecordedAt);

public sealed record ExtensionView(long Id, int Days, string Reason, ExtensionStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? DecisionNote);

public sealed record SupervisionView(long Id, string UnitCode, string Text, DateTimeOffset IssuedAt, DateTimeOffset DueAt, SupervisionStatus Status, DateTimeOffset? AnsweredAt, string? Answer);

public sealed record DeadlineRecord(IReadOnlyList<ClockView> Clocks, IReadOnlyList<ReminderView> Reminders, IReadOnlyList<ExtensionView> Extensions, IReadOnlyList<SupervisionView> SupervisionOrders);

public sealed record CalendarDayView(DateOnly Date, DayKind Kind, string? Name);

public sealed record NotificationView(long Id, DateTimeOffset CreatedAt, string? TrackingNumber, string Topic, string Text, bool Read);

internal static class DeadlineEndpoints
{
    public static IEndpointRouteBuilder MapDeadlines(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/requests/{trackingNumber}").WithTags("Time limits");
        group.MapGet("/deadlines", RecordAsync).WithSummary("Clocks, reminders, extensions and supervision orders of the request (staff).")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Staff));
        group.MapPost("/extension", RequestExtensionAsync).WithSummary("The lead unit asks for more working days, with a reason.")
            .AllowRolesOf(RequestAction.RequestExtension);
        group.MapPost("/extension/{id:long}/approve", ApproveAsync)
            .WithSummary("A supervisor or the dispatching platform approves an extension: the deadline moves.")
            .AllowRolesOf(RequestAction.ApproveExtension);
        group.MapPost("/extension/{id:long}/refuse", RefuseAsync)
            .WithSummary("A supervisor or the dispatching platform refuses an extension, saying why.")
            .AllowRolesOf(RequestAction.RefuseExtension);
        group.MapPost("/suspend", SuspendAsync).WithSummary("The lead unit stops the handling clock, with the reason (e.g. waiting for the citizen).")
            .AllowRolesOf(RequestAction.Suspend);
        group.MapPost("/resume", ResumeAsync).WithSummary("The lead unit restarts the handling clock; the deadline moves by the time it stood.")
            .AllowRolesOf(RequestAction.Resume);
        group.MapPost("/remind", RemindAsync).WithSummary("A supervisor reminds the unit answerable now (催办).")
            .AllowRolesOf(RequestAction.Remind);
        group.MapPost("/supervise", SuperviseAsync).WithSummary("A supervisor issues a supervision order (督办) to the lead unit, with its own deadline.")
            .AllowRolesOf(RequestAction.Supervise);
        group.MapPost("/supervision/{id:long}/answer", AnswerAsync).WithSummary("The lead unit answers a supervision order.")
            .AllowRolesOf(RequestAction.AnswerSupervision);

        routes.MapGet("/api/v1/overdue", OverdueAsync).WithTags("Time limits")
            .WithSummary("Overdue records, newest first: supervisors, analysts and administrators see all; staff their unit's subtree.")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Staff));

        var calendar = routes.MapGroup("/api/v1/calendar").WithTags("Time limits");
        calendar.MapGet("/", CalendarAsync).WithSummary("The working calendar's holidays and make-up working days for a year.").AllowAnonymous();
        calendar.MapPut("/{date}", SetDayAsync).WithSummary("Mark a day as a holiday or a make-up working day.")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Administrator));
        calendar.MapDelete("/{date}", ClearDayAsync).WithSummary("Return a day to the weekly pattern.")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Administrator));

        var inbox = routes.MapGroup("/api/v1/me/notifications").WithTags("Notifications").RequireAuthorization();
        inbox.MapGet("/", InboxAsync).WithSummary("In-app notifications for the caller and the caller's unit, newest first.");
        inbox.MapPost("/{id:long}/read", ReadAsync).WithSummary("Mark a notification read.");
        inbox.MapGet("/unread-count", UnreadCountAsync).WithSummary("How many notifications of the caller (and the caller's unit) are unread: the header's badge.");
        inbox.MapPost("/read-all", ReadAllAsync).WithSummary("Mark the caller's (and the caller's unit's) notifications read, up to the id 'upTo' when given (those the reader has seen); answers how many.");
        return routes;
    }

    /// <summary>What every handler here needs, injected together.</summary>
    internal sealed record RequestServices(SubanDb Db, ActorAccessor Actors, RequestWorkflow Workflow, ClockKeeper Keeper, Calendars Calendars, Outbox Outbox, TimeProvider Clock, Microsoft.Extensions.Options.IOptions<DeadlineOptions> Options);

    private static async Task<(ServiceRequest? Request, Actor Actor, List<RequestClock> Clocks)> LoadAsync(string trackingNumber, RequestServices s, CancellationToken cancellationToken)
    {
        var actor = await s.Actors.GetAsync(cancellationToken);
        var query = await s.Db.Requests.Include(r => r.Assignments.Where(a => a.IsActive)).VisibleTo(s.Db, actor, cancellationToken);
        var request = await query.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, cancellationToken);
        var clocks = request is null
            ? []
            : await s.Db.Clocks.Where(c => c.RequestId == request.Id && (c.Status == ClockStatus.Running || c.Status == ClockStatus.Paused)).ToListAsync(cancellationToken);
        return (request, actor, clocks);
    }

    private static async Task<IResult> RecordAsync(string trackingNumber, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var (request, _, _) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        return TypedResults.Ok(await RecordOfAsync(s.Db, request.Id, s.Clock.GetUtcNow().UtcDateTime, cancellationToken));
    }

    /// <summary>A request's clocks, reminders, extensions and supervision orders, oldest first (staff only).</summary>
    internal static async Task<DeadlineRecord> RecordOfAsync(SubanDb db, long requestId, DateTime now, CancellationToken cancellationToken)
    {
        var clocks = await db.Clocks.AsNoTracking().Where(c => c.RequestId == requestId).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var reminders = await db.Reminders.AsNoTracking().Where(r => r.RequestId == requestId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var unitIds = clocks.Select(c => c.UnitId).Concat(reminders.Select(r => r.UnitId)).ToHashSet();
        var orders = await db.SupervisionOrders.AsNoTracking().Where(o => o.RequestId == requestId).OrderBy(o => o.Id).ToListAsync(cancellationToken);
        unitIds.UnionWith(orders.Select(o => o.UnitId));
        var units = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var extensions = await db.ExtensionRequests.AsNoTracking().Where(x => x.RequestId == requestId).OrderBy(x => x.Id).ToListAsync(cancellationToken);
        return new DeadlineRecord(
            clocks.Select(c => RequestViews.ClockOf(c, units[c.UnitId], now)).ToList(),
            reminders.Select(r => new ReminderView(r.Id, r.Level, units[r.UnitId].Code, RequestViews.Utc(r.At), r.Skipped, r.Note)).ToList(),
            extensions.Select(x => new ExtensionView(x.Id, x.Days, x.Reason, x.Status, RequestViews.Utc(x.RequestedAt), RequestViews.Utc(x.DecidedAt), x.DecisionNote)).ToList(),
            orders.Select(o => new SupervisionView(o.Id, units[o.UnitId].Code, o.Text, RequestViews.Utc(o.IssuedAt), RequestViews.Utc(o.DueAt), o.Status, RequestViews.Utc(o.AnsweredAt), o.Answer)).ToList());
    }

    private static async Task<IResult> RequestExtensionAsync(string trackingNumber, ExtensionInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var max = s.Options.Value.MaxExtensionDays;
        if (input.Days is not { } days || days < 1 || days > max)
        {
            return Problems.Field("days", $"Ask for 1 to {max} working days.");
        }

        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var handling = clocks.FirstOrDefault(c => c.Kind == ClockKind.Handling);
        // Pending on a clock still counting (one recorded before extensions lapsed with their clock does not block).
        var counting = clocks.Select(c => c.Id).ToList();
        var pending = await s.Db.ExtensionRequests.AnyAsync(
            x => x.RequestId == request.Id && x.Status == ExtensionStatus.Pending && counting.Contains(x.ClockId), cancellationToken);
        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.RequestExtension, input.Reason is null ? null : $"申请延期{days}个工作日：{input.Reason.Trim()}", (r, now) =>
        {
            if (handling is null)
            {
                return new Outcome.Invalid("days", "The request has no running handling clock to extend.");
            }

            if (pending)
            {
                return new Outcome.Invalid("days", "An extension is already waiting for a decision.");
            }

            s.Db.ExtensionRequests.Add(new ExtensionRequest
            {
                RequestId = r.Id, ClockId = handling.Id, UnitId = handling.UnitId, Days = days, Reason = input.Reason!.Trim(),
                RequestedAt = now, RequestedByUserId = actor.UserId, Status = ExtensionStatus.Pending,
            });
            return null;
        }, noteField: "reason", cancellationToken: cancellationToken);
        if (outcome is Outcome.Done done)
        {
            await NotifyAsync(s, done.Request.PlatformUnitId, done, $"工单{done.Request.TrackingNumber}申请延期{days}个工作日，请审核", cancellationToken);
        }

        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static Task<IResult> ApproveAsync(string trackingNumber, long id, DecisionInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken) =>
        DecideAsync(trackingNumber, id, true, input, s, cancellationToken);

    private static Task<IResult> RefuseAsync(string trackingNumber, long id, DecisionInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken) =>
        DecideAsync(trackingNumber, id, false, input, s, cancellationToken);

    private static async Task<IResult> DecideAsync(string trackingNumber, long id, bool approve, DecisionInput input, RequestServices s, CancellationToken cancellationToken)
    {
        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var extension = await s.Db.ExtensionRequests.FirstOrDefaultAsync(x => x.Id == id && x.RequestId == request.Id, cancellationToken);
        if (extension is null)
        {
            return Problems.NotFound("id", "No extension request with this id on this request.");
        }

        var calendar = await s.Calendars.GetAsync(cancellationToken);
        var handling = clocks.FirstOrDefault(c => c.Id == extension.ClockId);
        string? note = approve ? null : input.Note;
        if (approve && handling is not null)
        {
            var newDue = TimeLimit.Extend(handling.Basis, handling.DueAt, extension.Days, calendar);
            note = $"同意延期{extension.Days}个工作日，办理时限延至{DeadlineEngine.Local(newDue)}" + (string.IsNullOrWhiteSpace(input.Note) ? "" : $"。{input.Note.Trim()}");
        }

        var outcome = await s.Workflow.ApplyAsync(actor, request, approve ? RequestAction.ApproveExtension : RequestAction.RefuseExtension, note, (r, now) =>
        {
            if (extension.Status != ExtensionStatus.Pending)
            {
                return new Outcome.Invalid("id", $"This extension was already {extension.Status.ToString().ToLowerInvariant()}.");
            }

            if (approve && handling is null)
            {
                return new Outcome.Invalid("id", "The handling clock this extension was for has stopped.");
            }

            extension.Status = approve ? ExtensionStatus.Approved : ExtensionStatus.Refused;
            extension.DecidedAt = now;
            extension.DecidedByUserId = actor.UserId;
            extension.DecisionNote = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
            if (approve)
            {
                handling!.DueAt = TimeLimit.Extend(handling.Basis, handling.DueAt, extension.Days, calendar);
                handling.Extended += extension.Days;
                s.Keeper.Schedule(handling, now);
            }

            return null;
        }, cancellationToken: cancellationToken);
        if (outcome is Outcome.Done done)
        {
            var text = approve ? $"工单{done.Request.TrackingNumber}延期申请已同意：{note}" : $"工单{done.Request.TrackingNumber}延期申请未同意：{input.Note}";
            await NotifyAsync(s, extension.UnitId, done, text, cancellationToken);
        }

        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task<IResult> SuspendAsync(string trackingNumber, SuspendInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var handling = clocks.FirstOrDefault(c => c.Kind == ClockKind.Handling);
        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.Suspend, input.Reason, (_, now) =>
        {
            if (handling is not { Status: ClockStatus.Running })
            {
                return new Outcome.Invalid("reason", handling is null ? "The request has no handling clock to stop." : "The handling clock is already stopped.");
            }

            handling.Status = ClockStatus.Paused;
            handling.PausedAt = now;
            handling.NextCheckAt = null;
            return null;
        }, noteField: "reason", cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task<IResult> ResumeAsync(string trackingNumber, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var calendar = await s.Calendars.GetAsync(cancellationToken);
        var handling = clocks.FirstOrDefault(c => c.Kind == ClockKind.Handling);
        string? note = null;
        if (handling is { Status: ClockStatus.Paused, PausedAt: { } pausedAt })
        {
            var newDue = TimeLimit.Resume(handling.Basis, handling.DueAt, pausedAt, s.Clock.GetUtcNow().UtcDateTime, calendar);
            note = $"恢复计时，办理时限至{DeadlineEngine.Local(newDue)}";
        }

        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.Resume, note, (_, now) =>
        {
            if (handling is not { Status: ClockStatus.Paused })
            {
                return new Outcome.Invalid("state", "The handling clock is not stopped.");
            }

            var paused = handling.PausedAt!.Value;
            handling.DueAt = TimeLimit.Resume(handling.Basis, handling.DueAt, paused, now, calendar);
            handling.StartedAt = TimeLimit.Resume(ClockBasis.Elapsed, handling.StartedAt, paused, now, calendar);
            handling.Status = ClockStatus.Running;
            handling.PausedAt = null;
            s.Keeper.Schedule(handling, now);
            return null;
        }, cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task<IResult> RemindAsync(string trackingNumber, RemindInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        // Whoever holds the request now: the lead unit once dispatched, else the platform.
        var target = request.LeadUnitId is { } lead && request.State is RequestState.Dispatched or RequestState.InProgress or RequestState.Reopened
            ? lead
            : request.PlatformUnitId;
        var text = $"人工催办：工单{request.TrackingNumber}请抓紧办理" + (string.IsNullOrWhiteSpace(input.Note) ? "" : $"。{input.Note.Trim()}");
        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.Remind, text, (r, now) =>
        {
            s.Db.Reminders.Add(new Reminder { RequestId = r.Id, Level = ReminderLevel.Manual, UnitId = target, At = now, ByUserId = actor.UserId, Note = text });
            return null;
        }, cancellationToken: cancellationToken);
        if (outcome is Outcome.Done done)
        {
            await NotifyAsync(s, target, done, text, cancellationToken);
        }

        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task<IResult> SuperviseAsync(string trackingNumber, SuperviseInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var days = input.Days ?? s.Options.Value.SupervisionDays;
        if (days is < 1 or > 30)
        {
            return Problems.Field("days", "A supervision order gives 1 to 30 working days.");
        }

        if (input.Text is { Length: > 2000 })
        {
            return Problems.Field("text", "At most 2,000 characters.");
        }

        var (request, actor, _) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var calendar = await s.Calendars.GetAsync(cancellationToken);
        SupervisionOrder? order = null;
        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.Supervise, input.Text is null ? null : $"督办：{input.Text.Trim()}（{days}个工作日内办结）", (r, now) =>
        {
            if (r.LeadUnitId is not { } unit)
            {
                return new Outcome.Invalid("text", "The request has no lead unit to supervise.");
            }

            order = new SupervisionOrder { RequestId = r.Id, UnitId = unit, Text = input.Text!.Trim(), IssuedAt = now, IssuedByUserId = actor.UserId, DueAt = TimeLimit.WorkingDays(days).DueFrom(now, calendar), Status = SupervisionStatus.Open };
            s.Db.SupervisionOrders.Add(order);
            s.Keeper.Start(r, ClockKind.Supervision, unit, TimeLimit.WorkingDays(days), now, calendar, order);
            return null;
        }, noteField: "text", cancellationToken: cancellationToken);
        if (outcome is Outcome.Done done && order is not null)
        {
            var text = $"督办单：工单{done.Request.TrackingNumber}，{order.Text}。请于{DeadlineEngine.Local(order.DueAt)}前办结并回复。";
            await s.Outbox.ToUnitAsync(order.UnitId, done.Request.Id, nameof(RequestAction.Supervise), text, done.Event.At, head: false, cancellationToken);
            await s.Outbox.ToUnitAsync(order.UnitId, done.Request.Id, nameof(RequestAction.Supervise), text, done.Event.At, head: true, cancellationToken, webhook: false);
            await s.Db.SaveChangesAsync(cancellationToken);
        }

        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task<IResult> AnswerAsync(string trackingNumber, long id, AnswerInput input, [AsParameters] RequestServices s, CancellationToken cancellationToken)
    {
        var (request, actor, clocks) = await LoadAsync(trackingNumber, s, cancellationToken);
        if (request is null)
        {
            return new Outcome.NotFound().ToHttp(_ => null!);
        }

        var order = await s.Db.SupervisionOrders.FirstOrDefaultAsync(o => o.Id == id && o.RequestId == request.Id, cancellationToken);
        if (order is null)
        {
            return Problems.NotFound("id", "No supervision order with this id on this request.");
        }

        var outcome = await s.Workflow.ApplyAsync(actor, request, RequestAction.AnswerSupervision, input.Answer is null ? null : $"督办回复：{input.Answer.Trim()}", (_, now) =>
        {
            if (order.Status == SupervisionStatus.Withdrawn)
            {
                return new Outcome.Invalid("id", "This supervision order was withdrawn: the unit it was addressed to no longer leads the request.");
            }

            if (order.Status != SupervisionStatus.Open)
            {
                return new Outcome.Invalid("id", "This supervision order was answered already.");
            }

            if (order.UnitId != actor.Unit?.Id)
            {
                return new Outcome.Forbidden("Only the unit the order is addressed to may answer it.");
            }

            order.Status = SupervisionStatus.Answered;
            order.AnsweredAt = now;
            order.Answer = input.Answer!.Trim();
            foreach (var clock in clocks.Where(c => c.SupervisionOrderId == order.Id))
            {
                clock.Status = ClockStatus.Stopped;
                clock.EndedAt = now;
                clock.NextCheckAt = null;
            }

            return null;
        }, noteField: "answer", cancellationToken: cancellationToken);
        return await DispatchEndpoints.RespondAsync(outcome, s.Db, actor, cancellationToken);
    }

    private static async Task NotifyAsync(RequestServices s, int unitId, Outcome.Done done, string text, CancellationToken cancellationToken)
    {
        await s.Outbox.ToUnitAsync(unitId, done.Request.Id, done.Event.Action.ToString(), text, done.Event.At, cancellationToken: cancellationToken);
        await s.Db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<IResult> OverdueAsync(SubanDb db, ActorAccessor actors, string? unitCode, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var size = pageSize ?? 50;
        var number = page ?? 1;
        if (size is < 1 or > 200)
        {
            return Problems.Field("pageSize", "Between 1 and 200.");
        }

        if (number < 1)
        {
            return Problems.Field("page", "From 1.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var query = db.OverdueRecords.AsNoTracking().AsQueryable();
        var seesAll = actor.IsIn(Roles.Administrator) || actor.IsIn(Roles.Supervisor) || actor.IsIn(Roles.Analyst) || actor.Unit?.ParentId is null;
        if (!seesAll)
        {
            var prefix = actor.Unit!.Path;
            var own = db.Units.Where(u => u.Path.StartsWith(prefix)).Select(u => u.Id);
            query = query.Where(o => own.Contains(o.UnitId));
        }

        if (!string.IsNullOrWhiteSpace(unitCode))
        {
            var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == unitCode, cancellationToken);
            if (unit is null)
            {
                return Problems.Field("unitCode", $"No unit has the code '{unitCode}'.");
            }

            query = query.Where(o => o.UnitId == unit.Id);
        }

        if (from is { } f)
        {
            var fromUtc = f.UtcDateTime;
            query = query.Where(o => o.RecordedAt >= fromUtc);
        }

        if (to is { } t)
        {
            var toUtc = t.UtcDateTime;
            query = query.Where(o => o.RecordedAt < toUtc);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(o => o.RecordedAt).ThenByDescending(o => o.Id).Skip((number - 1) * size).Take(size)
            .Select(o => new
            {
                TrackingNumber = db.Requests.Where(r => r.Id == o.RequestId).Select(r => r.TrackingNumber).First(),
                o.Kind,
                Unit = db.Units.Where(u => u.Id == o.UnitId).Select(u => new { u.Code, u.Name }).First(),
                o.DueAt,
                o.RecordedAt,
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<OverdueView>(
            rows.Select(r => new OverdueView(r.TrackingNumber, r.Kind, r.Unit.Code, r.Unit.Name, RequestViews.Utc(r.DueAt), RequestViews.Utc(r.RecordedAt))).ToList(), number, size, total));
    }

    private static async Task<IResult> CalendarAsync(SubanDb db, int? year, TimeProvider clock, CancellationToken cancellationToken)
    {
        var wanted = year ?? WorkingCalendar.LocalDate(clock.GetUtcNow().UtcDateTime).Year;
        if (wanted is < 2000 or > 2100)
        {
            return Problems.Field("year", "A year between 2000 and 2100.");
        }

        var first = new DateOnly(wanted, 1, 1);
        var last = new DateOnly(wanted, 12, 31);
        var days = await db.CalendarEntries.AsNoTracking().Where(d => d.Date >= first && d.Date <= last).OrderBy(d => d.Date)
            .Select(d => new CalendarDayView(d.Date, d.Kind, d.Name)).ToListAsync(cancellationToken);
        return TypedResults.Ok(days);
    }

    private static async Task<IResult> SetDayAsync(string date, CalendarDayInput input, SubanDb db, Calendars calendars, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Problems.Field("date", "A date as yyyy-MM-dd.");
        }

        if (input.Kind is not ("holiday" or "workday"))
        {
            return Problems.Field("kind", "'holiday' or 'workday'.");
        }

        if (input.Name is { Length: > 50 })
        {
            return Problems.Field("name", "At most 50 characters.");
        }

        var kind = input.Kind == "workday" ? DayKind.Workday : DayKind.Holiday;
        var now = clock.GetUtcNow().UtcDateTime;
        var entry = await db.CalendarEntries.FirstOrDefaultAsync(d => d.Date == day, cancellationToken);
        if (entry is null)
        {
            db.CalendarEntries.Add(entry = new CalendarEntry { Date = day });
        }

        entry.Kind = kind;
        entry.Name = string.IsNullOrWhiteSpace(input.Name) ? null : input.Name.Trim();
        entry.UpdatedAt = now;
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = now, UserId = actor.UserId, Action = "calendar.set", Subject = $"calendar/{date}", Detail = $"{kind} {entry.Name}" });
        await db.SaveChangesAsync(cancellationToken);
        calendars.Invalidate();
        return TypedResults.Ok(new CalendarDayView(entry.Date, entry.Kind, entry.Name));
    }

    private static async Task<IResult> ClearDayAsync(string date, SubanDb db, Calendars calendars, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Problems.Field("date", "A date as yyyy-MM-dd.");
        }

        var entry = await db.CalendarEntries.FirstOrDefaultAsync(d => d.Date == day, cancellationToken);
        if (entry is not null)
        {
            db.CalendarEntries.Remove(entry);
            var actor = await actors.GetAsync(cancellationToken);
            db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "calendar.clear", Subject = $"calendar/{date}", Detail = entry.Kind.ToString() });
            await db.SaveChangesAsync(cancellationToken);
            calendars.Invalidate();
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> InboxAsync(SubanDb db, ActorAccessor actors, bool? unread, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var query = Mine(db, actor, await IsHeadAsync(db, actor, cancellationToken));
        if (unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        var rows = await query.OrderByDescending(n => n.Id).Take(100)
            .Select(n => new
            {
                n.Id,
                n.CreatedAt,
                TrackingNumber = db.Requests.Where(r => r.Id == n.RequestId).Select(r => r.TrackingNumber).FirstOrDefault(),
                n.Topic,
                n.Text,
                n.ReadAt,
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(n => new NotificationView(n.Id, RequestViews.Utc(n.CreatedAt), n.TrackingNumber, n.Topic, n.Text, n.ReadAt is not null)).ToList());
    }

    private static async Task<IResult> ReadAsync(long id, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var notification = await Mine(db, actor, await IsHeadAsync(db, actor, cancellationToken)).FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (notification is null)
        {
            return Problems.NotFound("id", "No notification with this id is yours.");
        }

        notification.ReadAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UnreadCountAsync(SubanDb db, ActorAccessor actors, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var count = await Mine(db, actor, await IsHeadAsync(db, actor, cancellationToken)).CountAsync(n => n.ReadAt == null, cancellationToken);
        return TypedResults.Ok(new { unread = count });
    }

    private static async Task<IResult> ReadAllAsync(ReadAllInput? input, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var upTo = input?.UpTo ?? long.MaxValue;
        var count = await Mine(db, actor, await IsHeadAsync(db, actor, cancellationToken)).Where(n => n.ReadAt == null && n.Id <= upTo)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, now), cancellationToken);
        return TypedResults.Ok(new { read = count });
    }

    /// <summary>The in-app notifications the actor reads: its own as a citizen, its unit's as staff, and the unit
    /// head's when the actor is its head.</summary>
    internal static IQueryable<Notification> Mine(SubanDb db, Actor actor, bool isHead)
    {
        var userId = actor.UserId;
        var unitId = actor.Unit?.Id;
        return db.Notifications.Where(n => n.Channel == InAppChannel.ChannelName && (
            (n.UserId == userId && n.Audience == Audience.Citizen)
            || (actor.IsStaff && n.Audience == Audience.Unit && n.UnitId == unitId)
            || (isHead && n.Audience == Audience.UnitHead && n.UnitId == unitId)));
    }

    internal static async Task<bool> IsHeadAsync(SubanDb db, Actor actor, CancellationToken cancellationToken) =>
        actor.UserId is { } id && await db.Users.AnyAsync(u => u.Id == id && u.IsUnitHead, cancellationToken);
}
