using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Catalogue;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Pages;

/// <summary>
/// The pages: Razor components rendered on the server, one endpoint each, loading their data here. Every page is
/// open to the browser, and each checks who may see it: a page that needs a role sends a visitor to sign in and
/// answers 403 to someone signed in without that role. Actions go through the same JSON API as any client.
/// </summary>
internal static class PageEndpoints
{
    private static readonly string[] Leaders = [Roles.Supervisor, Roles.Analyst, Roles.Administrator];

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder routes)
    {
        // Anyone: the citizen portal.
        routes.MapGet("/", PortalAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/submit", SubmitAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/track", TrackAsync).AllowAnonymous().ExcludeFromDescription();

        // Citizens: their own requests. Dispatchers, handlers, leaders: their desks (checked in each page).
        routes.MapGet("/me", MyRequestsAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/desk/dispatch", DispatchDeskAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/desk/dispatch/queue", DispatchQueueAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/desk/unit", UnitDeskAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/dashboard", DashboardAsync).AllowAnonymous().ExcludeFromDescription();

        // Staff: one request with everything recorded about it, as far as they may see it; look-up by number.
        routes.MapGet("/requests", FindRequest).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/requests/{trackingNumber}", RequestPageAsync).AllowAnonymous().ExcludeFromDescription();

        // Anyone signed in: the in-app notifications for them and their unit.
        routes.MapGet("/inbox", InboxAsync).AllowAnonymous().ExcludeFromDescription();

        // Supervisors and dispatchers: extensions to decide; supervisors also remind and supervise late requests.
        routes.MapGet("/desk/supervise", SupervisionDeskAsync).AllowAnonymous().ExcludeFromDescription();

        // Supervisors, dispatchers, analysts, administrators: hotspots and recurrences; the first two create
        // data-driven events from a hotspot.
        routes.MapGet("/desk/hotspots", HotspotDeskAsync).AllowAnonymous().ExcludeFromDescription();

        // Dispatchers: a server-sent event whenever their queues change.
        routes.MapGet("/api/v1/queue/stream", QueueStreamAsync)
            .WithTags("Dispatch")
            .WithSummary("Server-sent events: 'queue' whenever the dispatcher's queues change (new, returned or dispatched requests).")
            .RequireAuthorization(p => p.RequireRole(Roles.Dispatcher));

        // Administrators: users and roles, units, the working calendar, thresholds.
        routes.MapGet("/admin", AdminAsync).AllowAnonymous().ExcludeFromDescription();

        // Call-takers: the 12345 console, and a caller's earlier requests by the phone number they call from; the
        // follow-up calls (回访) that record a citizen's verdict on a reply.
        routes.MapGet("/desk/calls", CallConsoleAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/desk/follow-up", FollowUpDeskAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/api/v1/callers/{phone}/requests", CallerRequestsAsync)
            .WithTags("Intake")
            .WithSummary("A caller's earlier requests (newest 20) by phone number, for the call-taker.")
            .RequireAuthorization(p => p.RequireRole(Roles.CallTaker));

        // Supervisors, analysts, administrators: the dashboard's figures.
        routes.MapGet("/api/v1/stats", StatsAsync)
            .WithTags("Analytics")
            .WithSummary("Volumes by day, channel, category and district; on-time rate, satisfaction, handling time; for requests submitted from 'from' to 'to' (dates, Shenzhen).")
            .RequireAuthorization(p => p.RequireRole(Leaders));
        return routes;
    }

    private static string Lang(HttpContext http) => http.Request.Query["lang"] == "en" ? "en" : "zh";

    private static RazorComponentResult Page<T>(HttpContext http, Actor actor, Dictionary<string, object?>? parameters = null)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        parameters ??= [];
        parameters["Lang"] = Lang(http);
        parameters["Roles"] = actor.RoleNames;
        return new RazorComponentResult<T>(parameters);
    }

    /// <summary>Null when the actor may see the page; else a redirect to sign in, or 403.</summary>
    private static IResult? Guard(HttpContext http, Actor actor, params string[] roles)
    {
        if (!actor.IsAuthenticated)
        {
            return Results.Redirect("/login?returnUrl=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
        }

        return roles.Any(actor.IsIn) ? null : Results.Content(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>403</title><main><h1>无权访问 · Forbidden</h1><p><a href=\"/\">速办</a></p></main></html>",
            "text/html; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> PortalAsync(HttpContext http, ActorAccessor actors) =>
        Page<Portal>(http, await actors.GetAsync(http.RequestAborted));

    private static async Task<IResult> SubmitAsync(HttpContext http, ActorAccessor actors, CatalogueStore catalogue)
    {
        var current = await catalogue.CurrentAsync(http.RequestAborted);
        var matters = current?.Snapshot.Active
            .Select(m => new Submit.MatterOption(m.Code, m.Name, m.Category)).ToList() ?? [];
        return Page<Submit>(http, await actors.GetAsync(http.RequestAborted), new() { ["Matters"] = matters });
    }

    private static async Task<IResult> TrackAsync(HttpContext http, string? n, ActorAccessor actors) =>
        Page<Track>(http, await actors.GetAsync(http.RequestAborted), new() { ["Number"] = n });

    private static async Task<IResult> MyRequestsAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Citizen) is { } refused)
        {
            return refused;
        }

        var mine = db.Requests.AsNoTracking().Where(r => r.CitizenUserId == actor.UserId).OrderByDescending(r => r.SubmittedAt).Take(50);
        var cards = await CardsAsync(db, mine, actor, clock, publicOnly: true, suggestions: null, http.RequestAborted);
        return Page<MyRequests>(http, actor, new() { ["Requests"] = cards });
    }

    private static async Task<IResult> AdminAsync(
        HttpContext http,
        SubanDb db,
        ActorAccessor actors,
        TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<Deadlines.DeadlineOptions> deadlines,
        Microsoft.Extensions.Options.IOptions<Routing.RoutingOptions> routing)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Administrator) is { } refused)
        {
            return refused;
        }

        var year = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Year;
        var first = new DateOnly(year, 1, 1);
        var last = new DateOnly(year, 12, 31);
        var calendar = await db.CalendarEntries.AsNoTracking().Where(d => d.Date >= first && d.Date <= last).OrderBy(d => d.Date)
            .Select(d => new Admin.CalendarDay(d.Date, d.Kind, d.Name)).ToListAsync(http.RequestAborted);
        var units = await db.Units.AsNoTracking().OrderBy(u => u.Path).Select(u => new UnitOption(u.Code, u.Name)).ToListAsync(http.RequestAborted);
        var model = await db.RoutingModels.AsNoTracking().OrderByDescending(m => m.Version).Select(m => new { m.Version, m.Threshold, m.CategoryThreshold }).FirstOrDefaultAsync(http.RequestAborted);
        var d = deadlines.Value;
        var en = Lang(http) == "en";
        string T(string zh, string english) => en ? english : zh;
        var thresholds = new List<(string, string)>
        {
            (T("分拨时限（特急 / 加急 / 一般）", "Dispatch limit (urgent / fast / normal)"), $"{d.DispatchUrgent} / {d.DispatchFast} / {d.DispatchNormal}"),
            (T("签收时限（小时）", "Accept limit (hours)"), d.AcceptHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)),
            (T("默认办理时限（工作日）", "Default handling limit (working days)"), d.DefaultHandlingDays.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (T("预警（时限已用比例）", "Warning at (share of the limit used)"), d.WarnAtShare.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)),
            (T("逐级催办间隔", "Escalation step"), d.EscalateAfter.ToString()),
            (T("最长延期（工作日）", "Longest extension (working days)"), d.MaxExtensionDays.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (T("自动派单目标精度", "Automatic dispatch: target precision"), routing.Value.TargetPrecision.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)),
            (T("当前模型与自动派单阈值", "Model in use and its threshold"), model is null ? T("尚无模型", "no model yet") : $"v{model.Version}: {model.Threshold:0.0000} ({T("类别", "category")} {model.CategoryThreshold:0.0000})"),
        };
        var models = await db.RoutingModels.AsNoTracking().OrderByDescending(m => m.Version).Take(10)
            .Select(m => new { m.Version, m.CreatedAt, m.ExampleCount, m.CorrectionCount, m.Threshold, m.Metrics }).ToListAsync(http.RequestAborted);
        return Page<Admin>(http, actor, new()
        {
            ["Models"] = models.Select(m => new Admin.ModelRow(m.Version, RequestViews.Utc(m.CreatedAt), m.ExampleCount, m.CorrectionCount, m.Threshold, ReportOf(m.Metrics))).ToList(),
            ["Users"] = await Accounts.UserAdmin.StaffAsync(db, http.RequestAborted),
            ["Units"] = units,
            ["Year"] = year,
            ["Calendar"] = calendar,
            ["Thresholds"] = thresholds,
        });
    }

    /// <summary>A model's stored validation figures; none for a model stored before they were, or unreadable.</summary>
    private static Routing.TrainingReport? ReportOf(string? metrics)
    {
        try
        {
            return metrics is null ? null : JsonSerializer.Deserialize<Routing.TrainingReport>(metrics);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<IResult> CallConsoleAsync(HttpContext http, ActorAccessor actors, CatalogueStore catalogue)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.CallTaker) is { } refused)
        {
            return refused;
        }

        var current = await catalogue.CurrentAsync(http.RequestAborted);
        var matters = current?.Snapshot.Active.Select(m => new Submit.MatterOption(m.Code, m.Name, m.Category)).ToList() ?? [];
        return Page<CallConsole>(http, actor, new() { ["Matters"] = matters });
    }

    private static async Task<IResult> FollowUpDeskAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.CallTaker) is { } refused)
        {
            return refused;
        }

        var calls = await FollowUpDeskData.LoadAsync(db, actor, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        return Page<FollowUpDesk>(http, actor, new() { ["Calls"] = calls });
    }

    public sealed record CallerRequest(string TrackingNumber, string Title, RequestState State, DateTimeOffset SubmittedAt);

    private static async Task<IResult> CallerRequestsAsync(string phone, SubanDb db, CancellationToken cancellationToken)
    {
        if (!Intake.SubmitValidation.IsPhone(phone))
        {
            return Problems.Field("phone", "A phone number has 7 to 15 digits.");
        }

        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        var given = phone.Trim();
        var rows = await db.Requests.AsNoTracking().Where(r => r.ContactPhone == digits || r.ContactPhone == given)
            .OrderByDescending(r => r.SubmittedAt).Take(20)
            .Select(r => new { r.TrackingNumber, r.Title, r.State, r.SubmittedAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(r => new CallerRequest(r.TrackingNumber, r.Title, r.State, RequestViews.Utc(r.SubmittedAt))).ToList());
    }

    private static async Task<IResult> DispatchDeskAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, CatalogueStore catalogue, OrganisationMaps organisation, Duplicates.DuplicateIndex duplicates)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Dispatcher) is { } refused)
        {
            return refused;
        }

        var (submitted, returned) = await QueuesAsync(db, actor, clock, catalogue, organisation, duplicates, http.RequestAborted);
        var platforms = await PlatformsBelowAsync(db, actor, http.RequestAborted);
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Kind != UnitKind.CityPlatform && u.Kind != UnitKind.DistrictPlatform)
            .OrderBy(u => u.Code).Select(u => new UnitOption(u.Code, u.Name)).ToListAsync(http.RequestAborted);
        var platform = actor.Unit?.Id;
        var pending = await Deadlines.ExtensionQueries.Waiting(db).CountAsync(x => db.Requests.Any(r => r.Id == x.RequestId && r.PlatformUnitId == platform), http.RequestAborted);
        return Page<DispatchDesk>(http, actor, new() { ["Units"] = units, ["Platforms"] = platforms, ["Submitted"] = submitted, ["Returned"] = returned, ["PendingExtensions"] = pending });
    }

    private static async Task<IResult> DispatchQueueAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, CatalogueStore catalogue, OrganisationMaps organisation, Duplicates.DuplicateIndex duplicates)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Dispatcher) is { } refused)
        {
            return refused;
        }

        var (submitted, returned) = await QueuesAsync(db, actor, clock, catalogue, organisation, duplicates, http.RequestAborted);
        var platforms = await PlatformsBelowAsync(db, actor, http.RequestAborted);
        return Page<DispatchQueue>(http, actor, new() { ["Platforms"] = platforms, ["Submitted"] = submitted, ["Returned"] = returned });
    }

    private static async Task<(List<RequestCard> Submitted, List<RequestCard> Returned)> QueuesAsync(SubanDb db, Actor actor, TimeProvider clock, CatalogueStore catalogue, OrganisationMaps organisation, Duplicates.DuplicateIndex duplicates, CancellationToken cancellationToken)
    {
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var platform = actor.Unit?.Id;
        var waiting = visible.Where(r => (r.State == RequestState.Submitted || r.State == RequestState.Returned) && r.PlatformUnitId == platform);
        var snapshot = (await catalogue.CurrentAsync(cancellationToken))?.Snapshot;
        var maps = await organisation.GetAsync(cancellationToken);
        var cards = await CardsAsync(db, waiting.OrderBy(r => r.SubmittedAt).Take(200), actor, clock, publicOnly: false, (snapshot, maps), cancellationToken, duplicates);
        var ordered = cards.OrderBy(c => c.DueAt ?? DateTimeOffset.MaxValue).ToList();
        return (ordered.Where(c => c.State == RequestState.Submitted || c.Disputed).ToList(), ordered.Where(c => c.State == RequestState.Returned && !c.Disputed).ToList());
    }

    /// <summary>The platforms one level below the dispatcher's, to forward a request down to (city → district → street).</summary>
    private static async Task<List<UnitOption>> PlatformsBelowAsync(SubanDb db, Actor actor, CancellationToken cancellationToken)
    {
        var unitId = actor.Unit?.Id;
        return await db.Units.AsNoTracking()
            .Where(u => u.ParentId == unitId && (u.Kind == UnitKind.DistrictPlatform || u.Kind == UnitKind.StreetOffice))
            .OrderBy(u => u.Code).Select(u => new UnitOption(u.Code, u.Name)).ToListAsync(cancellationToken);
    }

    private static async Task<IResult> UnitDeskAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, IOptions<Deadlines.DeadlineOptions> deadlines)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Handler) is { } refused)
        {
            return refused;
        }

        // The unit's requests being handled, and any (even replied or closed) with a supervision order it has still to answer.
        var unitId = actor.Unit?.Id;
        var mine = db.Requests.AsNoTracking()
            .Where(r => ((r.State == RequestState.Dispatched || r.State == RequestState.InProgress || r.State == RequestState.Reopened)
                    && r.Assignments.Any(a => a.IsActive && a.UnitId == unitId))
                || (r.LeadUnitId == unitId && db.SupervisionOrders.Any(o => o.RequestId == r.Id && o.UnitId == unitId && o.Status == Deadlines.SupervisionStatus.Open)))
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Take(200);
        var cards = await CardsAsync(db, mine, actor, clock, publicOnly: false, suggestions: null, http.RequestAborted, clocksOf: unitId);
        var ordered = cards.OrderBy(c => c.DueAt ?? DateTimeOffset.MaxValue).ToList();
        return Page<UnitDesk>(http, actor, new()
        {
            ["UnitName"] = actor.Unit?.Name ?? "",
            ["Requests"] = ordered,
            ["Time"] = await UnitDeskTimeAsync(db, mine, unitId, http.RequestAborted),
            ["MaxExtensionDays"] = deadlines.Value.MaxExtensionDays,
        });
    }

    private static async Task<Dictionary<string, UnitDeskTime>> UnitDeskTimeAsync(SubanDb db, IQueryable<ServiceRequest> requests, int? unitId, CancellationToken cancellationToken)
    {
        var waiting = Deadlines.ExtensionQueries.Waiting(db);
        var clocks = await requests.Select(r => new
        {
            r.TrackingNumber,
            Running = db.Clocks.Any(c => c.RequestId == r.Id && c.Kind == ClockKind.Handling && c.Status == ClockStatus.Running),
            Paused = db.Clocks.Any(c => c.RequestId == r.Id && c.Kind == ClockKind.Handling && c.Status == ClockStatus.Paused),
            Pending = waiting.Where(x => x.RequestId == r.Id).Select(x => (int?)x.Days).FirstOrDefault(),
        }).ToListAsync(cancellationToken);
        var orders = await db.SupervisionOrders.AsNoTracking()
            .Where(o => o.UnitId == unitId && o.Status == Deadlines.SupervisionStatus.Open && requests.Any(r => r.Id == o.RequestId))
            .OrderBy(o => o.DueAt)
            .Select(o => new { o.Id, o.Text, o.DueAt, TrackingNumber = db.Requests.Where(r => r.Id == o.RequestId).Select(r => r.TrackingNumber).First() })
            .ToListAsync(cancellationToken);
        var byRequest = orders.ToLookup(o => o.TrackingNumber, o => new OpenOrder(o.Id, o.Text, RequestViews.Utc(o.DueAt)));
        return clocks.ToDictionary(c => c.TrackingNumber, c => new UnitDeskTime(c.Running, c.Paused, c.Pending, byRequest[c.TrackingNumber].ToList()));
    }

    /// <summary>The header's look-up: a typed number (any case, full-width from an input method, spaces around it) to
    /// its page; nothing typed, the look-up form.</summary>
    private static async Task<IResult> FindRequest(HttpContext http, string? n, ActorAccessor actors)
    {
        var number = n?.Normalize(System.Text.NormalizationForm.FormKC).Trim().ToUpperInvariant();
        if (!string.IsNullOrEmpty(number))
        {
            return Results.Redirect("/requests/" + Uri.EscapeDataString(number) + (Lang(http) == "en" ? "?lang=en" : ""));
        }

        var actor = await actors.GetAsync(http.RequestAborted);
        return Guard(http, actor, Roles.Staff) ?? Page<RequestPage>(http, actor);
    }

    private static async Task<IResult> RequestPageAsync(HttpContext http, string trackingNumber, SubanDb db, ActorAccessor actors, TimeProvider clock, CatalogueStore catalogue)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Staff) is { } refused)
        {
            return refused;
        }

        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, http.RequestAborted);
        var request = Core.Intake.TrackingNumber.IsWellFormed(trackingNumber)
            ? await visible.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, http.RequestAborted)
            : null;
        if (request is null)
        {
            // Not there, or not for this reader: the same answer, so a number says nothing about requests elsewhere.
            var missing = Page<RequestPage>(http, actor, new() { ["Number"] = trackingNumber });
            missing.StatusCode = StatusCodes.Status404NotFound;
            return missing;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var record = await Deadlines.DeadlineEndpoints.RecordOfAsync(db, request.Id, now, http.RequestAborted);
        var codes = record.Reminders.Select(m => m.UnitCode).Concat(record.SupervisionOrders.Select(o => o.UnitCode)).Distinct().ToList();
        var snapshot = (await catalogue.CurrentAsync(http.RequestAborted))?.Snapshot;
        var matter = request.MatterCode is { } code ? snapshot?[code] : null;

        // A data-driven event names the requests that made its hotspot; such a request names its events. Only those the
        // reader may see are linked.
        var memberIds = await db.DataDrivenEvents.Where(e => e.RequestId == request.Id).SelectMany(e => e.Members.Select(m => m.RequestId)).ToListAsync(http.RequestAborted);
        var members = await visible.Where(r => memberIds.Contains(r.Id)).OrderBy(r => r.SubmittedAt).Select(r => r.TrackingNumber).ToListAsync(http.RequestAborted);
        var events = await visible.Where(r => db.DataDrivenEvents.Any(e => e.RequestId == r.Id && e.Members.Any(m => m.RequestId == request.Id)))
            .OrderBy(r => r.SubmittedAt).Select(r => r.TrackingNumber).ToListAsync(http.RequestAborted);
        return Page<RequestPage>(http, actor, new()
        {
            ["EventLinks"] = new RequestPage.HotspotLinks(memberIds.Count, members, events),
            ["Number"] = request.TrackingNumber,
            ["Detail"] = await RequestViews.DetailAsync(db, request, actor, now, http.RequestAborted),
            ["Record"] = record,
            ["Timeline"] = (await RequestViews.TimelinesAsync(db, [request.Id], publicOnly: false, http.RequestAborted))[request.Id],
            ["PhotoPositions"] = await db.Photos.Where(p => p.RequestId == request.Id).OrderBy(p => p.Position).Select(p => p.Position).ToListAsync(http.RequestAborted),
            ["MatterName"] = matter is null ? null : $"{matter.Category} › {matter.SubCategory} › {matter.Name}",
            ["Units"] = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code)).ToDictionaryAsync(u => u.Code, u => u.Name, http.RequestAborted),
        });
    }

    private static async Task<IResult> InboxAsync(HttpContext http, SubanDb db, ActorAccessor actors)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, [.. Roles.All]) is { } refused)
        {
            return refused;
        }

        var mine = Deadlines.DeadlineEndpoints.Mine(db, actor, await Deadlines.DeadlineEndpoints.IsHeadAsync(db, actor, http.RequestAborted));
        var rows = await mine.AsNoTracking().OrderByDescending(n => n.Id).Take(100)
            .Select(n => new { n.Id, n.CreatedAt, TrackingNumber = db.Requests.Where(r => r.Id == n.RequestId).Select(r => r.TrackingNumber).FirstOrDefault(), n.Topic, n.Text, n.ReadAt })
            .ToListAsync(http.RequestAborted);
        var items = rows.Select(n => new Deadlines.NotificationView(n.Id, RequestViews.Utc(n.CreatedAt), n.TrackingNumber, n.Topic, n.Text, n.ReadAt is not null)).ToList();
        return Page<Inbox>(http, actor, new() { ["Items"] = items });
    }

    private static async Task<IResult> SupervisionDeskAsync(HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, IOptions<Deadlines.DeadlineOptions> deadlines)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Roles.Supervisor, Roles.Dispatcher) is { } refused)
        {
            return refused;
        }

        var data = await SupervisionDeskData.LoadAsync(db, actor, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        return Page<SupervisionDesk>(http, actor, new() { ["Data"] = data, ["SupervisionDays"] = deadlines.Value.SupervisionDays });
    }

    private static async Task<IResult> HotspotDeskAsync(HttpContext http, SubanDb db, ActorAccessor actors, CatalogueStore catalogue, TimeProvider clock, IOptions<Hotspots.HotspotOptions> options)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Hotspots.HotspotEndpoints.Readers) is { } refused)
        {
            return refused;
        }

        var report = await Hotspots.HotspotReport.LoadAsync(db, actor, catalogue, options.Value, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        return Page<HotspotDesk>(http, actor, new() { ["Report"] = report, ["CanCreate"] = Hotspots.HotspotEndpoints.Creators.Any(actor.IsIn) });
    }

    private static async Task<IResult> DashboardAsync(HttpContext http, DateOnly? from, DateOnly? to, SubanDb db, ActorAccessor actors, CatalogueStore catalogue, TimeProvider clock)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        if (Guard(http, actor, Leaders) is { } refused)
        {
            return refused;
        }

        var (first, end) = Range(from, to, clock);
        var stats = await DashboardStats.ComputeAsync(db, actor, catalogue, first, end, Lang(http) == "en", http.RequestAborted);
        return Page<Dashboard>(http, actor, new() { ["Stats"] = stats });
    }

    private static async Task<IResult> StatsAsync(HttpContext http, DateOnly? from, DateOnly? to, SubanDb db, ActorAccessor actors, CatalogueStore catalogue, TimeProvider clock)
    {
        if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber > 366))
        {
            return Problems.Field("to", "'to' is on or after 'from', at most a year later.");
        }

        var (first, end) = Range(from, to, clock);
        var actor = await actors.GetAsync(http.RequestAborted);
        return TypedResults.Ok(await DashboardStats.ComputeAsync(db, actor, catalogue, first, end, Lang(http) == "en", http.RequestAborted));
    }

    /// <summary>The days from <paramref name="from"/> to <paramref name="to"/> inclusive; the last 30 days by default.</summary>
    private static (DateOnly First, DateOnly End) Range(DateOnly? from, DateOnly? to, TimeProvider clock)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var last = to ?? today;
        var first = from ?? last.AddDays(-29);
        if (first > last || last.DayNumber - first.DayNumber > 366)
        {
            first = last.AddDays(-29);
        }

        return (first, last.AddDays(1));
    }

    /// <summary>
    /// Server-sent events for the dispatcher's desk. The first event, sent as the desk connects, is its queue as it
    /// stands (the page ignores it: it has just rendered that queue); after that, an event with the count whenever the
    /// queue's fingerprint changes in the instance's shared reading (<see cref="QueueWatch"/>), a keep-alive otherwise.
    /// </summary>
    private static async Task QueueStreamAsync(HttpContext http, SubanDb db, ActorAccessor actors, QueueWatch watch)
    {
        var actor = await actors.GetAsync(http.RequestAborted);
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var platform = actor.Unit?.Id;
        try
        {
            var last = await QueueWatch.ReadAsync(db, platform, http.RequestAborted);
            await http.Response.WriteAsync($"event: queue\ndata: {last.Count}\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            while (!http.RequestAborted.IsCancellationRequested)
            {
                var fingerprint = await watch.NextAsync(platform, http.RequestAborted);
                if (fingerprint != last)
                {
                    await http.Response.WriteAsync($"event: queue\ndata: {fingerprint.Count}\n\n", http.RequestAborted);
                    last = fingerprint;
                }
                else
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", http.RequestAborted);
                }

                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The desk was closed.
        }
    }

    private static async Task<List<RequestCard>> CardsAsync(
        SubanDb db,
        IQueryable<ServiceRequest> query,
        Actor actor,
        TimeProvider clock,
        bool publicOnly,
        (CatalogueSnapshot? Snapshot, OrganisationMap Maps)? suggestions,
        CancellationToken cancellationToken,
        Duplicates.DuplicateIndex? duplicates = null,
        int? clocksOf = null)
    {
        // The limit shown is the soonest running one (a unit's desk: the soonest the unit answers for).
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await query.Select(r => new
        {
            Request = r,
            DueAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Status == ClockStatus.Running && c.Kind != ClockKind.Supervision && (clocksOf == null || c.UnitId == clocksOf)).Min(c => (DateTime?)c.DueAt),
            WarnAt = db.Clocks.Where(c => c.RequestId == r.Id && c.Status == ClockStatus.Running && c.Kind != ClockKind.Supervision && (clocksOf == null || c.UnitId == clocksOf)).Min(c => (DateTime?)c.WarnAt),
            LeadName = db.Units.Where(u => u.Id == r.LeadUnitId).Select(u => u.Name).FirstOrDefault(),
        }).ToListAsync(cancellationToken);

        var ids = rows.Select(row => row.Request.Id).ToList();
        var timelines = await RequestViews.TimelinesAsync(db, ids, publicOnly, cancellationToken);
        var photos = (await db.Photos.AsNoTracking().Where(p => ids.Contains(p.RequestId)).OrderBy(p => p.Position).Select(p => new { p.RequestId, p.Position }).ToListAsync(cancellationToken))
            .ToLookup(p => p.RequestId, p => p.Position);
        var likelyDuplicates = duplicates is null ? null : await duplicates.CandidatesAsync(rows.Select(row => row.Request).ToList(), actor, cancellationToken);
        var cards = new List<RequestCard>();
        foreach (var row in rows)
        {
            var r = row.Request;
            var timeline = timelines[r.Id];
            var options = new List<SuggestionOption>();
            if (suggestions is ({ } snapshot, var maps) && r.RoutingSuggestions is { Length: > 0 } json)
            {
                foreach (var s in JsonSerializer.Deserialize<List<Routing.Suggestion>>(json, CatalogueJson.Options) ?? [])
                {
                    if (snapshot[s.Code] is { } matter)
                    {
                        var decision = Responsibility.Decide(matter, r.DistrictCode, r.StreetCode, maps);
                        options.Add(new SuggestionOption(s.Code, s.Name, s.Probability, decision.LeadUnitCode, decision.CoUnitCodes));
                    }
                }
            }

            var isLead = actor.Unit is { } unit && r.LeadUnitId == unit.Id;
            cards.Add(new RequestCard(
                r.TrackingNumber, r.Type, r.Title, r.Description, r.State, r.Urgency, r.AddressText, RequestViews.Utc(r.SubmittedAt),
                RequestViews.Utc(row.DueAt), row.DueAt is { } due && row.WarnAt is { } warn ? TimeLimit.WarningAt(now, warn, due) : Warning.None,
                row.LeadName, isLead, timeline, options, likelyDuplicates?[r.Id],
                Disputed: r.RoutingOutcome == Routing.RoutingOutcome.CitizenChoiceDisputed || timeline.Count(e => e.Action == RequestAction.Return) >= 2,
                Photos: photos[r.Id].ToList()));
        }

        return cards;
    }
}
