using System.Net;
using System.Net.Http.Json;
using Suban.Core.Lifecycle;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class MergeTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Merge_DuplicateFollowsTheMaster_EveryCitizenGetsTheReplyAndRates(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var alice = await s.Citizen("merge-alice");
        var bob = await s.Citizen("merge-bob");
        var master = await s.SubmitAsync(alice);
        var duplicate = await s.SubmitAsync(bob);
        var dispatcher = await s.Dispatcher();

        (await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{duplicate}/merge", new { masterTrackingNumber = master })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{duplicate}/merge", new { masterTrackingNumber = duplicate })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var merged = await dispatcher.PostAsJsonAsync($"/api/v1/requests/{duplicate}/merge", new { masterTrackingNumber = master });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        (await s.GetAsync(bob, duplicate)).GetProperty("state").GetString().ShouldBe("merged");

        // A merged request cannot be merged into, nor dispatched.
        var third = await s.SubmitAsync(bob);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{third}/merge", new { masterTrackingNumber = duplicate })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{duplicate}/dispatch", new { leadUnitCode = Scenario.Street })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // The master is handled; the reply reaches the duplicate's citizen too.
        var handler = await s.Handler();
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{master}/dispatch", new { leadUnitCode = Scenario.Street })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{master}/accept", new { })).EnsureSuccessStatusCode();
        (await handler.PostAsJsonAsync($"/api/v1/requests/{master}/reply", new { reply = "工地已停止夜间施工" })).EnsureSuccessStatusCode();

        var followed = await s.GetAsync(bob, duplicate);
        followed.GetProperty("state").GetString().ShouldBe("replied");
        var timeline = await s.TimelineAsync(bob, duplicate);
        timeline[^1].GetProperty("action").GetString().ShouldBe("followMaster");
        timeline[^1].GetProperty("note").GetString()!.ShouldContain("工地已停止夜间施工");

        // Bob is not satisfied: his request reopens to the unit that handled the master, which answers him.
        var reopened = await bob.PostAsJsonAsync($"/api/v1/requests/{duplicate}/rating", new { rating = "dissatisfied" });
        reopened.StatusCode.ShouldBe(HttpStatusCode.OK, await reopened.Content.ReadAsStringAsync());
        var again = await handler.PostAsJsonAsync($"/api/v1/requests/{duplicate}/reply", new { reply = "再次核查，已加强夜间巡查" });
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        (await bob.PostAsJsonAsync($"/api/v1/requests/{duplicate}/rating", new { rating = "satisfied" })).EnsureSuccessStatusCode();
        (await s.GetAsync(bob, duplicate)).GetProperty("state").GetString().ShouldBe("closed");

        // Alice rates her own.
        (await alice.PostAsJsonAsync($"/api/v1/requests/{master}/rating", new { rating = "satisfied" })).EnsureSuccessStatusCode();
    }
}
