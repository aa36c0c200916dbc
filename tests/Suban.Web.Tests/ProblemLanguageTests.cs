using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// Problems speak the caller's language: Simplified Chinese when its first Accept-Language is Chinese (the pages send
/// theirs), English otherwise; the field names, types and status codes are the same either way.
/// </summary>
public sealed class ProblemLanguageTests(Apps apps) : IClassFixture<Apps>
{
    private static bool HasChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    private static async Task<JsonElement> PostAsync(SubanApp app, string body, string? language)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/requests") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (language is not null)
        {
            message.Headers.AcceptLanguage.ParseAdd(language);
        }

        var response = await app.CreateClient().SendAsync(message);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static IEnumerable<string> Messages(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(m => m.GetString()!)).Append(problem.GetProperty("title").GetString()!);

    [Theory]
    [MemberData(nameof(IntakeTests.BadBodies), MemberType = typeof(IntakeTests))]
    public async Task EveryIntakeProblem_InChineseForAChineseCaller_InEnglishOtherwise(string provider, string body, string field)
    {
        var app = await apps.For(provider);

        var chinese = await PostAsync(app, body, "zh-CN,zh;q=0.9,en;q=0.8");
        var english = await PostAsync(app, body, null);
        var englishFirst = await PostAsync(app, body, "en-GB,zh-CN;q=0.5");

        foreach (var problem in new[] { chinese, english, englishFirst })
        {
            problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldContain(field);
        }

        Messages(chinese).ShouldAllBe(m => HasChinese(m));
        Messages(english).ShouldAllBe(m => !HasChinese(m));
        Messages(englishFirst).ShouldBe(Messages(english));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ARefusedAction_NamesTheStateAndTheActionInChinese(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var number = await s.SubmitAsync();
        var dispatcher = await s.Dispatcher();
        dispatcher.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var noReason = await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/cancel", new { reason = " " });
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        Messages(await noReason.Content.ReadFromJsonAsync<JsonElement>()).ShouldContain(m => m.StartsWith("“撤销”须说明理由或内容", StringComparison.Ordinal));
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/cancel", new { reason = "测试" })).EnsureSuccessStatusCode();

        var again = await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/cancel", new { reason = "测试" });

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().ShouldBe("诉求当前为“已撤销”，不能“撤销”。");
        problem.GetProperty("state").GetString().ShouldBe("Cancelled");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ALookUpThatFindsNothing_SaysSoInChinese(string provider)
    {
        var app = await apps.For(provider);
        using var message = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lookup?trackingNumber=SZ19990101-000001&phoneLast4=8000");
        message.Headers.AcceptLanguage.ParseAdd("zh-CN");

        var response = await app.CreateClient().SendAsync(message);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("未找到");
        problem.GetProperty("detail").GetString().ShouldBe("未找到与该受理编号及电话号码后四位相符的诉求。");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task MessagesNamingAValue_KeepTheValue_InChinese(string provider)
    {
        var app = await apps.For(provider);
        var admin = await app.ClientAsync(Suban.Web.Infrastructure.Roles.Administrator, "440300");
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        async Task<string> MessageAsync(HttpResponseMessage response)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            var texts = problem.TryGetProperty("errors", out var errors)
                ? errors.EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(m => m.GetString()!))
                : [];
            return string.Join(" ", texts.Append(problem.GetProperty("title").GetString()!).Append(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : ""));
        }

        (await MessageAsync(await admin.GetAsync("/api/v1/webhooks/987654/deliveries"))).ShouldContain("没有 id 为 987654 的推送订阅。");
        (await MessageAsync(await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x-role", password = "Suban-demo-2026", unitCode = "440300", roles = new[] { "wizard" } })))
            .ShouldContain("'wizard' 不是工作人员角色");
        var ring = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"440304"},"geometry":{"type":"Polygon","coordinates":[[[114,22],[114.1,22],[114,22]]]}}]}""";
        (await MessageAsync(await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent(ring, Encoding.UTF8, "application/json"))))
            .ShouldContain("要素 0（440304）环 0：线性环至少需要四个坐标点。");
    }
}
