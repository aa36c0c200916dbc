using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Suban.Core.Deadlines;
using Suban.Core.Lifecycle;
using Suban.Web.Deadlines;
using Suban.Web.Infrastructure;
using Suban.Web.Notifications;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// The clocks of a request, driven by a fake clock that starts on Monday 2026-11-23 10:00 in Shenzhen (02:00 UTC).
/// Tests that run the worker get an app of their own, so that no other test's clocks fall due in their passes.
/// </summary>
public sealed class DeadlineTests(Apps apps) : IClassFixture<Apps>
{
    private static DateTimeOffset Local(int month, int day, int hour, int minute = 0) =>
        new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    private static List<JsonElement> Clocks(JsonElement detail) => detail.GetProperty("clocks").EnumerateArray().ToList();

    private static JsonElement Clock(JsonElement detail, string kind, string status = "running") =>
        Clocks(detail).Last(c => c.GetProperty("kind").GetString() == kind && c.GetProperty("status").GetString() == status);

    private static DateTimeOffset Due(JsonElement clock) => clock.GetProperty("dueAt").GetDateTimeOffset();

    private static async Task<SubanApp> FreshAsync(string provider, IDictionary<string, string>? settings = null)
    {
        var app = await SubanApp.StartAsync(provider, settings);
        app.Clock.Set(Local(11, 23, 10));
        return app;
    }

