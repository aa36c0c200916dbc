using System.Net.Http.Json;
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

    /// <summary>A 48×32 PNG (a street lamp's blue and yellow), as a citizen's phone would attach.</summary>
    private static readonly byte[] LampPng = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAAOUlEQVR42u3OMQ0AMAgAMJTsnggkImyaduGCcDSpgMbJWiWEhISEhISEhIZD/91VhISEhISEhISGNYpDcHmXDtgkAAAAAElFTkSuQmCC");

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
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/login?returnUrl=%2F");
        await page.GetByLabel("用户名", new() { Exact = true }).FillAsync(userName);
        await page.GetByLabel("密码", new() { Exact = true }).FillAsync(SubanApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync("**/");
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{userName} did not sign in; the page says: {await page.Locator("main").InnerTextAsync()}");
        }
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
        visitor.SetDefaultTimeout(30_000);
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
        await citizen.Page.GetByLabel("标题", new() { Exact = true }).FillAsync("福华三路路灯不亮");
        await citizen.Page.GetByLabel("具体情况", new() { Exact = true }).FillAsync("福田区福田街道福华三路与金田路口的路灯已经一周不亮，晚上行人很危险，请尽快维修。");
        await citizen.Page.GetByLabel("地点", new() { Exact = true }).FillAsync("福田区福田街道福华三路");
        await citizen.Page.GetByLabel("手机号码", new() { Exact = true }).FillAsync(phone);
        await citizen.Page.GetByLabel("照片（最多 9 张）", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = "lamp.png", MimeType = "image/png", Buffer = LampPng });
        await citizen.Page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await citizen.Page.Locator("#submitted").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 })
            .ContinueWith(async wait => { if (wait.IsFaulted) { throw new InvalidOperationException("Not submitted: " + await citizen.Page.Locator("#submit-form").InnerTextAsync()); } }).Unwrap();
        var number = (await citizen.Page.Locator("#tracking-number").InnerTextAsync()).Trim();
        number.ShouldStartWith("SZ");
        await ShootAsync(citizen.Page, "submitted");

        // It appears on the open desk without a reload (server-sent events, then htmx).
        var card = dispatcher.Page.Locator($"article[data-number='{number}']");
        await card.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        // The citizen's photo is on the card, loaded with the dispatcher's session.
        var thumbnail = card.Locator("ul.photos img");
        await thumbnail.WaitForAsync();
        await dispatcher.Page.WaitForFunctionAsync($"() => document.querySelector(\"article[data-number='{number}'] ul.photos img\")?.naturalWidth === 48");
        await ShootAsync(dispatcher.Page, "dispatch-desk");
        await AccessibleAsync(dispatcher.Page, "dispatch-desk");
        await card.GetByLabel("承办单位", new() { Exact = true }).FillAsync(Scenario.Street);
        await card.GetByRole(AriaRole.Button, new() { Name = "派单" }).ClickAsync();
        await card.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        // The street accepts and replies.
        var street = await SignInAsync(browser, baseUrl, "street");
        await street.Page.GotoAsync("/desk/unit");
        var task = street.Page.Locator($"article[data-number='{number}']");
        await ShootAsync(street.Page, "unit-desk");
        await AccessibleAsync(street.Page, "unit-desk");
        await task.GetByRole(AriaRole.Button, new() { Name = "签收" }).ClickAsync();
        await task.GetByLabel("答复市民", new() { Exact = true }).WaitForAsync();
        await task.GetByLabel("申请延期（工作日）", new() { Exact = true }).FillAsync("3");
        await task.GetByLabel("理由", new() { Exact = true }).FillAsync("需协调供电部门更换线路");
        await task.GetByRole(AriaRole.Button, new() { Name = "申请延期" }).ClickAsync();
        await task.Locator(".timeline li", new() { HasText = "申请延期" }).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await task.GetByLabel("答复市民", new() { Exact = true }).FillAsync("已安排维修，路灯今晚恢复照明。");
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
        await task.GetByLabel("答复市民", new() { Exact = true }).FillAsync("已更换灯具并复查，路灯正常。");
        await task.GetByRole(AriaRole.Button, new() { Name = "答复", Exact = true }).ClickAsync();
        await task.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        await citizen.Page.GotoAsync("/me");
        await mine.GetByRole(AriaRole.Button, new() { Name = "满意", Exact = true }).ClickAsync();
        await mine.Locator(".badge", new() { HasText = "已办结" }).WaitForAsync();

        // Anyone can follow it by number and phone digits.
        await visitor.GotoAsync($"/track?n={number}");
        await visitor.GetByLabel("手机号后四位", new() { Exact = true }).FillAsync(phone[^4..]);
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
    public async Task CallConsole_ShowsTheCallersHistory_DuplicateHints_SuggestedMatters_AndInstantAnswers(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        var caller = "13700001111";
        await app.ClientAsync(Roles.CallTaker, "440300", "calltaker");
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        (await admin.PostAsync("/api/v1/routing/train", null)).EnsureSuccessStatusCode();
        var s = new Scenario(app);
        var earlier = await s.SubmitAsync(await s.Citizen(), new
        {
            type = "complaint",
            title = "小区业委会成立问题",
            description = "福田街道某小区想申请成立业主大会和业主委员会，街道迟迟没有回复，请问怎么办理",
            place = new { address = "福田区福田街道福华三路" },
            contact = new { phone = caller },
            channel = "web",
        });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var desk = await SignInAsync(browser, app.ServerAddress, "calltaker");
        var page = desk.Page;
        await page.GotoAsync("/desk/calls");

        // Keyboard only: the number first, then Tab on.
        await page.GetByLabel("来电号码", new() { Exact = true }).FillAsync(caller);
        await page.Keyboard.PressAsync("Tab");
        await page.Locator("#history li", new() { HasText = earlier }).WaitForAsync();

        await page.GetByLabel("咨询", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("标题", new() { Exact = true }).FillAsync("成立业主委员会");
        await page.GetByLabel("地点", new() { Exact = true }).FillAsync("福田区福田街道福华三路");
        await page.GetByLabel("诉求内容", new() { Exact = true }).FillAsync("福田街道某小区想申请成立业主大会和业主委员会，街道迟迟没有回复，请问怎么办理");
        await page.Locator("#duplicates li", new() { HasText = earlier }).WaitForAsync();
        await page.Locator("#suggestions li").First.WaitForAsync();

        await page.GetByLabel("事项", new() { Exact = true }).FillAsync("01.02.001");
        await page.GetByLabel("事项", new() { Exact = true }).DispatchEventAsync("change");
        await page.Locator("#answer").WaitForAsync();
        (await page.Locator("#answer-text").InnerTextAsync()).ShouldNotBeNullOrWhiteSpace();
        await ShootAsync(page, "call-console");
        await AccessibleAsync(page, "call-console");

        await page.GetByLabel("诉求内容", new() { Exact = true }).PressAsync("Control+Enter");
        await page.Locator("#taken").WaitForAsync();
        var taken = (await page.Locator("#taken").InnerTextAsync()).Split(' ').Last();
        var stored = await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.TrackingNumber == taken));
        stored.Channel.ShouldBe(Channel.Hotline);
        stored.Type.ShouldBe(RequestType.Consultation);
        stored.ContactPhone.ShouldBe(caller);
        await desk.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DispatchDesk_MergesADuplicate_AndForwardsDownALevel(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Dispatcher, "440300", "dispatcher");
        var s = new Scenario(app);
        var first = await s.SubmitAsync();
        var again = await s.SubmitAsync(await s.Citizen("another"), Scenario.Body(phone: "13800138001"));
        var other = await s.SubmitAsync(body: Scenario.Body(title: "公园健身器材损坏", description: "香蜜湖公园的健身器材坏了好几个，存在安全隐患。", address: "福田区香蜜湖街道"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var desk = await SignInAsync(browser, app.ServerAddress, "dispatcher");
        await desk.Page.GotoAsync("/desk/dispatch");

        // The later request offers the earlier one as a likely duplicate; merging takes it off the queue.
        var duplicate = desk.Page.Locator($"article[data-number='{again}']");
        await duplicate.Locator($"button[data-merge-into='{first}']").ClickAsync();
        await duplicate.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        var merged = await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.TrackingNumber == again));
        merged.State.ShouldBe(RequestState.Merged);

        // Forward down to the district platform.
        var card = desk.Page.Locator($"article[data-number='{other}']");
        await card.GetByLabel("转下级平台", new() { Exact = true }).SelectOptionAsync(Scenario.District);
        await card.GetByRole(AriaRole.Button, new() { Name = "转派" }).ClickAsync();
        await card.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        var forwarded = await app.WithDbAsync(db => db.Requests.Where(r => r.TrackingNumber == other).Select(r => db.Units.Single(u => u.Id == r.PlatformUnitId).Code).SingleAsync());
        forwarded.ShouldBe(Scenario.District);
        await desk.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DispatchDesk_KeepsWhatTheDispatcherIsDoing_WhenTheQueueUpdatesLive(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Dispatcher, "440300", "dispatcher");
        var s = new Scenario(app);
        var number = await s.SubmitAsync();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var desk = await SignInAsync(browser, app.ServerAddress, "dispatcher");
        await desk.Page.GotoAsync("/desk/dispatch");

        // Half-way through a card: a platform picked, a lead unit being typed, the cursor in it.
        var card = desk.Page.Locator($"article[data-number='{number}']");
        var platform = card.GetByLabel("转下级平台", new() { Exact = true });
        (await platform.InputValueAsync()).ShouldNotBe(Scenario.District);
        await platform.SelectOptionAsync(Scenario.District);
        var lead = card.GetByLabel("承办单位", new() { Exact = true });
        await lead.FillAsync("4403041");

        // Another citizen's request arrives and the queue re-renders live, with no reload.
        var arriving = await s.SubmitAsync(await s.Citizen("another"), Scenario.Body(phone: "13800138001", title: "公园健身器材损坏", description: "香蜜湖公园的健身器材坏了好几个，存在安全隐患。"));
        await desk.Page.Locator($"article[data-number='{arriving}']").WaitForAsync();

        (await platform.InputValueAsync()).ShouldBe(Scenario.District);
        (await lead.InputValueAsync()).ShouldBe("4403041");
        (await lead.EvaluateAsync<bool>("e => e === document.activeElement")).ShouldBeTrue();
        await desk.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Pages_SayWhatWentWrongInChinese_KeepDrafts_AndTakeACallInOnce(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Handler, Scenario.Street, "street");
        await app.ClientAsync(Roles.CallTaker, "440300", "calltaker");
        var s = new Scenario(app);
        var first = await s.InStateAsync(RequestState.InProgress);
        var second = await s.InStateAsync(RequestState.InProgress);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });

        // A citizen who gives no place is told so, in Chinese, beside the place.
        var visitor = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.ServerAddress, Locale = "zh-CN" });
        await visitor.GotoAsync("/submit");
        await visitor.GetByLabel("标题", new() { Exact = true }).FillAsync("井盖缺失");
        await visitor.GetByLabel("具体情况", new() { Exact = true }).FillAsync("路边井盖缺失，行人容易踩空。");
        await visitor.GetByLabel("手机号码", new() { Exact = true }).FillAsync("13800138009");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await visitor.Locator(".error[data-for='place.address']", new() { HasText = "请填写地址" }).WaitForAsync();

        // The street asks for more time on one request while a reply to the other is half written: the reload that
        // follows keeps the draft.
        var street = await SignInAsync(browser, app.ServerAddress, "street");
        await street.Page.GotoAsync("/desk/unit");
        var one = street.Page.Locator($"article[data-number='{first}']");
        var other = street.Page.Locator($"article[data-number='{second}']");
        await other.GetByLabel("答复市民", new() { Exact = true }).FillAsync("已联系施工单位，");
        await one.GetByLabel("申请延期（工作日）", new() { Exact = true }).FillAsync("2");
        await one.GetByLabel("理由", new() { Exact = true }).FillAsync("需协调供电部门");
        await one.GetByRole(AriaRole.Button, new() { Name = "申请延期" }).ClickAsync();
        await one.Locator(".timeline li", new() { HasText = "申请延期" }).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        (await other.GetByLabel("答复市民", new() { Exact = true }).InputValueAsync()).ShouldBe("已联系施工单位，");

        // The card now says the extension waits for a decision. On the other card, a colleague has asked meanwhile
        // (the page is stale): asking again is refused, the reason is shown in Chinese and the button works again.
        await one.Locator("[data-pending-extension]").WaitForAsync();
        (await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{second}/extension", new { days = 1, reason = "同事已申请" })).EnsureSuccessStatusCode();
        await other.GetByLabel("理由", new() { Exact = true }).FillAsync("再次申请");
        await other.GetByRole(AriaRole.Button, new() { Name = "申请延期" }).ClickAsync();
        await other.Locator(".error", new() { HasText = "已有一项延期申请正在等待审核" }).WaitForAsync();
        (await other.GetByRole(AriaRole.Button, new() { Name = "申请延期" }).IsEnabledAsync()).ShouldBeTrue();

        // A call-taker presses Ctrl+Enter twice while the answer is slow: one request is taken in, and the console is
        // ready for the next call.
        var desk = await SignInAsync(browser, app.ServerAddress, "calltaker");
        await desk.Page.RouteAsync("**/api/v1/requests", async route =>
        {
            await Task.Delay(800);
            await route.ContinueAsync();
        });
        await desk.Page.GotoAsync("/desk/calls");
        const string caller = "13900139009";
        await desk.Page.GetByLabel("来电号码", new() { Exact = true }).FillAsync(caller);
        await desk.Page.GetByLabel("咨询", new() { Exact = true }).CheckAsync();
        await desk.Page.GetByLabel("标题", new() { Exact = true }).FillAsync("路灯不亮");
        await desk.Page.GetByLabel("地点", new() { Exact = true }).FillAsync("福田区福田街道福华三路");
        var text = desk.Page.GetByLabel("诉求内容", new() { Exact = true });
        await text.FillAsync("福华三路的路灯一周不亮了。");
        await text.PressAsync("Control+Enter");
        await text.PressAsync("Control+Enter");
        await desk.Page.Locator("#taken").WaitForAsync();
        await Task.Delay(2000);
        (await app.WithDbAsync(db => db.Requests.CountAsync(r => r.ContactPhone == caller))).ShouldBe(1);
        (await desk.Page.GetByLabel("投诉", new() { Exact = true }).IsCheckedAsync()).ShouldBeTrue();
        await desk.Context.CloseAsync();
        await street.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task HotspotDesk_ShowsAHotspotAndARecurrence_AndMakesADataDrivenEventOfTheHotspot(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Supervisor, "440300", "leader");
        var s = new Scenario(app);
        var citizen = await s.Citizen();
        object Complaint(string phone, string matter, string address, string title) => new
        {
            type = "complaint", title, description = $"{title}，已经持续一段时间，请尽快处理。", place = new { address },
            contact = new { name = "李女士", phone }, channel = "web", urgency = "normal", matterCode = matter,
        };

        // Rubbish cleared at 莲花一村 a month ago comes back; six people complain of night work near 福华路 in two days.
        var cleared = await s.SubmitAsync(citizen, Complaint("13900000100", "08.04.002", "深圳市福田区华富街道莲花一村", "楼下垃圾堆积发臭"));
        var dispatcher = await s.Dispatcher();
        var state = (await (await dispatcher.GetAsync($"/api/v1/requests/{cleared}")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
        if (state == "submitted")
        {
            (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{cleared}/dispatch", new { leadUnitCode = "440304009" })).EnsureSuccessStatusCode();
        }

        var huafu = await s.Handler("440304009");
        (await huafu.PostAsJsonAsync($"/api/v1/requests/{cleared}/accept", new { })).EnsureSuccessStatusCode();
        (await huafu.PostAsJsonAsync($"/api/v1/requests/{cleared}/reply", new { reply = "已组织清理完毕" })).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(30));
        var back = await s.SubmitAsync(citizen, Complaint("13900000101", "08.04.002", "深圳市福田区华富街道莲花一村", "楼下垃圾又堆起来了"));
        var titles = new[] { "工地凌晨还在施工", "夜间打桩吵得无法入睡", "深夜工地机器轰鸣扰民", "工地十二点后还在作业", "夜间施工噪音太大", "工地半夜运泥车作业" };
        for (var i = 0; i < titles.Length; i++)
        {
            await s.SubmitAsync(citizen, Complaint($"1390000011{i}", "03.01.002", "深圳市福田区福田街道福华路", titles[i]));
            app.Clock.Advance(TimeSpan.FromHours(7));
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var leader = await SignInAsync(browser, app.ServerAddress, "leader");
        await leader.Page.GotoAsync("/");
        await leader.Page.GetByRole(AriaRole.Link, new() { Name = "热点", Exact = true }).ClickAsync();
        var card = leader.Page.Locator("article[data-hotspot='440304004-03.01.002']");
        (await card.Locator("[data-count]").InnerTextAsync()).ShouldBe("6件（6人）");
        (await card.InnerTextAsync()).ShouldContain("热点");
        (await leader.Page.Locator($"tr[data-recurrence='{cleared}']").InnerTextAsync()).ShouldContain(back);
        await ShootAsync(leader.Page, "hotspots");
        await AccessibleAsync(leader.Page, "hotspots");

        // The supervisor makes it one request for the units, with a note; its page opens and lists the six.
        await card.GetByLabel("给牵头单位的说明（可选）", new() { Exact = true }).FillAsync("请住建局牵头，联合街道开展夜查");
        await card.GetByRole(AriaRole.Button, new() { Name = "生成大数据事件工单" }).ClickAsync();
        await leader.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/requests/SZ"));
        (await leader.Page.Locator("#event-members").InnerTextAsync()).ShouldContain("由6件诉求形成的热点");
        (await leader.Page.Locator("#event-members a.tracking").CountAsync()).ShouldBe(6);
        var number = leader.Page.Url.Split("/requests/")[1];
        (await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.TrackingNumber == number))).Channel.ShouldBe(Channel.DataDriven);

        // Back on the desk the hotspot links its event instead of offering another.
        await leader.Page.GoBackAsync();
        await leader.Page.ReloadAsync();
        (await card.Locator("[data-event]").InnerTextAsync()).ShouldContain(number);
        (await card.GetByRole(AriaRole.Button, new() { Name = "生成大数据事件工单" }).CountAsync()).ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SupervisionDesk_DecidesExtensions_RemindsAndSupervises_AndTheUnitAnswersOnItsDesk(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Handler, Scenario.Street, "street");
        await app.ClientAsync(Roles.Supervisor, "440300", "leader");
        var s = new Scenario(app);
        var first = await s.InStateAsync(RequestState.InProgress);
        var second = await s.InStateAsync(RequestState.InProgress);
        var handler = await s.Handler();
        foreach (var (number, days) in new[] { (first, 2), (second, 3) })
        {
            (await handler.PostAsJsonAsync($"/api/v1/requests/{number}/extension", new { days, reason = "需协调供电部门" })).EnsureSuccessStatusCode();
        }

        async Task<Deadlines.RequestClock> HandlingClockAsync(string number) => await app.WithDbAsync(db =>
            db.Clocks.AsNoTracking().SingleAsync(c => c.Kind == Core.Deadlines.ClockKind.Handling && db.Requests.Any(r => r.Id == c.RequestId && r.TrackingNumber == number)));
        var dueBefore = (await HandlingClockAsync(first)).DueAt;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });

        // The supervisor approves one extension; refusing the other needs a reason, said in Chinese on its card.
        var leader = await SignInAsync(browser, app.ServerAddress, "leader");
        await leader.Page.GotoAsync("/");
        await leader.Page.GetByRole(AriaRole.Link, new() { Name = "督办台" }).ClickAsync();
        var approve = leader.Page.Locator($"article[data-number='{first}'][data-extension]");
        var refuse = leader.Page.Locator($"article[data-number='{second}'][data-extension]");
        (await approve.InnerTextAsync()).ShouldContain("申请延期2个工作日");
        await approve.GetByRole(AriaRole.Button, new() { Name = "同意延期" }).ClickAsync();
        await approve.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        (await HandlingClockAsync(first)).DueAt.ShouldBeGreaterThan(dueBefore);
        await refuse.GetByRole(AriaRole.Button, new() { Name = "不同意" }).ClickAsync();
        await refuse.Locator(".error", new() { HasText = "须说明理由" }).WaitForAsync();
        (await refuse.GetByRole(AriaRole.Button, new() { Name = "不同意" }).IsEnabledAsync()).ShouldBeTrue();
        await refuse.GetByLabel("审核意见（不同意时必填）", new() { Exact = true }).FillAsync("线路问题应在时限内协调完毕");
        await refuse.GetByRole(AriaRole.Button, new() { Name = "不同意" }).ClickAsync();
        await refuse.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        (await app.WithDbAsync(db => db.ExtensionRequests.Select(x => x.Status).ToListAsync()))
            .ShouldBe([Deadlines.ExtensionStatus.Approved, Deadlines.ExtensionStatus.Refused], ignoreOrder: true);

        // A month later both are overdue: the supervisor reminds one unit and puts the other request under supervision.
        app.Clock.Advance(TimeSpan.FromDays(30));
        await leader.Page.ReloadAsync();
        var late = leader.Page.Locator($"article[data-number='{second}'][data-warned='Handling']");
        var supervised = leader.Page.Locator($"article[data-number='{first}'][data-warned='Handling']");
        (await late.InnerTextAsync()).ShouldContain("已超期");
        await ShootAsync(leader.Page, "supervision-desk");
        await AccessibleAsync(leader.Page, "supervision-desk");
        await late.GetByLabel("催办说明（可选）", new() { Exact = true }).FillAsync("请今日内联系市民");
        await late.GetByRole(AriaRole.Button, new() { Name = "催办" }).ClickAsync();
        await late.Locator(".meta", new() { HasText = "已催办" }).WaitForAsync();
        for (var wait = 0; wait < 50 && await app.WithDbAsync(db => db.Reminders.CountAsync(m => m.Level == Core.Deadlines.ReminderLevel.Manual)) == 0; wait++)
        {
            await Task.Delay(200);
        }

        (await app.WithDbAsync(db => db.Reminders.Where(m => m.Level == Core.Deadlines.ReminderLevel.Manual).Select(m => m.Note ?? "").ToListAsync()))
            .ShouldHaveSingleItem().ShouldContain("请今日内联系市民");
        await supervised.GetByLabel("督办要求", new() { Exact = true }).FillAsync("请三个工作日内修复路灯并回复");
        await supervised.GetByRole(AriaRole.Button, new() { Name = "下达督办单" }).ClickAsync();
        await supervised.Locator(".badge", new() { HasText = "督办中" }).WaitForAsync();
        (await supervised.Locator("form[data-act='supervise']").CountAsync()).ShouldBe(0);
        (await leader.Page.Locator("#orders").InnerTextAsync()).ShouldContain("请三个工作日内修复路灯并回复");

        // The street replies to the citizen, then answers the order from its desk: the replied request stays there
        // until it has. It stops the clock on the other request while waiting for the citizen, then restarts it.
        (await handler.PostAsJsonAsync($"/api/v1/requests/{first}/reply", new { reply = "路灯已修复。" })).EnsureSuccessStatusCode();
        var street = await SignInAsync(browser, app.ServerAddress, "street");

        // The street's header counts its unread notifications; among them the order, the reminder and the decisions.
        var unread = street.Page.Locator("[data-inbox] [data-unread]");
        await unread.WaitForAsync();
        var count = await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.Channel == "in-app" && n.Audience == Notifications.Audience.Unit && n.ReadAt == null && db.Units.Any(u => u.Id == n.UnitId && u.Code == Scenario.Street)));
        (await unread.InnerTextAsync()).ShouldBe(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await street.Page.Locator("[data-inbox]").ClickAsync();
        var inbox = await street.Page.Locator("#inbox").InnerTextAsync();
        inbox.ShouldContain("请三个工作日内修复路灯并回复");
        inbox.ShouldContain("请今日内联系市民");
        inbox.ShouldContain("延期申请未同意");
        await ShootAsync(street.Page, "inbox");
        await AccessibleAsync(street.Page, "inbox");
        await street.Page.GetByRole(AriaRole.Button, new() { Name = "全部标为已读" }).ClickAsync();
        await street.Page.Locator("li.unread").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        await street.Page.WaitForLoadStateAsync(LoadState.NetworkIdle); // the header's count has come back
        (await unread.IsHiddenAsync()).ShouldBeTrue();
        (await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.Channel == "in-app" && n.Audience == Notifications.Audience.Unit && n.ReadAt == null && db.Units.Any(u => u.Id == n.UnitId && u.Code == Scenario.Street)))).ShouldBe(0);

        await street.Page.GotoAsync("/desk/unit");
        var ordered = street.Page.Locator($"article[data-number='{first}']");
        (await ordered.InnerTextAsync()).ShouldContain("请三个工作日内修复路灯并回复");
        (await ordered.Locator(".badge", new() { HasText = "已答复" }).CountAsync()).ShouldBe(1);
        await ordered.GetByLabel("督办回复", new() { Exact = true }).FillAsync("已更换灯具，路灯恢复照明。");
        await ordered.GetByRole(AriaRole.Button, new() { Name = "回复督办" }).ClickAsync();
        await ordered.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        var order = await app.WithDbAsync(db => db.SupervisionOrders.AsNoTracking().SingleAsync());
        order.Status.ShouldBe(Deadlines.SupervisionStatus.Answered);
        order.Answer.ShouldBe("已更换灯具，路灯恢复照明。");

        var waiting = street.Page.Locator($"article[data-number='{second}']");
        await waiting.GetByLabel("办理进展（内部记录，市民不可见）", new() { Exact = true }).FillAsync("已联系施工单位，约定夜间停工");
        await waiting.GetByRole(AriaRole.Button, new() { Name = "记录进展" }).ClickAsync();
        await waiting.Locator(".timeline li", new() { HasText = "已联系施工单位，约定夜间停工" }).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await waiting.GetByLabel("挂起理由（如等待市民补充材料）", new() { Exact = true }).FillAsync("等待市民补充照片");
        await waiting.GetByRole(AriaRole.Button, new() { Name = "挂起" }).ClickAsync();
        await waiting.Locator(".badge", new() { HasText = "已挂起" }).WaitForAsync();
        (await HandlingClockAsync(second)).Status.ShouldBe(Core.Deadlines.ClockStatus.Paused);
        await waiting.GetByRole(AriaRole.Button, new() { Name = "恢复计时" }).ClickAsync();
        await waiting.GetByLabel("挂起理由（如等待市民补充材料）", new() { Exact = true }).WaitForAsync();
        (await HandlingClockAsync(second)).Status.ShouldBe(Core.Deadlines.ClockStatus.Running);

        // Asking for more time again: the card says the request waits for a decision instead of offering the form.
        await waiting.GetByLabel("申请延期（工作日）", new() { Exact = true }).FillAsync("2");
        await waiting.GetByLabel("理由", new() { Exact = true }).FillAsync("市民补充材料后需再次勘查");
        await waiting.GetByRole(AriaRole.Button, new() { Name = "申请延期" }).ClickAsync();
        await waiting.Locator("[data-pending-extension]", new() { HasText = "已申请延期2个工作日" }).WaitForAsync();
        (await waiting.Locator("form[data-act='extension']").CountAsync()).ShouldBe(0);

        // The supervisor sees the answer in the orders and the new extension to decide.
        await leader.Page.ReloadAsync();
        (await leader.Page.Locator($"tr[data-order='{order.Id}']").InnerTextAsync()).ShouldContain("已更换灯具");
        await leader.Page.Locator($"article[data-number='{second}'][data-extension]").WaitForAsync();

        // The order's number opens the request with everything recorded about it.
        await leader.Page.Locator($"tr[data-order='{order.Id}'] a.tracking").ClickAsync();
        await leader.Page.WaitForURLAsync($"**/requests/{first}");
        (await leader.Page.Locator("#orders").InnerTextAsync()).ShouldContain("已回复");
        (await leader.Page.Locator("#extensions").InnerTextAsync()).ShouldContain("已同意");
        (await leader.Page.Locator("#clocks").InnerTextAsync()).ShouldContain("办理");
        (await leader.Page.Locator(".timeline").InnerTextAsync()).ShouldContain("督办回复");
        await ShootAsync(leader.Page, "request");
        await AccessibleAsync(leader.Page, "request");

        // The header's look-up takes a number typed in lower case.
        await leader.Page.Locator("#find-top").FillAsync(second.ToLowerInvariant());
        await leader.Page.Locator("#find-top").PressAsync("Enter");
        await leader.Page.WaitForURLAsync($"**/requests/{second}");
        (await leader.Page.Locator("#extensions").InnerTextAsync()).ShouldContain("待审核");
        await leader.Context.CloseAsync();
        await street.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FollowUpDesk_RecordsWhatTheCitizenSaysOnThePhone_ClosingOrReopening(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.CallTaker, "440300", "calltaker");
        var s = new Scenario(app);
        var pleased = await s.InStateAsync(RequestState.Replied);
        var unhappy = await s.InStateAsync(RequestState.Replied);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var desk = await SignInAsync(browser, app.ServerAddress, "calltaker");
        await desk.Page.GotoAsync("/");
        await desk.Page.GetByRole(AriaRole.Link, new() { Name = "回访台" }).ClickAsync();

        // Each card says whom to call and what the unit answered.
        var first = desk.Page.Locator($"article[data-number='{pleased}']");
        var second = desk.Page.Locator($"article[data-number='{unhappy}']");
        var text = await first.InnerTextAsync();
        text.ShouldContain("13800138000");
        text.ShouldContain("答复内容：已处理");
        await ShootAsync(desk.Page, "follow-up-desk");
        await AccessibleAsync(desk.Page, "follow-up-desk");

        // Satisfied closes the request, with the call's record on its timeline; dissatisfied sends it back to the unit.
        await first.GetByLabel("回访记录（市民原话，不满意时请写明原因）", new() { Exact = true }).FillAsync("市民表示施工已停止，满意");
        await first.GetByRole(AriaRole.Button, new() { Name = "满意", Exact = true }).ClickAsync();
        await first.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        await second.GetByRole(AriaRole.Button, new() { Name = "不满意，重新办理" }).ClickAsync();
        await second.Locator(".error", new() { HasText = "请记录市民不满意的原因" }).WaitForAsync();
        await second.GetByLabel("回访记录（市民原话，不满意时请写明原因）", new() { Exact = true }).FillAsync("夜间仍有施工噪音");
        await second.GetByRole(AriaRole.Button, new() { Name = "不满意，重新办理" }).ClickAsync();
        await second.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        var closed = await app.WithDbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.TrackingNumber == pleased));
        closed.State.ShouldBe(RequestState.Closed);
        closed.Rating.ShouldBe(Rating.Satisfied);
        var reopened = await app.WithDbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.TrackingNumber == unhappy));
        reopened.State.ShouldBe(RequestState.Reopened);
        reopened.Rating.ShouldBe(Rating.Dissatisfied);
        var call = (await s.TimelineAsync(await s.Dispatcher(), pleased)).Last();
        call.GetProperty("note").GetString().ShouldBe("市民表示施工已停止，满意");
        call.GetProperty("actor").GetProperty("role").GetString().ShouldBe("callTaker");
        (await (await s.Handler()).GetStringAsync("/desk/unit")).ShouldContain($"data-number=\"{unhappy}\"");
        (await desk.Page.Locator("main").InnerTextAsync()).ShouldContain("暂无待回访的诉求");
        await desk.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Submit_PicksThePlaceOnTheMapOfTheCitysDistricts(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        var admin = await app.ClientAsync(Roles.Administrator, "440300");

        // A made-up square for 福田区 (440304): enough to pick from.
        const string square = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"440304","name":"福田区"},
             "geometry":{"type":"Polygon","coordinates":[[[114.00,22.50],[114.10,22.50],[114.10,22.58],[114.00,22.58],[114.00,22.50]]]}}]}
            """;
        (await admin.PostAsync("/api/v1/places/boundaries/district", new StringContent(square, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.ServerAddress, ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, Locale = "zh-CN" });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/submit");
        await page.GetByRole(AriaRole.Button, new() { Name = "在地图上选择" }).ClickAsync();
        var map = page.Locator("#pick-map canvas").First;
        await map.WaitForAsync();

        // A mouse click lands where the map is on screen: bring it into view first, and click again if a busy
        // machine drew the map after the first click was measured.
        var located = page.Locator("#located", new() { HasText = "已在地图上选点" });
        for (var attempt = 1; ; attempt++)
        {
            await page.Locator("#pick-map").ScrollIntoViewIfNeededAsync();
            var box = (await page.Locator("#pick-map").BoundingBoxAsync())!;
            await page.Mouse.ClickAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
            try
            {
                await located.WaitForAsync(new() { Timeout = attempt < 3 ? 5_000 : 30_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
        var latitude = double.Parse(await page.Locator("#latitude").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var longitude = double.Parse(await page.Locator("#longitude").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        latitude.ShouldBeInRange(22.50, 22.58);
        longitude.ShouldBeInRange(114.00, 114.10);

        await page.GetByLabel("标题", new() { Exact = true }).FillAsync("井盖缺失");
        await page.GetByLabel("具体情况", new() { Exact = true }).FillAsync("路边井盖缺失，行人容易踩空。");
        await page.GetByLabel("手机号码", new() { Exact = true }).FillAsync("13900002222");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await page.Locator("#submitted").WaitForAsync();
        var number = (await page.Locator("#tracking-number").InnerTextAsync()).Trim();
        var stored = await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.TrackingNumber == number));
        stored.DistrictCode.ShouldBe("440304");
        stored.Latitude!.Value.ShouldBe(latitude, 0.000001);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Admin_MakesAStaffAccountAndAHoliday_AndTheNewAccountSignsInToItsDesk(string provider)
    {
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        await app.ClientAsync(Roles.Administrator, "440300", "admin");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var admin = await SignInAsync(browser, app.ServerAddress, "admin");
        var page = admin.Page;
        await page.GotoAsync("/admin");
        await page.GetByLabel("用户名", new() { Exact = true }).FillAsync("futian-desk");
        await page.GetByLabel("姓名", new() { Exact = true }).FillAsync("福田街道值班");
        await page.GetByLabel("单位编码", new() { Exact = true }).FillAsync(Scenario.Street);
        await page.GetByLabel("角色", new() { Exact = true }).SelectOptionAsync(Roles.Handler);
        await page.GetByLabel("初始密码", new() { Exact = true }).FillAsync(SubanApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "新建账号" }).ClickAsync();
        await page.Locator("tr[data-user='futian-desk']").WaitForAsync();

        await page.GetByLabel("日期", new() { Exact = true }).FillAsync("2026-12-31");
        await page.GetByLabel("名称", new() { Exact = true }).FillAsync("测试假日");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await page.Locator("#calendar-days li", new() { HasText = "测试假日" }).WaitForAsync();

        // Retraining the routing model now: the new version heads the table of models with its validation figures.
        var before = await app.WithDbAsync(db => db.RoutingModels.CountAsync());
        before.ShouldBeLessThan(10);
        await page.GetByRole(AriaRole.Button, new() { Name = "立即重新训练" }).ClickAsync();
        await page.Locator("#model-table tbody tr").Nth(before).WaitForAsync(new() { Timeout = 180_000 }); // training the list takes a while
        (await app.WithDbAsync(db => db.RoutingModels.CountAsync())).ShouldBe(before + 1);
        var newest = await app.WithDbAsync(db => db.RoutingModels.MaxAsync(m => m.Version));
        var row = await page.Locator("#model-table tbody tr").First.InnerTextAsync();
        row.ShouldStartWith($"v{newest}");
        row.ShouldContain("%");
        await ShootAsync(page, "admin");
        await AccessibleAsync(page, "admin");

        var desk = await SignInAsync(browser, app.ServerAddress, "futian-desk");
        await desk.Page.GotoAsync("/desk/unit");
        (await desk.Page.Locator("h1").InnerTextAsync()).ShouldContain("福田街道");
        await desk.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Users_OnlyAdministratorsManageStaff_AndBadInputIsNamed(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        async Task<JsonElement> Problem(HttpResponseMessage response)
        {
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        (await Problem(await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x1", password = SubanApp.Password, unitCode = Scenario.Street, roles = new[] { "citizen" } })))
            .GetProperty("errors").TryGetProperty("roles", out _).ShouldBeTrue();
        (await Problem(await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x1", password = SubanApp.Password, unitCode = "nope", roles = new[] { "handler" } })))
            .GetProperty("errors").TryGetProperty("unitCode", out _).ShouldBeTrue();
        (await Problem(await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x1", password = "short", unitCode = Scenario.Street, roles = new[] { "handler" } })))
            .GetProperty("errors").TryGetProperty("password", out _).ShouldBeTrue();
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x1", password = SubanApp.Password, unitCode = Scenario.Street, roles = new[] { "handler" } });
        created.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await admin.PostAsJsonAsync("/api/v1/users", new { userName = "x1", password = SubanApp.Password, unitCode = Scenario.Street, roles = new[] { "handler" } })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        (await admin.PutAsJsonAsync($"/api/v1/users/{id}/roles", new { roles = new[] { "dispatcher", "supervisor" } })).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/users");
        listed.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == "x1").GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["dispatcher", "supervisor"]);

        var handler = await app.ClientAsync(Roles.Handler, Scenario.Street);
        (await handler.GetAsync("/api/v1/users")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await handler.PostAsJsonAsync("/api/v1/users", new { userName = "x2" })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await handler.GetAsync("/admin")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Pages_SendVisitorsToSignIn_AndRefuseTheWrongRole(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var page in new[] { "/me", "/desk/dispatch", "/desk/unit", "/dashboard", "/desk/follow-up", "/desk/supervise", "/inbox" })
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
        (await citizen.GetAsync("/api/v1/callers/13800000001/requests")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await citizen.PostAsJsonAsync("/api/v1/duplicates/preview", new { description = "路灯不亮" })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        var handler = await app.ClientAsync(Roles.Handler, Scenario.Street);
        (await handler.GetAsync("/desk/unit")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await handler.GetAsync("/desk/calls")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await handler.GetAsync("/desk/follow-up")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await (await app.ClientAsync(Roles.CallTaker, "440300")).GetAsync("/desk/follow-up")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await handler.GetAsync("/api/v1/callers/13800000001/requests")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        var callTaker = await app.ClientAsync(Roles.CallTaker, "440300");
        (await callTaker.GetAsync("/api/v1/callers/12/requests")).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await callTaker.PostAsJsonAsync("/api/v1/duplicates/preview", new { description = "" })).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await handler.GetAsync("/desk/dispatch")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }
}
