using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Suban.Web.Data;
using Suban.Web.Duplicates;
using Suban.Web.Infrastructure;
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
        candidates!.Single(c => c.GetProperty("trackingNumber").GetString() == first).GetProperty("similarity").GetDouble().ShouldBeGreaterThan(0.5);

        (await (await s.Citizen()).GetAsync($"/api/v1/requests/{again}/duplicates")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>The dispatcher's desk asks for a whole queue's duplicates at once: the answer is each card's own.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Duplicates_ForAWholeDesk_SameAsOneByOne(string provider)
    {
        var app = await apps.For(provider);
        var s = new Scenario(app);
        var marker = Guid.NewGuid().ToString("N")[..6];
        var waste = $"华富路{marker}号旁边的餐馆每天半夜把厨余垃圾倒在路边下水道里，臭气熏天，已经好几个月了";
        var noise = $"粤海街道科技园{marker}栋楼下的工地每天晚上十二点以后还在打桩施工，噪音太大根本睡不着";
        var numbers = new List<string>
        {
            await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: waste, address: "福田区华富街道")),
            await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: waste + "，请尽快处理", address: "福田区华富街道")),
            await s.SubmitAsync(body: Scenario.Body(title: "餐馆乱倒厨余垃圾", description: waste, address: "南山区粤海街道")),
            await s.SubmitAsync(body: Scenario.Body(title: "工地夜间打桩", description: noise, address: "南山区粤海街道")),
            await s.SubmitAsync(body: Scenario.Body(title: "工地夜间打桩扰民", description: noise + "，多次投诉无果", address: "南山区粤海街道")),
            await s.SubmitAsync(body: Scenario.Body(title: "拖欠工资", description: $"公司{marker}拖欠我们三个月工资，老板联系不上", address: "福田区华富街道")),
        };

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var index = scope.ServiceProvider.GetRequiredService<DuplicateIndex>();
        var platform = await db.Units.AsNoTracking().SingleAsync(u => u.Code == "440300");
        var dispatcher = new Actor("desk-test", [Roles.Dispatcher], platform);
        var requests = await db.Requests.AsNoTracking().Where(r => numbers.Contains(r.TrackingNumber)).ToListAsync();
        requests.Count.ShouldBe(numbers.Count);

        var together = await index.CandidatesAsync(requests, dispatcher, CancellationToken.None);
        foreach (var request in requests)
        {
            var alone = await index.CandidatesAsync(request, dispatcher, CancellationToken.None);
            together[request.Id].ShouldBe(alone);
        }

        // And they are the right ones: each pair finds its twin, nothing crosses between the problems or the streets.
        string[] Found(int i) => together[requests.Single(r => r.TrackingNumber == numbers[i]).Id].Select(c => c.TrackingNumber).Intersect(numbers).ToArray();
        Found(0).ShouldBe([numbers[1]]);
        Found(1).ShouldBe([numbers[0]]);
        Found(3).ShouldBe([numbers[4]]);
        Found(4).ShouldBe([numbers[3]]);
        Found(2).ShouldBeEmpty();
        Found(5).ShouldBeEmpty();
    }
}
