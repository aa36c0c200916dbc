using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// The whole journey in a real browser (Debian's Chromium through Playwright), across roles, each in its own
/// browser context: a citizen on a phone submits, a dispatcher's open desk shows it without reloading and
/// dispatches it, the street accepts and replies, the citizen is dissatisfied, the street replies again, the citizen
/// is satisfied, and the dashboard counts what the database holds. Every main page is screenshotted into
/// docs/screenshots (the README shows them) and checked with axe-core for serious accessibility violations.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string Shots = Path.Combine(Npm.Root(), "docs", "screenshots");

    private sealed record Session(IBrowserContext Context, IPage Page);

    private static async Task<Session> SignInAsync(IBrowser browser, string baseUrl, string userName, bool phone = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/login?returnUrl=%2F");
        await page.GetByLabel("用户名").FillAsync(userName);
        await page.GetByLabel("密码").FillAsync(SubanApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.WaitForURLAsync("**/");
        return new Session(context, page);
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Shots, name + ".png"), FullPage = true });
    }

    /// <summary>axe-core (from npm) on the page as it stands: no serious or critical violation.</summary>
    private static async Task AccessibleAsync(IPage page, string name)
    {
        var dir = await Npm.FolderAsync("Browser", Path.Combine("axe-core", "axe.min.js"));
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Path.Combine(dir, "node_modules", "axe-core", "axe.min.js") });
        var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }))");
        var serious = result.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").Select(v => v.ToString()).ToList();
        serious.ShouldBeEmpty($"{name}: {string.Join("; ", serious)}");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Journey_CitizenToDispatcherToUnitAndBack_InARealBrowser(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        var baseUrl = app.ServerAddress;
        var phone = "13912345678";
        await app.ClientAsync(Roles.Citizen, userName: phone);
        await app.ClientAsync(Roles.Dispatcher, "440300", "dispatcher");
        await app.ClientAsync(Roles.Handler, Scenario.Street, "street");
        await app.ClientAsync(Roles.Supervisor, "440300", "leader");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });

        // The portal, before anyone signs in.
        var visitor = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, Locale = "zh-CN" });
        await visitor.GotoAsync("/");
        await ShootAsync(visitor, "portal");
        await AccessibleAsync(visitor, "portal");
        await visitor.GotoAsync("/?lang=en");
        (await visitor.Locator("h1").InnerTextAsync()).ShouldContain("Suban");

        // The dispatcher's desk is open before the request exists.
        var dispatcher = await SignInAsync(browser, baseUrl, "dispatcher");
        await dispatcher.Page.GotoAsync("/desk/dispatch");
        await dispatcher.Page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 5000 }).ContinueWith(_ => { });

        // A citizen on a phone.
        var citizen = await SignInAsync(browser, baseUrl, phone, phone: true);
        await citizen.Page.GotoAsync("/submit");
        await ShootAsync(citizen.Page, "submit");
        await AccessibleAsync(citizen.Page, "submit");
        await citizen.Page.GetByLabel("标题").FillAsync("福华三路路灯不亮");
        await citizen.Page.GetByLabel("具体情况").FillAsync("福田区福田街道福华三路与金田路口的路灯已经一周不亮，晚上行人很危险，请尽快维修。");
        await citizen.Page.GetByLabel("地点").FillAsync("福田区福田街道福华三路");
        await citizen.Page.GetByLabel("手机号码").FillAsync(phone);
        await citizen.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await citizen.Page.Locator("#submitted").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 })
            .ContinueWith(async wait => { if (wait.IsFaulted) { throw new InvalidOperationException("Not submitted: " + await citizen.Page.Locator("#submit-form").InnerTextAsync()); } }).Unwrap();
        var number = (await citizen.Page.Locator("#tracking-number").InnerTextAsync()).Trim();
        number.ShouldStartWith("SZ");
        await ShootAsync(citizen.Page, "submitted");

        // It appears on the open desk without a reload (server-sent events, then htmx).
        var card = dispatcher.Page.Locator($"article[data-number='{number}']");
        await card.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        await ShootAsync(dispatcher.Page, "dispatch-desk");
        await AccessibleAsync(dispatcher.Page, "dispatch-desk");
        await card.GetByLabel("承办单位").FillAsync(Scenario.Street);
        await card.GetByRole(AriaRole.Button, new() { Name = "派单" }).ClickAsync();
        await card.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        // The street accepts and replies.
        var street = await SignInAsync(browser, baseUrl, "street");
        await street.Page.GotoAsync("/desk/unit");
        var task = street.Page.Locator($"article[data-number='{number}']");
        await ShootAsync(street.Page, "unit-desk");
        await AccessibleAsync(street.Page, "unit-desk");
        await task.GetByRole(AriaRole.Button, new() { Name = "签收" }).ClickAsync();
        await task.GetByLabel("答复市民").WaitForAsync();
        await task.GetByLabel("答复市民").FillAsync("已安排维修，路灯今晚恢复照明。");
        await task.GetByRole(AriaRole.Button, new() { Name = "答复", Exact = true }).ClickAsync();
        await task.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        // The citizen is not satisfied: the request goes back to the street.
        await citizen.Page.GotoAsync("/me");
        var mine = citizen.Page.Locator($"article[data-number='{number}']");
        (await mine.InnerTextAsync()).ShouldContain("已安排维修");
        await ShootAsync(citizen.Page, "my-requests");
        await AccessibleAsync(citizen.Page, "my-requests");
        await mine.GetByRole(AriaRole.Button, new() { Name = "不满意" }).ClickAsync();
        await mine.Locator(".badge", new() { HasText = "重新办理" }).WaitForAsync();

        await street.Page.GotoAsync("/desk/unit");
        await task.GetByLabel("答复市民").FillAsync("已更换灯具并复查，路灯正常。");
        await task.GetByRole(AriaRole.Button, new() { Name = "答复", Exact = true }).ClickAsync();
        await task.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        await citizen.Page.GotoAsync("/me");
        await mine.GetByRole(AriaRole.Button, new() { Name = "满意", Exact = true }).ClickAsync();
        await mine.Locator(".badge", new() { HasText = "已办结" }).WaitForAsync();

        // Anyone can follow it by number and phone digits.
        await visitor.GotoAsync($"/track?n={number}");
        await visitor.GetByLabel("手机号后四位").FillAsync(phone[^4..]);
        await visitor.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await visitor.Locator("#status-timeline li").First.WaitForAsync();
        (await visitor.Locator("#status-timeline li").CountAsync()).ShouldBeGreaterThanOrEqualTo(6);
        await ShootAsync(visitor, "track");
        await AccessibleAsync(visitor, "track");

        var stored = await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.TrackingNumber == number));
        stored.State.ShouldBe(RequestState.Closed);
        stored.Rating.ShouldBe(Rating.Satisfied);
        stored.ReopenCount.ShouldBe(1);

        // The dashboard counts exactly what the database holds.
        var leader = await SignInAsync(browser, baseUrl, "leader");
        await leader.Page.GotoAsync("/dashboard");
        await leader.Page.WaitForFunctionAsync("() => document.querySelector('#chart-days canvas') !== null && document.querySelector('#chart-districts canvas') !== null");
        var total = int.Parse(await leader.Page.Locator("[data-kpi=total]").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        total.ShouldBe(await app.WithDbAsync(db => db.Requests.CountAsync()));
        (await leader.Page.Locator("[data-kpi=satisfaction]").InnerTextAsync()).ShouldBe("100.0%");
        await ShootAsync(leader.Page, "dashboard");
        await AccessibleAsync(leader.Page, "dashboard");

        // With district boundaries imported the districts chart becomes a map without tiles. The development data's
        // polygons have third-party terms (tests only, never shipped), so no screenshot is kept of it.
        var districts = Path.Combine(Npm.Root(), "..", "shared", "data", "shenzhen", "districts-datav-440300.geojson");
        if (File.Exists(districts))
        {
            var geo = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(districts))!;
            foreach (var feature in geo["features"]!.AsArray())
            {
                feature!["properties"]!["code"] = feature["properties"]!["adcode"]!.ToString();
            }

            var admin = await app.ClientAsync(Roles.Administrator, "440300");
            (await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent(geo.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            await leader.Page.ReloadAsync();
            await leader.Page.WaitForFunctionAsync("() => document.querySelector('#chart-districts canvas') !== null");
            (await leader.Page.EvaluateAsync<string>("() => echarts.getInstanceByDom(document.getElementById('chart-districts')).getOption().series[0].type")).ShouldBe("map");
        }

        foreach (var session in new[] { dispatcher, citizen, street, leader })
        {
            await session.Context.CloseAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Pages_SendVisitorsToSignIn_AndRefuseTheWrongRole(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var page in new[] { "/me", "/desk/dispatch", "/desk/unit", "/dashboard" })
        {
            var response = await anonymous.GetAsync(page);
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
            response.Headers.Location!.ToString().ShouldStartWith("/login?returnUrl=");
        }

        (await anonymous.GetAsync("/")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await anonymous.GetAsync("/submit")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var citizen = await app.ClientAsync(Roles.Citizen, userName: "13800000001");
        (await citizen.GetAsync("/desk/dispatch")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await citizen.GetAsync("/dashboard")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await citizen.GetAsync("/api/v1/stats")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        var handler = await app.ClientAsync(Roles.Handler, Scenario.Street);
        (await handler.GetAsync("/desk/unit")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await handler.GetAsync("/desk/dispatch")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }
}
