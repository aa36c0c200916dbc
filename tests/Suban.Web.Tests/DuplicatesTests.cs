using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class DuplicatesTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Duplicates_SimilarTextSameStreet_Found_OtherStreetOrOtherProblemNot(string provider)
    {
        var s = new Scenario(await apps.For(provider));
        var marker = Guid.NewGuid().ToString("N")[..6];
        var text = $"华富路{marker}号旁边的餐馆每天半夜把厨余垃圾倒在路边下水道里，臭气熏天，已经好几个月了";
        var first = await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: text, address: "福田区华富街道"));
        var again = await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: text + "，请尽快处理", address: "福田区华富街道"));
        var elsewhere = await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: text, address: "南山区粤海街道"));
        var unrelated = await s.SubmitAsync(body: Scenario.Body(title: "拖欠工资", description: $"公司{marker}拖欠我们三个月工资，老板联系不上", address: "福田区华富街道"));

        var dispatcher = await s.Dispatcher();
        var candidates = await dispatcher.GetFromJsonAsync<List<JsonElement>>($"/api/v1/requests/{again}/duplicates", Scenario.Json);
        var numbers = candidates!.Select(c => c.GetProperty("trackingNumber").GetString()).ToList();
        numbers.ShouldContain(first);
        numbers.ShouldNotContain(elsewhere);
        numbers.ShouldNotContain(unrelated);
        candidates.Single(c => c.GetProperty("trackingNumber").GetString() == first).GetProperty("similarity").GetDouble().ShouldBeGreaterThan(0.5);

        (await (await s.Citizen()).GetAsync($"/api/v1/requests/{again}/duplicates")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
