using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class JourneyTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Request_WholeLife_EveryStepOnTheTimeline(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var citizen = await s.Citizen("journey-citizen");
        var dispatcher = await s.Dispatcher();
        var lead = await s.Handler(Scenario.Street);
        var co = await s.Handler(Scenario.Bureau);
        var staffSteps = new List<string> { "submit", "route" };
        var publicSteps = new List<string> { "submit" };

        var number = await s.SubmitAsync(citizen);
        number.ShouldMatch(@"^SZ20261123-\d{6}$");
        await ExpectAsync("submitted");

        await StepAsync(dispatcher, "dispatch", new { leadUnitCode = Scenario.Street, coUnitCodes = new[] { Scenario.Bureau }, note = "请尽快核查" }, "dispatched", isPublic: true);
        var dispatched = await s.GetAsync(dispatcher, number);
        dispatched.GetProperty("assignments").EnumerateArray().Select(a => (a.GetProperty("unit").GetProperty("code").GetString(), a.GetProperty("isLead").GetBoolean()))
            .ShouldBe([(Scenario.Street, true), (Scenario.Bureau, false)]);

        await StepAsync(lead, "accept", new { }, "inProgress", isPublic: true);
        await StepAsync(co, "part-report", new { note = "已到现场核查施工许可，夜间施工许可未办理" }, "inProgress", isPublic: false);
        var afterPart = await s.GetAsync(lead, number);
        afterPart.GetProperty("assignments")[1].GetProperty("partReport").GetString().ShouldBe("已到现场核查施工许可，夜间施工许可未办理");

        await StepAsync(lead, "reply", new { reply = "已责令工地停止夜间施工" }, "replied", isPublic: true);
        await StepAsync(citizen, "rating", new { rating = "dissatisfied", comment = "晚上还在施工" }, "reopened", isPublic: true, action: "rateDissatisfied");
        (await s.GetAsync(citizen, number)).GetProperty("reopenCount").GetInt32().ShouldBe(1);

        await StepAsync(lead, "reply", new { reply = "已联合执法，工地已停工整改" }, "replied", isPublic: true);
        await StepAsync(citizen, "rating", new { rating = "satisfied" }, "closed", isPublic: true, action: "rateSatisfied");

        var closed = await s.GetAsync(citizen, number);
        closed.GetProperty("rating").GetString().ShouldBe("satisfied");
        closed.GetProperty("closedAt").ValueKind.ShouldBe(JsonValueKind.String);

        async Task StepAsync(HttpClient client, string path, object body, string toState, bool isPublic, string? action = null)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(7));
            var response = await client.PostAsJsonAsync($"/api/v1/requests/{number}/{path}", body);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var step = action ?? path switch { "part-report" => "reportPart", _ => path };
            staffSteps.Add(step);
            if (isPublic)
            {
                publicSteps.Add(step);
            }

            await ExpectAsync(toState);
        }

        async Task ExpectAsync(string state)
        {
            (await s.GetAsync(dispatcher, number)).GetProperty("state").GetString().ShouldBe(state);

            var staffView = await s.TimelineAsync(dispatcher, number);
            staffView.Select(e => e.GetProperty("action").GetString()).ShouldBe(staffSteps);
            staffView[^1].GetProperty("toState").GetString().ShouldBe(state);
            staffView.Select(e => e.GetProperty("at").GetDateTimeOffset()).ShouldBeInOrder();
            for (var i = 1; i < staffView.Count; i++)
            {
                // Each step starts where the previous one ended.
                staffView[i].GetProperty("fromState").GetString().ShouldBe(staffView[i - 1].GetProperty("toState").GetString());
            }

            var citizenView = await s.TimelineAsync(citizen, number);
            citizenView.Select(e => e.GetProperty("action").GetString()).ShouldBe(publicSteps);
            citizenView.ShouldAllBe(e => e.GetProperty("isPublic").GetBoolean());
            citizenView.ShouldAllBe(e => e.EnumerateObject().All(p => p.Name != "actorUserId"));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Return_ThenRedispatch_GoesToTheNewUnitOnly(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var number = await s.InStateAsync(Suban.Core.Lifecycle.RequestState.Returned);
        var dispatcher = await s.Dispatcher();
        (await s.GetAsync(dispatcher, number)).GetProperty("state").GetString().ShouldBe("returned");

        var response = await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.OtherStreet });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        // The street that returned it no longer sees it; the new one does.
        (await (await s.Handler(Scenario.Street)).GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await s.GetAsync(await s.Handler(Scenario.OtherStreet), number)).GetProperty("state").GetString().ShouldBe("dispatched");
        var timeline = await s.TimelineAsync(dispatcher, number);
        timeline.Single(e => e.GetProperty("action").GetString() == "return").GetProperty("note").GetString().ShouldBe("不属于本单位职责");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Forward_ToDistrict_LetsTheDistrictDispatcherDispatch(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.SubmitAsync();
        var districtDispatcher = await app.ClientAsync(Infrastructure.Roles.Dispatcher, Scenario.District);
        (await districtDispatcher.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var forwarded = await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{number}/forward", new { platformUnitCode = Scenario.District });
        forwarded.StatusCode.ShouldBe(HttpStatusCode.OK, await forwarded.Content.ReadAsStringAsync());

        var dispatched = await districtDispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street });
        dispatched.StatusCode.ShouldBe(HttpStatusCode.OK);

        // A district dispatches within its district (and to city departments), not to another district's street.
        var other = await s.SubmitAsync();
        await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{other}/forward", new { platformUnitCode = Scenario.District });
        var outside = await districtDispatcher.PostAsJsonAsync($"/api/v1/requests/{other}/dispatch", new { leadUnitCode = Scenario.OtherStreet });
        outside.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await outside.Content.ReadAsStringAsync()).ShouldContain("leadUnitCode");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AutoClose_UnratedReplyPastThePeriod_ClosesOnceAsTheSystem(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(Suban.Core.Lifecycle.RequestState.Replied);

        app.Clock.Advance(TimeSpan.FromDays(6));
        (await app.WithServiceAsync<Ratings.AutoCloser, int>(c => c.RunOnceAsync(default))).ShouldBe(0);

        app.Clock.Advance(TimeSpan.FromDays(1.5));
        (await app.WithServiceAsync<Ratings.AutoCloser, int>(c => c.RunOnceAsync(default))).ShouldBeGreaterThanOrEqualTo(1);
        (await app.WithServiceAsync<Ratings.AutoCloser, int>(c => c.RunOnceAsync(default))).ShouldBe(0);

        var dispatcher = await s.Dispatcher();
        (await s.GetAsync(dispatcher, number)).GetProperty("state").GetString().ShouldBe("closed");
        var last = (await s.TimelineAsync(dispatcher, number))[^1];
        last.GetProperty("action").GetString().ShouldBe("autoClose");
        last.GetProperty("actor").GetProperty("role").GetString().ShouldBe("system");
    }
}
