using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Web.Infrastructure;
using Suban.Web.Routing;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>One trained model per provider for the class: training on the whole demo list takes seconds.</summary>
public sealed class RoutingTests(Apps apps) : IClassFixture<Apps>
{
    private async Task<SubanApp> TrainedAsync(string provider)
    {
        var app = await apps.For(provider);
        if (!await app.WithDbAsync(db => db.RoutingModels.AnyAsync()))
        {
            await app.WithServiceAsync<RoutingTrainer, TrainingReport?>(t => t.TrainAsync(default));
        }

        app.Services.GetService(typeof(RoutingModels)).ShouldBeOfType<RoutingModels>().Refresh();
        return app;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Intake_ConfidentText_DispatchedByThePlatform_OnTheTimelineWithModelAndConfidence(string provider)
    {
        var app = await TrainedAsync(provider);
        var s = new Scenario(app);
        var number = await s.SubmitAsync(body: Scenario.Body(
            title: "公司拖欠工资三个月不发",
            description: "我在宝安区西乡街道一家电子厂上班，老板已经拖欠我们三个月工资了，一直说没钱，找人力资源部门也没人管，请帮忙讨薪。",
            address: "宝安区西乡街道"));

        var detail = await s.GetAsync(await s.Dispatcher(), number);
        var routing = detail.GetProperty("routing");
        routing.GetProperty("modelVersion").GetInt32().ShouldBeGreaterThan(0);
        routing.GetProperty("suggestions").GetArrayLength().ShouldBeGreaterThan(0);
        var timeline = await s.TimelineAsync(await s.Dispatcher(), number);
        var step = timeline[1];
        step.GetProperty("note").GetString()!.ShouldContain("模型 v");
        step.GetProperty("note").GetString()!.ShouldContain("置信度");
        step.GetProperty("note").GetString()!.ShouldContain("自动派单阈值");

        var outcome = routing.GetProperty("outcome").GetString();
        if (outcome == "automatic")
        {
            step.GetProperty("action").GetString().ShouldBe("dispatch");
            detail.GetProperty("state").GetString().ShouldBe("dispatched");
            detail.GetProperty("matterCode").GetString()!.ShouldStartWith("10.");
        }
        else if (outcome == "categoryForwarded")
        {
            // Sure of the category (labour), not of the matter: the district of the place dispatches it.
            step.GetProperty("action").GetString().ShouldBe("forward");
            step.GetProperty("note").GetString()!.ShouldContain("劳动");
            detail.GetProperty("platform").GetProperty("code").GetString().ShouldBe("440306");
        }
        else
        {
            step.GetProperty("action").GetString().ShouldBe("route");
            routing.GetProperty("suggestions")[0].GetProperty("code").GetString()!.ShouldStartWith("10.");
        }
    }

    [Theory]
    [InlineData(0.64, 0.97, "置信度 0.64，自动派单阈值 0.97")]
    [InlineData(0.999931, 0.999934, "置信度 0.999931，自动派单阈值 0.999934")]
    [InlineData(0.999996, 0.9999, "置信度 1.0000，自动派单阈值 0.9999")]
    [InlineData(0.5, 0.5, "置信度 0.50，自动派单阈值 0.50")]
    public void Confidence_AsManyDecimalsAsItTakesToTellItFromTheThreshold(double probability, double threshold, string text)
    {
        RoutingService.Confidence(probability, threshold).ShouldBe(text);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Intake_UnsureWhichMatter_SureOfTheSubCategory_TheNoteSaysSo(string provider)
    {
        var app = await TrainedAsync(provider);
        var s = new Scenario(app);

        // Unpaid wages, but whether a factory, a shop or a building site is not said: the matters of one sub-category.
        var number = await s.SubmitAsync(body: Scenario.Body(title: "老板拖欠工资", description: "老板拖欠了我两个月工资，一直拖着不给，请帮忙讨薪。", address: "宝安区西乡街道"));
        var timeline = await s.TimelineAsync(await s.Dispatcher(), number);
        var note = timeline[1].GetProperty("note").GetString()!;
        note.ShouldContain("子类「劳动与工资 › 工资拖欠」");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Intake_NothingToRead_WaitsForADispatcher(string provider)
    {
        var app = await TrainedAsync(provider);
        var s = new Scenario(app);
        var number = await s.SubmitAsync(body: Scenario.Body(title: "😀😀😀", description: "！！！？？？"));
        var detail = await s.GetAsync(await s.Dispatcher(), number);
        detail.GetProperty("state").GetString().ShouldBe("submitted");
        detail.GetProperty("routing").GetProperty("outcome").GetString().ShouldBe("unrouted");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Classify_SuggestsRankedMatters_ForStaffOnly(string provider)
    {
        var app = await TrainedAsync(provider);
        var callTaker = await new Scenario(app).CallTaker();
        var suggestions = await (await callTaker.PostAsJsonAsync("/api/v1/routing/classify", new { text = "楼下烧烤店油烟太大熏得家里没法开窗" })).Content.ReadFromJsonAsync<List<Suggestion>>(Scenario.Json);
        suggestions!.Count.ShouldBe(3);
        suggestions.Select(x => x.Probability).ShouldBeInOrder(SortDirection.Descending);
        (await (await new Scenario(app).Citizen()).PostAsJsonAsync("/api/v1/routing/classify", new { text = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await callTaker.PostAsJsonAsync("/api/v1/routing/classify", new { text = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DispatcherCorrection_Recorded_NextModelLearnsIt_SwappedWithoutRestart(string provider)
    {
        var app = await TrainedAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var text = "小区门口那家奶茶店天天在人行道上摆桌椅";
        var number = await s.SubmitAsync(body: Scenario.Body(title: text, description: text));
        var before = (await s.GetAsync(dispatcher, number)).GetProperty("routing");
        var modelBefore = before.GetProperty("modelVersion").GetInt32();

        // The dispatcher files it under a matter of their choosing (a return first, if it went out automatically).
        var detail = await s.GetAsync(dispatcher, number);
        if (detail.GetProperty("state").GetString() == "dispatched")
        {
            var lead = detail.GetProperty("assignments")[0].GetProperty("unit").GetProperty("code").GetString()!;
            (await (await app.ClientAsync(Roles.Handler, lead)).PostAsJsonAsync($"/api/v1/requests/{number}/return", new { reason = "分错了" })).EnsureSuccessStatusCode();
        }

        var chosen = "08.01.001";
        var dispatched = await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street, matterCode = chosen });
        dispatched.StatusCode.ShouldBe(HttpStatusCode.OK, await dispatched.Content.ReadAsStringAsync());
        var correction = await app.WithDbAsync(db => db.RoutingCorrections.SingleAsync(c => c.RequestId == db.Requests.Single(r => r.TrackingNumber == number).Id));
        correction.ChosenCode.ShouldBe(chosen);

        (await dispatcher.PostAsync("/api/v1/routing/train", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        var trained = await admin.PostAsync("/api/v1/routing/train", null);
        trained.StatusCode.ShouldBe(HttpStatusCode.OK, await trained.Content.ReadAsStringAsync());
        var report = await trained.Content.ReadFromJsonAsync<TrainingReport>(Scenario.Json);
        report!.Version.ShouldBeGreaterThan(modelBefore);
        report.Corrections.ShouldBeGreaterThanOrEqualTo(1);

        // The new model is in use at once, and has learnt the confirmed request.
        var again = await s.SubmitAsync(body: Scenario.Body(title: text, description: text));
        var routing = (await s.GetAsync(dispatcher, again)).GetProperty("routing");
        routing.GetProperty("modelVersion").GetInt32().ShouldBe(report.Version);
        routing.GetProperty("suggestions")[0].GetProperty("code").GetString().ShouldBe(chosen);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CorruptModel_InTheDatabase_RefusedAndThePreviousStays(string provider)
    {
        var app = await TrainedAsync(provider);
        var models = (RoutingModels)app.Services.GetService(typeof(RoutingModels))!;
        var current = (await models.GetAsync(default))!.Version;
        await app.WithDbAsync(async db =>
        {
            var newest = await db.RoutingModels.MaxAsync(m => m.Version);
            db.RoutingModels.Add(new RoutingModel { Version = newest + 1, CreatedAt = DateTime.UtcNow, Threshold = 0.5, Content = "SUBANHIE garbage"u8.ToArray() });
            await db.SaveChangesAsync();
        });

        models.Refresh();
        (await models.GetAsync(default))!.Version.ShouldBe(current);
        await app.WithDbAsync(db => db.RoutingModels.Where(m => m.Version == current + 1).ExecuteDeleteAsync());
    }
}
