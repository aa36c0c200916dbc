using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Suban.Core.Deadlines;
using Suban.Web.Deadlines;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class LeagueTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task League_CountsEachUnitsWork_AndRanksOnTimeFirst(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var citizen = await s.Citizen();
        var street = await s.Handler();
        var other = await s.Handler(Scenario.OtherStreet);
        async Task Post(HttpClient client, string number, string action, object body) =>
            (await client.PostAsJsonAsync($"/api/v1/requests/{number}/{action}", body)).EnsureSuccessStatusCode();

        // 福田街道: one on time and satisfied, one late (accept and handling both overdue) and dissatisfied.
        await s.InStateAsync(Core.Lifecycle.RequestState.Closed, citizen);
        var late = await s.SubmitAsync(citizen);
        await Post(dispatcher, late, "dispatch", new { leadUnitCode = Scenario.Street });
        app.Clock.Advance(TimeSpan.FromDays(10));
        await app.WithServiceAsync<DeadlineEngine, DeadlineEngine.PassResult>(e => e.RunOnceAsync(CancellationToken.None));
        await Post(street, late, "accept", new { });
        await Post(street, late, "reply", new { reply = "已处理" });
        await Post(citizen, late, "rating", new { rating = "dissatisfied" });

        // 粤海街道: one on time and satisfied.
        var good = await s.SubmitAsync(citizen);
        await Post(dispatcher, good, "dispatch", new { leadUnitCode = Scenario.OtherStreet });
        await Post(other, good, "accept", new { });
        await Post(other, good, "reply", new { reply = "已处理" });
        await Post(citizen, good, "rating", new { rating = "basicallySatisfied" });

        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");
        (await supervisor.GetAsync("/api/v1/league?period=fortnight")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await supervisor.GetAsync("/api/v1/league?date=2026-02-30")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await citizen.GetAsync("/api/v1/league")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var league = await supervisor.GetFromJsonAsync<JsonElement>("/api/v1/league?period=year&date=2026-11-23", Scenario.Json);
        league.GetProperty("period").GetString().ShouldBe("2026");
        var rows = league.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("unitCode").GetString()).ShouldBe([Scenario.OtherStreet, Scenario.Street]);

        var first = rows[0];
        (first.GetProperty("rank").GetInt32(), first.GetProperty("received").GetInt32(), first.GetProperty("onTimeRate").GetDouble(), first.GetProperty("satisfactionRate").GetDouble())
            .ShouldBe((1, 1, 1.0, 1.0));
        var second = rows[1];
        second.GetProperty("received").GetInt32().ShouldBe(2);
        second.GetProperty("finished").GetInt32().ShouldBe(2);
        second.GetProperty("onTimeRate").GetDouble().ShouldBe(0.5);
        second.GetProperty("overdue").GetInt32().ShouldBe(2);
        second.GetProperty("satisfactionRate").GetDouble().ShouldBe(0.5);
        second.GetProperty("reopenRate").GetDouble().ShouldBe(0.5);
        second.GetProperty("p90HandlingHours").GetDouble().ShouldBeGreaterThan(240 - 1);
        second.GetProperty("previousRank").ValueKind.ShouldBe(JsonValueKind.Null);

        var page = await supervisor.GetAsync("/league?period=year&date=2026-11-23");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("单位排行榜");
        html.ShouldContain("50.0%");
    }

    [Fact]
    public void Periods_AreShenzhenCalendarPeriods_WithTheOneBefore()
    {
        var week = Period.Containing(PeriodKind.Week, new DateOnly(2026, 11, 22)); // a Sunday
        (week.First, week.End).ShouldBe((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 23)));
        week.From.ShouldBe(new DateTime(2026, 11, 15, 16, 0, 0, DateTimeKind.Utc));
        Period.Containing(PeriodKind.Quarter, new DateOnly(2026, 11, 22)).First.ShouldBe(new DateOnly(2026, 10, 1));
        Period.Containing(PeriodKind.Month, new DateOnly(2026, 1, 5)).Previous().Label.ShouldBe("2025-12");
        Period.Containing(PeriodKind.Year, new DateOnly(2026, 1, 5)).Previous().Label.ShouldBe("2025");
        WorkingCalendar.LocalDate(week.To).ShouldBe(new DateOnly(2026, 11, 23));
    }
}