    private static Task<DeadlineEngine.PassResult> PassAsync(SubanApp app) =>
        app.WithServiceAsync<DeadlineEngine, DeadlineEngine.PassResult>(engine => engine.RunOnceAsync(CancellationToken.None));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Clocks_StartAndStopAsTheRequestMoves(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var handler = await s.Handler();
        var citizen = await s.Citizen();
        var number = await s.SubmitAsync(citizen);

        // Normal urgency: 8 hours round the clock to dispatch.
        var submitted = await s.GetAsync(dispatcher, number);
        Due(Clock(submitted, "dispatch")).ShouldBe(Local(11, 23, 18));
        Clock(submitted, "dispatch").GetProperty("remainingSeconds").GetInt64().ShouldBe(8 * 3600);

        app.Clock.Advance(TimeSpan.FromHours(1));
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street })).EnsureSuccessStatusCode();
        var dispatched = await s.GetAsync(dispatcher, number);
        Clock(dispatched, "dispatch", "stopped").GetProperty("overdue").GetBoolean().ShouldBeFalse();

        // Accept: 2 office hours from 11:00 runs over lunch to 15:00. Handling: no matter, so the default 5
        // working days, the day of dispatch not counted: Tuesday to Monday, ending at midnight after 30 November.
        Due(Clock(dispatched, "accept")).ShouldBe(Local(11, 23, 15));
        Due(Clock(dispatched, "handling")).ShouldBe(Local(12, 1, 0));

        // The citizen sees only when to expect an answer.
        Clocks(await s.GetAsync(citizen, number)).Select(c => c.GetProperty("kind").GetString()).ShouldBe(["handling"]);

        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).EnsureSuccessStatusCode();
        Clock(await s.GetAsync(dispatcher, number), "accept", "stopped").ShouldNotBe(default);

        app.Clock.Advance(TimeSpan.FromDays(1));
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/reply", new { reply = "已处理" })).EnsureSuccessStatusCode();
        var replied = await s.GetAsync(dispatcher, number);
        Clock(replied, "handling", "stopped").ShouldNotBe(default);
        Due(Clock(replied, "followUp")).ShouldBe(Local(11, 27, 0)); // Tuesday 11:00 + 2 working days: to the end of Thursday

        // Dissatisfied: a new handling clock from the reopening.
        (await citizen.PostAsJsonAsync($"/api/v1/requests/{number}/rating", new { rating = "dissatisfied" })).EnsureSuccessStatusCode();
        var reopened = await s.GetAsync(dispatcher, number);
        Clock(reopened, "followUp", "stopped").ShouldNotBe(default);
        Due(Clock(reopened, "handling")).ShouldBe(Local(12, 2, 0));
        Clocks(reopened).Count(c => c.GetProperty("kind").GetString() == "handling").ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Dispatch_ByUrgency_UrgentHas30Minutes_FastTwoHours(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var now = app.Clock.GetUtcNow();
        var urgent = await s.SubmitAsync(body: Scenario.Body(urgency: "urgent"));
        var fast = await s.SubmitAsync(body: Scenario.Body(urgency: "fast"));
        Due(Clock(await s.GetAsync(dispatcher, urgent), "dispatch")).ShouldBe(now.AddMinutes(30));
        Due(Clock(await s.GetAsync(dispatcher, fast), "dispatch")).ShouldBe(now.AddHours(2));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Extension_Approved_MovesTheDeadlineAndTellsTheCitizen_RefusedLeavesIt(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.InProgress);
        var handler = await s.Handler();
        var dispatcher = await s.Dispatcher();
        Due(Clock(await s.GetAsync(dispatcher, number), "handling")).ShouldBe(Local(12, 1, 0));

        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 0, reason = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 3 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 3, reason = "需协调燃气公司停气施工" })).EnsureSuccessStatusCode();
        var second = await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 1, reason = "再延一天" });
        second.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        var extensionId = record.GetProperty("extensions")[0].GetProperty("id").GetInt64();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{extensionId}/approve", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{extensionId}/approve", new { note = "同意" })).EnsureSuccessStatusCode();
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{extensionId}/approve", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Three more working days after Monday 30 November: to the end of Thursday 3 December.
        var extended = Clock(await s.GetAsync(dispatcher, number), "handling");
        Due(extended).ShouldBe(Local(12, 4, 0));
        extended.GetProperty("extended").GetDouble().ShouldBe(3);
        var timeline = await s.TimelineAsync(await s.Citizen(), number);
        timeline.ShouldContain(e => e.GetProperty("action").GetString() == "approveExtension" && e.GetProperty("note").GetString()!.Contains("12月3日 24:00"));

        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 2, reason = "仍需时间" })).EnsureSuccessStatusCode();
        record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        var refusedId = record.GetProperty("extensions")[1].GetProperty("id").GetInt64();
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{refusedId}/refuse", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{refusedId}/refuse", new { note = "时限充足" })).EnsureSuccessStatusCode();
        Due(Clock(await s.GetAsync(dispatcher, number), "handling")).ShouldBe(Local(12, 4, 0));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Suspension_StopsTheClock_AndResumingMovesTheDeadlineByTheWorkingDaysItStood(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.InProgress);
        var handler = await s.Handler();
        var dispatcher = await s.Dispatcher();

        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/resume", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/suspend", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/suspend", new { reason = "等待市民提供房屋租赁合同" })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/suspend", new { reason = "again" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Paused on Monday; two days later the countdown has not moved.
        var paused = Clock(await s.GetAsync(dispatcher, number), "handling", "paused");
        var remaining = paused.GetProperty("remainingSeconds").GetInt64();
        app.Clock.Advance(TimeSpan.FromDays(2));
        Clock(await s.GetAsync(dispatcher, number), "handling", "paused").GetProperty("remainingSeconds").GetInt64().ShouldBe(remaining);

        // Resumed on Wednesday: Tuesday and Wednesday did not count.
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/resume", new { })).EnsureSuccessStatusCode();
        Due(Clock(await s.GetAsync(dispatcher, number), "handling")).ShouldBe(Local(12, 3, 0));
        var timeline = await s.TimelineAsync(await s.Citizen(), number);
        timeline.Select(e => e.GetProperty("action").GetString()).ShouldContain("suspend");
        timeline.Select(e => e.GetProperty("action").GetString()).ShouldContain("resume");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Ladder_YellowThenRedThenPlatform_EachStepOnce_OverdueKeptAfterResolution(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var number = await s.SubmitAsync(body: Scenario.Body(urgency: "urgent"));

        (await PassAsync(app)).Reminded.ShouldBe(0);
        Clock(await s.GetAsync(dispatcher, number), "dispatch").GetProperty("warning").GetString().ShouldBe("none");

        // 80% of 30 minutes: yellow, and the platform is reminded once however often the worker looks.
        app.Clock.Advance(TimeSpan.FromMinutes(24));
        (await PassAsync(app)).Reminded.ShouldBe(1);
        (await PassAsync(app)).Claimed.ShouldBe(0);
        Clock(await s.GetAsync(dispatcher, number), "dispatch").GetProperty("warning").GetString().ShouldBe("yellow");

        app.Clock.Advance(TimeSpan.FromMinutes(7));
        var red = await PassAsync(app);
        (red.Reminded, red.Overdue).ShouldBe((1, 1));
        var detail = Clock(await s.GetAsync(dispatcher, number), "dispatch");
        detail.GetProperty("warning").GetString().ShouldBe("red");
        detail.GetProperty("remainingSeconds").GetInt64().ShouldBeLessThan(0);

        app.Clock.Advance(TimeSpan.FromHours(4));
        (await PassAsync(app)).Reminded.ShouldBe(1);
        app.Clock.Advance(TimeSpan.FromDays(3));
        (await PassAsync(app)).Claimed.ShouldBe(0);

        var record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        record.GetProperty("reminders").EnumerateArray().Select(r => r.GetProperty("level").GetString()).ShouldBe(["unit", "head", "platform"]);
        var timeline = await s.TimelineAsync(dispatcher, number);
        timeline.Count(e => e.GetProperty("action").GetString() == "remind").ShouldBe(3);
        timeline.Count(e => e.GetProperty("action").GetString() == "overdue").ShouldBe(1);

        // Dispatched late: the overdue stays on the platform's record.
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street })).EnsureSuccessStatusCode();
        var overdue = await dispatcher.GetFromJsonAsync<JsonElement>("/api/v1/overdue", Scenario.Json);
        overdue.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("unitCode").GetString().ShouldBe("440300");
        Clock(await s.GetAsync(dispatcher, number), "dispatch", "stopped").GetProperty("overdue").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Restart_AfterALongOutage_CatchesUpInBoundedBatches_SendingOnlyTheLatestStep(string provider)
    {
        await using var app = await FreshAsync(provider, new Dictionary<string, string> { ["Deadlines:BatchSize"] = "2" });
        var s = new Scenario(app);
        for (var i = 0; i < 5; i++)
        {
            await s.SubmitAsync();
        }

        // Nobody looked for three days: every clock is past its warning, its limit and its escalation.
        app.Clock.Advance(TimeSpan.FromDays(3));
        var passes = new List<DeadlineEngine.PassResult>();
        for (var i = 0; i < 4; i++)
        {
            passes.Add(await PassAsync(app));
        }

        passes.Select(p => p.Claimed).ShouldBe([2, 2, 1, 0]);
        passes.Sum(p => p.Reminded).ShouldBe(5);
        passes.Sum(p => p.Overdue).ShouldBe(5);
        await app.WithDbAsync(async db =>
        {
            var reminders = await db.Reminders.ToListAsync();
            reminders.Count(r => !r.Skipped).ShouldBe(5);
            reminders.Where(r => !r.Skipped).ShouldAllBe(r => r.Level == ReminderLevel.Platform);
            reminders.Count(r => r.Skipped).ShouldBe(10);
            (await db.OverdueRecords.CountAsync()).ShouldBe(5);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TwoWorkers_OnOneDatabase_NeverSendTheSameReminderTwice(string provider)
    {
        await using var app = await FreshAsync(provider, new Dictionary<string, string> { ["Deadlines:BatchSize"] = "7" });
        var s = new Scenario(app);
        const int requests = 30;
        for (var i = 0; i < requests; i++)
        {
            await s.SubmitAsync(body: Scenario.Body(urgency: "urgent"));
        }

        // Past the limit, before the escalation: each clock owes exactly one reminder to the head.
        app.Clock.Advance(TimeSpan.FromMinutes(45));
        async Task<int> Worker()
        {
            var reminded = 0;
            for (var idle = 0; idle < 3;)
            {
                var pass = await PassAsync(app);
                reminded += pass.Reminded;
                pass.Failed.ShouldBe(0);
                idle = pass.Claimed == 0 ? idle + 1 : 0;
            }

            return reminded;
        }

        var both = await Task.WhenAll(Worker(), Worker());
        both.Sum().ShouldBe(requests);
        await app.WithDbAsync(async db =>
        {
            var sent = await db.Reminders.Where(r => !r.Skipped).ToListAsync();
            sent.Count.ShouldBe(requests);
            sent.ShouldAllBe(r => r.Level == ReminderLevel.Head);
            sent.Select(r => r.ClockId).Distinct().Count().ShouldBe(requests);
            (await db.OverdueRecords.CountAsync()).ShouldBe(requests);
            (await db.Notifications.CountAsync(n => n.Topic == "Remind" && n.Audience == Audience.UnitHead)).ShouldBe(requests);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SupervisionOrder_HasItsOwnDeadline_AndTheUnitAnswersIt(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.InProgress);
        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");
        var handler = await s.Handler();
        var dispatcher = await s.Dispatcher();

        (await supervisor.PostAsJsonAsync($"/api/v1/requests/{number}/supervise", new { text = "群众反映强烈，请限期办结", days = 0 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await supervisor.PostAsJsonAsync($"/api/v1/requests/{number}/supervise", new { text = "群众反映强烈，请限期办结", days = 2 })).EnsureSuccessStatusCode();
        var record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        var order = record.GetProperty("supervisionOrders").EnumerateArray().ShouldHaveSingleItem();
        order.GetProperty("unitCode").GetString().ShouldBe(Scenario.Street);
        var issuedAt = app.Clock.GetUtcNow().UtcDateTime;
        order.GetProperty("dueAt").GetDateTimeOffset().UtcDateTime.ShouldBe(TimeLimit.WorkingDays(2).DueFrom(issuedAt, await app.WithServiceAsync<Calendars, WorkingCalendar>(c => c.GetAsync())));
        record.GetProperty("clocks").EnumerateArray().ShouldContain(c => c.GetProperty("kind").GetString() == "supervision" && c.GetProperty("status").GetString() == "running");

        // The unit's desk and head are told; the order is answered once, by that unit.
        var inbox = await handler.GetFromJsonAsync<List<JsonElement>>("/api/v1/me/notifications", Scenario.Json);
        var notice = inbox!.First(n => n.GetProperty("trackingNumber").GetString() == number && n.GetProperty("topic").GetString() == "Supervise");
        (await handler.PostAsync($"/api/v1/me/notifications/{notice.GetProperty("id").GetInt64()}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await handler.GetFromJsonAsync<List<JsonElement>>("/api/v1/me/notifications?unread=true", Scenario.Json))!
            .ShouldNotContain(n => n.GetProperty("id").GetInt64() == notice.GetProperty("id").GetInt64());
        (await (await s.Citizen()).PostAsync($"/api/v1/me/notifications/{notice.GetProperty("id").GetInt64()}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The header's count is that of the unread list; marking all read stops at the newest the reader has seen.
        var unread = (await handler.GetFromJsonAsync<List<JsonElement>>("/api/v1/me/notifications?unread=true", Scenario.Json))!;
        (await handler.GetFromJsonAsync<JsonElement>("/api/v1/me/notifications/unread-count")).GetProperty("unread").GetInt32().ShouldBe(unread.Count);
        var seen = unread.Min(n => n.GetProperty("id").GetInt64());
        var marked = await (await handler.PostAsJsonAsync("/api/v1/me/notifications/read-all", new { upTo = seen })).Content.ReadFromJsonAsync<JsonElement>();
        marked.GetProperty("read").GetInt32().ShouldBe(1);
        (await handler.GetFromJsonAsync<JsonElement>("/api/v1/me/notifications/unread-count")).GetProperty("unread").GetInt32().ShouldBe(unread.Count - 1);

        var orderId = order.GetProperty("id").GetInt64();
        (await (await s.Handler(Scenario.Bureau)).PostAsJsonAsync($"/api/v1/requests/{number}/supervision/{orderId}/answer", new { answer = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/supervision/{orderId}/answer", new { answer = "已约谈施工单位，夜间停工" })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/supervision/{orderId}/answer", new { answer = "again" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        record.GetProperty("supervisionOrders")[0].GetProperty("status").GetString().ShouldBe("answered");
        record.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "supervision").GetProperty("status").GetString().ShouldBe("stopped");

        // A reminder by hand goes to the unit holding the request.
        (await supervisor.PostAsJsonAsync($"/api/v1/requests/{number}/remind", new { note = "请今日内回复" })).EnsureSuccessStatusCode();
        record = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);
        record.GetProperty("reminders").EnumerateArray().ShouldContain(r => r.GetProperty("level").GetString() == "manual" && r.GetProperty("unitCode").GetString() == Scenario.Street);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SupervisionDesk_ShowsEachCallerTheExtensionsItMayDecide_AndSupervisorsTheLateRequests(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var districtDispatcher = await app.ClientAsync(Roles.Dispatcher, Scenario.District);

        // One request forwarded to Futian's platform and dispatched there; one dispatched by the city to Nanshan.
        var futian = await s.SubmitAsync();
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{futian}/forward", new { platformUnitCode = Scenario.District })).EnsureSuccessStatusCode();
        (await districtDispatcher.PostAsJsonAsync($"/api/v1/requests/{futian}/dispatch", new { leadUnitCode = Scenario.Street })).EnsureSuccessStatusCode();
        (await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{futian}/accept", new { })).EnsureSuccessStatusCode();
        (await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{futian}/extension", new { days = 2, reason = "需协调供电部门" })).EnsureSuccessStatusCode();
        var nanshan = await s.SubmitAsync();
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{nanshan}/dispatch", new { leadUnitCode = Scenario.OtherStreet })).EnsureSuccessStatusCode();
        var other = await s.Handler(Scenario.OtherStreet);
        (await other.PostAsJsonAsync($"/api/v1/requests/{nanshan}/accept", new { })).EnsureSuccessStatusCode();
        (await other.PostAsJsonAsync($"/api/v1/requests/{nanshan}/extension", new { days = 3, reason = "等待检测报告" })).EnsureSuccessStatusCode();

        // A dispatcher decides the extensions of its own platform's requests (it is the one told of them), and is not
        // shown the late requests to supervise.
        var district = await districtDispatcher.GetStringAsync("/desk/supervise");
        district.ShouldContain($"data-number=\"{futian}\" data-extension=");
        district.ShouldNotContain(nanshan);
        district.ShouldNotContain("data-warned=");
        var city = await dispatcher.GetStringAsync("/desk/supervise");
        city.ShouldContain($"data-number=\"{nanshan}\" data-extension=");
        city.ShouldNotContain(futian);
        (await dispatcher.GetStringAsync("/desk/dispatch")).ShouldContain("id=\"pending-extensions\"");
        WebUtility.HtmlDecode(await dispatcher.GetStringAsync("/desk/dispatch?lang=en")).ShouldContain("1 extension on this platform waits for a decision.");

        // The city's supervisor sees both; once the limits pass their warning point, both requests are listed to remind.
        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");
        var page = await supervisor.GetStringAsync("/desk/supervise");
        page.ShouldContain($"data-number=\"{futian}\" data-extension=");
        page.ShouldContain($"data-number=\"{nanshan}\" data-extension=");
        page.ShouldNotContain("data-warned=");
        app.Clock.Advance(TimeSpan.FromDays(20));
        page = await supervisor.GetStringAsync("/desk/supervise");
        page.ShouldContain($"data-number=\"{futian}\" data-warned=\"Handling\"");
        page.ShouldContain($"data-number=\"{nanshan}\" data-warned=\"Handling\"");

        // A request's page shows what the reader may see: Nanshan's street is told Futian's request does not exist,
        // as it is for a number that does not; a citizen has no such page.
        (await (await s.Handler(Scenario.OtherStreet)).GetAsync($"/requests/{futian}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await s.Handler(Scenario.OtherStreet)).GetAsync("/requests/SZ20990101-000001")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var own = WebUtility.HtmlDecode(await (await s.Handler(Scenario.OtherStreet)).GetStringAsync($"/requests/{nanshan}"));
        own.ShouldContain("申请3个工作日");
        WebUtility.HtmlDecode(await (await s.Handler(Scenario.OtherStreet)).GetStringAsync($"/requests/{nanshan}?lang=en")).ShouldContain("3 working days asked");
        (await (await s.Handler(Scenario.OtherStreet)).GetAsync("/requests/" + Uri.EscapeDataString("工单<script>" + new string('9', 500)))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        WebUtility.HtmlDecode(await (await s.Handler(Scenario.OtherStreet)).GetStringAsync("/requests?n=")).ShouldContain("按工单号查找");
        WebUtility.HtmlDecode(await supervisor.GetStringAsync("/desk/supervise?lang=en")).ShouldContain("Extensions to decide");
        (await (await s.Citizen()).GetAsync($"/requests/{nanshan}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Units and citizens have no supervision desk.
        var refused = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        (await (await s.Handler()).GetAsync("/desk/supervise")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await s.Citizen()).GetAsync("/desk/supervise")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.CreateClient(refused).GetAsync("/desk/supervise")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Extension_LapsesWithItsClock_AndAnOrderIsWithdrawnWhenItsUnitNoLongerLeads(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var handler = await s.Handler();
        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");
        async Task<JsonElement> RecordAsync(string number) => await supervisor.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/deadlines", Scenario.Json);

        // The unit replies while its extension waits: nothing is left to extend, so it lapses and leaves the desk.
        // Reopened, the unit may ask again.
        var number = await s.InStateAsync(RequestState.InProgress);
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 2, reason = "需协调供电部门" })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/reply", new { reply = "已处理" })).EnsureSuccessStatusCode();
        var extension = (await RecordAsync(number)).GetProperty("extensions").EnumerateArray().ShouldHaveSingleItem();
        extension.GetProperty("status").GetString().ShouldBe("lapsed");
        (await supervisor.GetStringAsync("/desk/supervise")).ShouldNotContain($"data-number=\"{number}\" data-extension=");
        var approve = await supervisor.PostAsJsonAsync($"/api/v1/requests/{number}/extension/{extension.GetProperty("id").GetInt64()}/approve", new { });
        approve.IsSuccessStatusCode.ShouldBeFalse();
        (await (await s.Citizen()).PostAsJsonAsync($"/api/v1/requests/{number}/rating", new { rating = "dissatisfied" })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days = 1, reason = "需复查" })).EnsureSuccessStatusCode();

        // An order to the street is withdrawn when the street returns the request: the street's desk no longer shows
        // it, its clock stops, and an answer is refused. Dispatched again, the new lead can be supervised.
        var returned = await s.InStateAsync(RequestState.InProgress);
        (await supervisor.PostAsJsonAsync($"/api/v1/requests/{returned}/supervise", new { text = "请限期办结", days = 2 })).EnsureSuccessStatusCode();
        var order = (await RecordAsync(returned)).GetProperty("supervisionOrders").EnumerateArray().ShouldHaveSingleItem();
        async Task<string> UnitDeskAsync() => WebUtility.HtmlDecode(await handler.GetStringAsync("/desk/unit"));
        (await UnitDeskAsync()).ShouldContain("请限期办结");
        (await handler.PostAsJsonAsync($"/api/v1/requests/{returned}/return", new { reason = "不属于本街道" })).EnsureSuccessStatusCode();
        var record = await RecordAsync(returned);
        record.GetProperty("supervisionOrders")[0].GetProperty("status").GetString().ShouldBe("withdrawn");
        record.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "supervision").GetProperty("status").GetString().ShouldBe("cancelled");
        (await UnitDeskAsync()).ShouldNotContain("请限期办结");
        (await handler.GetFromJsonAsync<List<JsonElement>>("/api/v1/me/notifications?unread=true", Scenario.Json))!
            .ShouldContain(n => n.GetProperty("trackingNumber").GetString() == returned && n.GetProperty("text").GetString()!.StartsWith("督办单已撤回"));
        (await handler.PostAsJsonAsync($"/api/v1/requests/{returned}/supervision/{order.GetProperty("id").GetInt64()}/answer", new { answer = "x" })).IsSuccessStatusCode.ShouldBeFalse();
        (await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{returned}/dispatch", new { leadUnitCode = Scenario.OtherStreet })).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(20));
        (await supervisor.GetStringAsync("/desk/supervise")).ShouldContain($"id=\"order-{returned}-Accept\"");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task List_SortedByDue_PutsTheLeastTimeLeftFirst(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var normal = await s.SubmitAsync();
        var urgent = await s.SubmitAsync(body: Scenario.Body(urgency: "urgent"));
        var fast = await s.SubmitAsync(body: Scenario.Body(urgency: "fast"));
        var dispatcher = await s.Dispatcher();
        (await dispatcher.GetAsync("/api/v1/requests?sort=oldest")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var list = await dispatcher.GetFromJsonAsync<JsonElement>("/api/v1/requests?sort=due", Scenario.Json);
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()).ShouldBe([urgent, fast, normal]);
        app.Clock.Advance(TimeSpan.FromMinutes(25));
        list = await dispatcher.GetFromJsonAsync<JsonElement>("/api/v1/requests?sort=due", Scenario.Json);
        list.GetProperty("items")[0].GetProperty("warning").GetString().ShouldBe("yellow");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Calendar_ShipsTheAnnouncedHolidays_AndAnAdministratorsEditMovesNewDeadlines(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var anonymous = app.CreateClient();
        var year = await anonymous.GetFromJsonAsync<List<JsonElement>>("/api/v1/calendar?year=2026", Scenario.Json);
        year!.ShouldContain(d => d.GetProperty("date").GetString() == "2026-02-14" && d.GetProperty("kind").GetString() == "workday");
        year!.ShouldContain(d => d.GetProperty("date").GetString() == "2026-10-01" && d.GetProperty("kind").GetString() == "holiday");
        (await anonymous.GetAsync("/api/v1/calendar?year=1900")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        (await admin.PutAsJsonAsync("/api/v1/calendar/2026-13-01", new { kind = "holiday" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync("/api/v1/calendar/2026-11-24", new { kind = "party" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync("/api/v1/calendar/2026-11-24", new { kind = "holiday", name = "台风停工" })).EnsureSuccessStatusCode();
        var number = await s.InStateAsync(RequestState.Dispatched);
        Due(Clock(await s.GetAsync(await s.Dispatcher(), number), "handling")).ShouldBe(Local(12, 2, 0));

        (await (await s.Dispatcher()).DeleteAsync("/api/v1/calendar/2026-11-24")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.DeleteAsync("/api/v1/calendar/2026-11-24")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var again = await s.InStateAsync(RequestState.Dispatched);
        Due(Clock(await s.GetAsync(await s.Dispatcher(), again), "handling")).ShouldBe(Local(12, 1, 0));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Outbox_EveryPublicStepTellsTheCitizen_InTheSameTransaction(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("suban-outbox-").FullName;
        await using var app = await FreshAsync(provider, new Dictionary<string, string>
        {
            ["Notifications:Sms:Mode"] = "Folder",
            ["Notifications:Folder"] = folder,
        });
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.Replied);
        await app.WithDbAsync(async db =>
        {
            var id = await db.Requests.Where(r => r.TrackingNumber == number).Select(r => r.Id).SingleAsync();
            var sms = await db.Notifications.Where(n => n.RequestId == id && n.Channel == "sms").OrderBy(n => n.Id).Select(n => n.Topic).ToListAsync();
            sms.ShouldBe(["Submit", "Dispatch", "Accept", "Reply"]);
            (await db.Notifications.CountAsync(n => n.RequestId == id && n.Audience == Audience.Unit && n.Topic == "Dispatch")).ShouldBe(2); // lead and co-handler
        });

        var sent = await app.WithServiceAsync<OutboxDelivery, int>(d => d.RunOnceAsync(CancellationToken.None));
        sent.ShouldBeGreaterThanOrEqualTo(4);
        var files = Directory.GetFiles(folder, "sms-*.json");
        files.Length.ShouldBe(4);
        files.Select(File.ReadAllText).ShouldContain(f => f.Contains(number) && f.Contains("13800138000"));
        (await app.WithServiceAsync<OutboxDelivery, int>(d => d.RunOnceAsync(CancellationToken.None))).ShouldBe(0);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Outbox_FailingChannel_RetriesWithBackoff_ThenGivesUp_AndNeverHoldsUpTheOthers(string provider)
    {
        await using var app = await FreshAsync(provider, new Dictionary<string, string> { ["Notifications:MaxAttempts"] = "3" });
        var flaky = new RecordingChannel("sms", failFirst: 2);
        var broken = new RecordingChannel("email", failFirst: int.MaxValue);
        var factory = app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.RemoveAll<INotificationChannel>();
            services.AddSingleton<INotificationChannel, InAppChannel>();
            services.AddSingleton<INotificationChannel>(flaky);
            services.AddSingleton<INotificationChannel>(broken);
        }));
        async Task<int> Deliver()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().RunOnceAsync(CancellationToken.None);
        }

        long smsId = 0, emailId = 0;
        await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            var sms = new Notification { Channel = "sms", Topic = "Test", Text = "测试短信", Address = "13800138000", CreatedAt = now, NextAttemptAt = now };
            var mail = new Notification { Channel = "email", Topic = "Test", Text = "测试邮件", Address = "head@example.org", CreatedAt = now, NextAttemptAt = now };
            var inApp = new Notification { Channel = "in-app", Topic = "Test", Text = "站内", CreatedAt = now, NextAttemptAt = now };
            db.Notifications.AddRange(sms, mail, inApp);
            await db.SaveChangesAsync();
            (smsId, emailId) = (sms.Id, mail.Id);
        });

        (await Deliver()).ShouldBe(1); // in-app goes; sms and e-mail fail their first attempt
        (await Deliver()).ShouldBe(0); // nothing is due again yet
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        (await Deliver()).ShouldBe(0); // second attempts fail
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        (await Deliver()).ShouldBe(1); // third: sms goes, e-mail gives up
        app.Clock.Advance(TimeSpan.FromHours(2));
        (await Deliver()).ShouldBe(0);

        flaky.Sent.ShouldBe([smsId]);
        broken.Attempts.ShouldBe(3);
        await app.WithDbAsync(async db =>
        {
            var mail = await db.Notifications.SingleAsync(n => n.Id == emailId);
            mail.Status.ShouldBe(DeliveryStatus.Dead);
            mail.LastError!.ShouldContain("gateway down");
            mail.LastError!.ShouldNotContain("head@example.org");
            (await db.Notifications.SingleAsync(n => n.Id == smsId)).Status.ShouldBe(DeliveryStatus.Sent);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Outbox_TwoDeliveryWorkersAtOnce_SendEachNotificationOnce(string provider)
    {
        await using var app = await FreshAsync(provider, new Dictionary<string, string> { ["Notifications:BatchSize"] = "9" });
        var channel = new RecordingChannel("sms", failFirst: 0);
        var factory = app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.RemoveAll<INotificationChannel>();
            services.AddSingleton<INotificationChannel>(channel);
        }));
        await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            db.Notifications.AddRange(Enumerable.Range(0, 60).Select(i => new Notification { Channel = "sms", Topic = "Test", Text = $"第{i}条", Address = "13800138000", CreatedAt = now, NextAttemptAt = now }));
            await db.SaveChangesAsync();
        });

        async Task<int> Worker()
        {
            var total = 0;
            for (var idle = 0; idle < 3;)
            {
                await using var scope = factory.Services.CreateAsyncScope();
                var sent = await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().RunOnceAsync(CancellationToken.None);
                total += sent;
                idle = sent == 0 ? idle + 1 : 0;
            }

            return total;
        }

        (await Task.WhenAll(Worker(), Worker())).Sum().ShouldBe(60);
        channel.Sent.Count.ShouldBe(60);
        channel.Sent.Distinct().Count().ShouldBe(60);
    }

    /// <summary>A channel that fails its first attempts per notification, then records what it sent.</summary>
    private sealed class RecordingChannel(string name, int failFirst) : INotificationChannel
    {
        private readonly ConcurrentDictionary<long, int> tries = new();

        public string Name => name;

        public ConcurrentQueue<long> SentQueue { get; } = new();

        public List<long> Sent => [.. SentQueue];

        public int Attempts => tries.Values.Sum();

        public Task SendAsync(Notification notification, CancellationToken cancellationToken)
        {
            var attempt = tries.AddOrUpdate(notification.Id, 1, (_, n) => n + 1);
            if (attempt <= failFirst)
            {
                throw new HttpRequestException("gateway down");
            }

            SentQueue.Enqueue(notification.Id);
            return Task.CompletedTask;
        }
    }
}
