using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;

namespace Suban.Web.Tests.Support;

/// <summary>Builds requests in a wanted state through the real API, with defaults a test overrides as it needs.</summary>
public sealed class Scenario(SubanApp app)
{
    public const string Street = "440304004";          // 福田街道
    public const string OtherStreet = "440305007";     // 粤海街道
    public const string Bureau = "440304-ZJ";          // 福田区住房和建设局
    public const string District = "440304";           // 福田区

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public SubanApp App => app;

    public Task<HttpClient> Citizen(string name = "citizen") => app.ClientAsync(Roles.Citizen, userName: name);

    public Task<HttpClient> Dispatcher() => app.ClientAsync(Roles.Dispatcher, "440300");

    public Task<HttpClient> CallTaker() => app.ClientAsync(Roles.CallTaker, "440300");

    public Task<HttpClient> Handler(string unit = Street) => app.ClientAsync(Roles.Handler, unit);

    public static object Body(
        string type = "complaint",
        string title = "小区门口工地夜间施工噪音扰民",
        string description = "福田街道某小区门口的工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
        string? address = "深圳市福田区福田街道福华路",
        string phone = "13800138000",
        string channel = "web",
        string urgency = "normal",
        bool anonymous = false) => new
        {
            type,
            title,
            description,
            place = new { address },
            contact = new { name = "张先生", phone, anonymous },
            channel,
            urgency,
        };

    public async Task<string> SubmitAsync(HttpClient? client = null, object? body = null)
    {
        client ??= await Citizen();
        var response = await client.PostAsJsonAsync("/api/v1/requests", body ?? Body());
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("trackingNumber").GetString()!;
    }

    /// <summary>A request of the default citizen, walked to <paramref name="state"/>: lead <see cref="Street"/>, co-handler <see cref="Bureau"/>.</summary>
    public async Task<string> InStateAsync(RequestState state, HttpClient? citizen = null)
    {
        var number = await SubmitAsync(citizen);
        async Task Do(HttpClient client, string action, object body) =>
            (await client.PostAsJsonAsync($"/api/v1/requests/{number}/{action}", body)).EnsureSuccessStatusCode();

        switch (state)
        {
            case RequestState.Submitted:
                return number;
            case RequestState.Cancelled:
                await Do(await Dispatcher(), "cancel", new { reason = "重复诉求" });
                return number;
        }

        await Do(await Dispatcher(), "dispatch", new { leadUnitCode = Street, coUnitCodes = new[] { Bureau } });
        if (state == RequestState.Dispatched)
        {
            return number;
        }

        if (state == RequestState.Returned)
        {
            await Do(await Handler(), "return", new { reason = "不属于本单位职责" });
            return number;
        }

        await Do(await Handler(), "accept", new { });
        if (state == RequestState.InProgress)
        {
            return number;
        }

        await Do(await Handler(), "reply", new { reply = "已处理" });
        if (state == RequestState.Replied)
        {
            return number;
        }

        var rater = citizen ?? await Citizen();
        await Do(rater, "rating", new { rating = state == RequestState.Reopened ? "dissatisfied" : "satisfied" });
        return number;
    }

    public async Task<JsonElement> GetAsync(HttpClient client, string number)
    {
        var response = await client.GetAsync($"/api/v1/requests/{number}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    public async Task<List<JsonElement>> TimelineAsync(HttpClient client, string number)
    {
        var response = await client.GetAsync($"/api/v1/requests/{number}/timeline");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>(Json))!;
    }
}
