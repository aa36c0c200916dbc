using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class IntakeTests(Apps apps) : IClassFixture<Apps>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    public static TheoryData<string, string, string> BadBodies()
    {
        var data = new TheoryData<string, string, string>();
        var good = JsonSerializer.Serialize(Scenario.Body());
        string With(string field, object? value)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(good)!.AsObject();
            var parts = field.Split('.');
            var target = parts.Length == 1 ? node : node[parts[0]]!.AsObject();
            target[parts[^1]] = value is null ? null : System.Text.Json.Nodes.JsonValue.Create(value);
            return node.ToJsonString();
        }

        foreach (var provider in TestDatabases.Providers())
        {
            data.Add(provider, With("title", null), "title");
            data.Add(provider, With("title", new string('长', 201)), "title");
            data.Add(provider, With("description", ""), "description");
            data.Add(provider, With("description", new string('字', 10_001)), "description");
            data.Add(provider, With("type", "complaints"), "type");
            data.Add(provider, With("type", 1), "type");
            data.Add(provider, With("urgency", "asap"), "urgency");
            data.Add(provider, With("channel", "fax"), "channel");
            data.Add(provider, With("channel", "hotline"), "channel");
            data.Add(provider, With("contact.phone", "not a phone"), "contact.phone");
            data.Add(provider, With("contact.phone", null), "contact.phone");
            data.Add(provider, With("place.address", null), "place");
            data.Add(provider, With("place.latitude", 22.54), "place.longitude");
            data.Add(provider, good.Replace("\"place\":{", "\"place\":{\"latitude\":39.9,\"longitude\":116.4,"), "place.latitude");
            data.Add(provider, good.Replace("\"place\":{", "\"place\":{\"latitude\":22.54,\"longitude\":120.1,"), "place.longitude");
            data.Add(provider, With("title", 42), "title");
            data.Add(provider, """{"type":"complaint","title":""", "title");
            data.Add(provider, """{"type":"complaint",""", "body");
            data.Add(provider, "[1,2,3]", "body");
            data.Add(provider, "", "body");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Submit_BadInput_ValidationProblemNamingTheFieldAndNothingWritten(string provider, string body, string field)
    {
        var app = await apps.For(provider);
        var before = await app.WithDbAsync(db => db.Requests.CountAsync());

        var response = await app.CreateClient().PostAsync("/api/v1/requests", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldContain(field);
        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_WrongContentType_415Problem(string provider)
    {
        var app = await apps.For(provider);
        var response = await app.CreateClient().PostAsync("/api/v1/requests", new StringContent("title=x", Encoding.UTF8, "text/plain"));
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_CommittedBeforeTheAnswer_WithADailySequence(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var first = await s.SubmitAsync();
        var second = await s.SubmitAsync();

        // The answer came after the commit: a fresh context sees the request, with its first event.
        var stored = await app.WithDbAsync(db => db.Requests.Include(r => r.Events).SingleAsync(r => r.TrackingNumber == first));
        stored.Events.OrderBy(e => e.Id).First().Action.ShouldBe(Suban.Core.Lifecycle.RequestAction.Submit);
        stored.Title.ShouldBe("小区门口工地夜间施工噪音扰民");

        // Local (Shanghai) date of the fake clock, then consecutive sequence numbers.
        first.ShouldStartWith("SZ20261123-");
        long.Parse(second[^6..]).ShouldBe(long.Parse(first[^6..]) + 1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_ConcurrentIntake_EveryRequestGetsItsOwnNumber(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var client = await s.Citizen("burst");
        var numbers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => s.SubmitAsync(client)));
        numbers.Distinct().Count().ShouldBe(20);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_ABurstWhenTheCalendarMustBeReread_NeverStarvesTheConnectionPool(string provider)
    {
        // Four connections; the cached working calendar has gone stale. Intake holding a connection and the day's
        // tracking-number lock must not need a second connection to reread it while the others wait on that lock.
        await using var app = await SubanApp.StartAsync(provider, poolSize: 4);
        var s = new Scenario(app);
        var client = await s.Citizen("burst");
        await s.SubmitAsync(client);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var numbers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => s.SubmitAsync(client)));
        numbers.Distinct().Count().ShouldBe(12);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_SameIdempotencyKey_SameRequest_DifferentBody_409(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> Send(object body)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/requests") { Content = JsonContent.Create(body) };
            message.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(message);
        }

        var first = await Send(Scenario.Body());
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var retry = await Send(Scenario.Body());
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trackingNumber").GetString()
            .ShouldBe((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trackingNumber").GetString());

        var different = await Send(Scenario.Body(title: "另一件事"));
        different.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        different.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_SameChannelAndExternalId_SameRequest(string provider)
    {
        var app = await apps.For(provider);
        var callTaker = await new Scenario(app).CallTaker();
        var externalId = $"CALL-{Guid.NewGuid():N}";
        var body = new { type = "help", title = "老人走失求助", description = "家中老人早上出门后一直未归，请求帮助寻找。", place = new { address = "南山区粤海街道" }, contact = new { phone = "0755-12345678" }, channel = "hotline", urgency = "urgent", externalId };

        var first = await callTaker.PostAsJsonAsync("/api/v1/requests", body);
        var again = await callTaker.PostAsJsonAsync("/api/v1/requests", body);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.WithDbAsync(db => db.Requests.CountAsync(r => r.ExternalId == externalId))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_WithPhotos_StoredAndServedBack(string provider)
    {
        // An app of its own: the dispatcher's desk below shows the oldest 200 waiting requests.
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var citizen = await s.Citizen("photographer");
        using var form = Multipart(Scenario.Body(), Png, Png);

        var response = await citizen.PostAsync("/api/v1/requests", form);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trackingNumber").GetString()!;

        (await s.GetAsync(citizen, number)).GetProperty("photoCount").GetInt32().ShouldBe(2);
        var photo = await citizen.GetAsync($"/api/v1/requests/{number}/photos/1");
        photo.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        (await photo.Content.ReadAsByteArrayAsync()).ShouldBe(Png);

        // Another citizen cannot fetch it.
        (await (await s.Citizen("someone-else")).GetAsync($"/api/v1/requests/{number}/photos/1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The citizen's page and the dispatcher's desk show them as thumbnails, each opening the picture it shows.
        var positions = await app.WithDbAsync(db => db.Photos.Where(p => db.Requests.Any(r => r.Id == p.RequestId && r.TrackingNumber == number)).OrderBy(p => p.Position).Select(p => p.Position).ToListAsync());
        positions.Count.ShouldBe(2);
        foreach (var page in new[] { await citizen.GetStringAsync("/me"), await (await s.Dispatcher()).GetStringAsync("/desk/dispatch") })
        {
            foreach (var position in positions)
            {
                page.ShouldContain($"<img src=\"/api/v1/requests/{number}/photos/{position}\"");
            }
        }
    }

    public static TheoryData<string, string, string> BadPhotos()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var provider in TestDatabases.Providers())
        {
            data.Add(provider, "ten", "photos");
            data.Add(provider, "text", "photos[1]");
            data.Add(provider, "huge", "photos[0]");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadPhotos))]
    public async Task Submit_BadPhotos_NamedAndNothingWritten(string provider, string kind, string field)
    {
        var app = await apps.For(provider);
        var before = await app.WithDbAsync(db => db.Requests.CountAsync());
        var huge = new byte[10 * 1024 * 1024 + 1];
        Png.CopyTo(huge, 0);
        byte[][] photos = kind switch
        {
            "ten" => Enumerable.Repeat(Png, 10).ToArray(),
            "text" => [Png, Encoding.UTF8.GetBytes("not really a jpeg")],
            _ => [huge],
        };

        using var form = Multipart(Scenario.Body(), photos);
        var response = await app.CreateClient().PostAsync("/api/v1/requests", form);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldContain(field);
        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_StaffOtherThanCallTakers_403(string provider)
    {
        var app = await apps.For(provider);
        var handler = await new Scenario(app).Handler();
        (await handler.PostAsJsonAsync("/api/v1/requests", Scenario.Body())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static MultipartFormDataContent Multipart(object body, params byte[][] photos)
    {
        var form = new MultipartFormDataContent { { new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8), "request" } };
        for (var i = 0; i < photos.Length; i++)
        {
            var file = new ByteArrayContent(photos[i]);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "photos", $"photo{i}.jpg");
        }

        return form;
    }
}
