using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class TrackingTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Handler_OfAnotherStreet_CannotReadTheRequest(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var number = await s.InStateAsync(RequestState.Dispatched);

        (await s.GetAsync(await s.Handler(Scenario.Street), number)).GetProperty("state").GetString().ShouldBe("dispatched");
        var other = await s.Handler(Scenario.OtherStreet);
        (await other.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.GetAsync($"/api/v1/requests/{number}/timeline")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await other.GetFromJsonAsync<JsonElement>("/api/v1/requests?pageSize=200", Scenario.Json);
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()).ShouldNotContain(number);
        (await other.PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DistrictStaff_SeeTheirStreetsButNotOtherDistricts(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.Dispatched);
        var futianSupervisor = await app.ClientAsync(Roles.Supervisor, Scenario.District);
        var nanshanSupervisor = await app.ClientAsync(Roles.Supervisor, "440305");

        (await futianSupervisor.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await nanshanSupervisor.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Citizen_SeesOwnRequestsOnly(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var alice = await s.Citizen("alice");
        var bob = await s.Citizen("bob");
        var number = await s.SubmitAsync(alice);

        (await bob.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var bobs = await bob.GetFromJsonAsync<JsonElement>("/api/v1/requests", Scenario.Json);
        bobs.GetProperty("total").GetInt32().ShouldBe(0);
        var alices = await alice.GetFromJsonAsync<JsonElement>("/api/v1/requests", Scenario.Json);
        alices.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()).ShouldBe([number]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AnonymousContact_HiddenFromUnits_ShownToPlatform(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var citizen = await s.Citizen("shy");
        var number = await s.SubmitAsync(citizen, Scenario.Body(anonymous: true));
        await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street });

        (await s.GetAsync(await s.Handler(), number)).GetProperty("contact").ValueKind.ShouldBe(JsonValueKind.Null);
        (await s.GetAsync(await s.Dispatcher(), number)).GetProperty("contact").GetProperty("phone").GetString().ShouldBe("13800138000");
        (await s.GetAsync(citizen, number)).GetProperty("contact").GetProperty("phone").GetString().ShouldBe("13800138000");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task IllegalChange_409ProblemNamingStateAndAction(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var number = await s.InStateAsync(RequestState.Closed);

        var response = await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("type").GetString().ShouldBe(ProblemTypes.IllegalTransition);
        problem.GetProperty("state").GetString().ShouldBe("Closed");
        problem.GetProperty("action").GetString().ShouldBe("Dispatch");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CoHandler_CannotReply_LeadCannotReportAPart(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var number = await s.InStateAsync(RequestState.InProgress);
        (await (await s.Handler(Scenario.Bureau)).PostAsJsonAsync($"/api/v1/requests/{number}/reply", new { reply = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await s.Handler(Scenario.Street)).PostAsJsonAsync($"/api/v1/requests/{number}/part-report", new { note = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Return_WithoutReason_NamesTheField(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var number = await s.InStateAsync(RequestState.Dispatched);
        var response = await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{number}/return", new { reason = "  " });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("reason").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task UnknownOrMalformedTrackingNumber_404Or400(string provider)
    {
        var dispatcher = await new Scenario(await apps.For(provider)).Dispatcher();
        var unknown = await dispatcher.GetAsync("/api/v1/requests/SZ19990101-999999");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString().ShouldBe("trackingNumber");
        var malformed = await dispatcher.GetAsync("/api/v1/requests/hello");
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("trackingNumber").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task List_FiltersAndPages(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var callTaker = await s.CallTaker();
        var marker = Guid.NewGuid().ToString("N")[..8];
        var from = app.Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await s.SubmitAsync(callTaker, Scenario.Body(title: $"求助 {marker} {i}", type: "help", channel: "hotline", urgency: "urgent"));
        }

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var dispatcher = await s.Dispatcher();
        var page = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests?type=help&channel=hotline&urgency=urgent&state=submitted&from={Uri.EscapeDataString(from.ToString("O"))}&pageSize=2", Scenario.Json);
        page.GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
        page.GetProperty("items").GetArrayLength().ShouldBe(2);
        page.GetProperty("items").EnumerateArray().ShouldAllBe(i => i.GetProperty("type").GetString() == "help" && i.GetProperty("channel").GetString() == "hotline");

        foreach (var bad in new[] { "state=nope", "pageSize=0", "pageSize=1000", "page=0", "unitCode=XYZ", "type=3", "from=yesterday" })
        {
            var response = await dispatcher.GetAsync($"/api/v1/requests?{bad}");
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            var field = bad.Split('=')[0];
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(bad);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Lookup_TrackingNumberAndPhoneDigits_PublicStatusOnly(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.InStateAsync(RequestState.InProgress);
        var anonymous = app.CreateClient();

        var found = await anonymous.GetAsync($"/api/v1/lookup?trackingNumber={number}&phoneLast4=8000");
        found.StatusCode.ShouldBe(HttpStatusCode.OK);
        var status = await found.Content.ReadFromJsonAsync<JsonElement>();
        status.GetProperty("state").GetString().ShouldBe("inProgress");
        status.GetProperty("timeline").EnumerateArray().ShouldAllBe(e => e.GetProperty("isPublic").GetBoolean());
        status.TryGetProperty("contact", out _).ShouldBeFalse();
        status.TryGetProperty("description", out _).ShouldBeFalse();

        var wrongDigits = await anonymous.GetAsync($"/api/v1/lookup?trackingNumber={number}&phoneLast4=1234");
        var unknown = await anonymous.GetAsync("/api/v1/lookup?trackingNumber=SZ19990101-000001&phoneLast4=8000");
        wrongDigits.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await wrongDigits.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()
            .ShouldBe((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        (await anonymous.GetAsync($"/api/v1/lookup?trackingNumber={number}&phoneLast4=12")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Lookup_RateLimited_429Problem()
    {
        await using var app = await SubanApp.StartAsync(TestDatabases.Sqlite, new Dictionary<string, string> { ["Intake:LookupPermitsPerMinute"] = "3" });
        var anonymous = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await anonymous.GetAsync("/api/v1/lookup?trackingNumber=SZ20261123-000001&phoneLast4=0000")).StatusCode);
        }

        statuses.Take(3).ShouldAllBe(c => c == HttpStatusCode.NotFound);
        statuses.Skip(3).ShouldAllBe(c => c == HttpStatusCode.TooManyRequests);
        var limited = await anonymous.GetAsync("/api/v1/lookup?trackingNumber=SZ20261123-000001&phoneLast4=0000");
        limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
