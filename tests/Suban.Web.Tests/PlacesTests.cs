using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class PlacesTests(Apps apps) : IClassFixture<Apps>
{
    // Two made-up squares: no real boundary is shipped or needed.
    private const string TwoDistricts = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"440304"},"geometry":{"type":"Polygon","coordinates":[[[114.00,22.50],[114.10,22.50],[114.10,22.60],[114.00,22.60],[114.00,22.50]]]}},
          {"type":"Feature","properties":{"code":"440305"},"geometry":{"type":"Polygon","coordinates":[[[113.85,22.48],[113.99,22.48],[113.99,22.60],[113.85,22.60],[113.85,22.48]]]}}]}
        """;

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Intake_ResolvesTheAddress_AndAnUnknownPlaceStillGetsIn(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var dispatcher = await s.Dispatcher();

        var known = await s.SubmitAsync(body: Scenario.Body(address: "深圳市南山区粤海街道科技园"));
        var detail = await s.GetAsync(dispatcher, known);
        detail.GetProperty("districtCode").GetString().ShouldBe("440305");
        detail.GetProperty("streetCode").GetString().ShouldBe("440305007");

        var unknown = await s.SubmitAsync(body: Scenario.Body(address: "我家楼下"));
        (await s.GetAsync(dispatcher, unknown)).GetProperty("districtCode").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Boundaries_Imported_LocateCoordinates(string provider)
    {
        var app = await apps.For(provider);
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        var dispatcher = await new Scenario(app).Dispatcher();
        var before = await dispatcher.GetFromJsonAsync<JsonElement>("/api/v1/places/resolve?latitude=22.55&longitude=114.05", Scenario.Json);
        before.GetProperty("districtCode").ValueKind.ShouldBe(JsonValueKind.Null);

        var imported = await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent(TwoDistricts, Encoding.UTF8, "application/json"));
        imported.StatusCode.ShouldBe(HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());

        var inFutian = await dispatcher.GetFromJsonAsync<JsonElement>("/api/v1/places/resolve?latitude=22.55&longitude=114.05", Scenario.Json);
        inFutian.GetProperty("districtCode").GetString().ShouldBe("440304");
        inFutian.GetProperty("source").GetString().ShouldBe("coordinates");

        // The text names a street in the district the point lies in: both agree, and the street is kept.
        var both = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/places/resolve?address={Uri.EscapeDataString("福田区福田街道")}&latitude=22.55&longitude=114.05", Scenario.Json);
        both.GetProperty("streetCode").GetString().ShouldBe("440304004");

        (await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent("{\"type\":\"Nope\"}", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent(TwoDistricts.Replace("440305", "999999"), Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await dispatcher.PostAsync("/api/v1/places/boundaries/district", new StringContent(TwoDistricts, Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Responsibility_Explained_ForAPreviewAndForARequest(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();

        // A noise matter led by the street where it happens.
        var noise = await app.CreateClient().GetFromJsonAsync<List<JsonElement>>("/api/v1/catalogue?q=" + Uri.EscapeDataString("装修"), Scenario.Json);
        var code = noise!.First().GetProperty("code").GetString()!;
        var preview = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/responsibility?matterCode={code}&address={Uri.EscapeDataString("福田区梅林街道梅林一村")}", Scenario.Json);
        preview.GetProperty("place").GetProperty("streetCode").GetString().ShouldBe("440304007");
        preview.GetProperty("decision").GetProperty("reasons").EnumerateArray().ShouldNotBeEmpty();

        var body = new { type = "complaint", title = "楼上装修太吵", description = "楼上装修每天早上七点就开始电钻", place = new { address = "福田区福田街道" }, contact = new { phone = "13800138000" }, channel = "web", matterCode = code };
        var number = await s.SubmitAsync(await s.Citizen(), body);
        var explained = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{number}/responsibility", Scenario.Json);
        explained.GetProperty("matterCode").GetString().ShouldBe(code);
        var decision = explained.GetProperty("decision");
        (decision.GetProperty("leadUnitCode").GetString() ?? decision.GetProperty("platformUnitCode").GetString()).ShouldStartWith("440304");

        (await dispatcher.GetAsync("/api/v1/responsibility?matterCode=99.99.999")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var withoutMatter = await s.SubmitAsync();
        (await dispatcher.GetAsync($"/api/v1/requests/{withoutMatter}/responsibility")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }
}
