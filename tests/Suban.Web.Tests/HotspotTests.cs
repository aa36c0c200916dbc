using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>Hotspots (热点), early warnings, recurrences (回潮) and the data-driven events (大数据事件工单) made from them.</summary>
public sealed class HotspotTests
{
    private const string NightWork = "03.01.002";     // 建筑工地夜间违规施工
    private const string Rubbish = "08.04.002";       // 公共区域垃圾堆积
    private const string Huafu = "440304009";         // 华富街道

    private static object Complaint(string phone, string matter = NightWork, string address = "深圳市福田区福田街道福华路", string title = "工地夜间施工噪音扰民", string channel = "web") => new
    {
        type = "complaint",
        title,
        description = "附近工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
        place = new { address },
        contact = new { name = "李女士", phone },
        channel,
        urgency = "normal",
        matterCode = matter,
    };

    private static async Task<JsonElement> ReportAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/hotspots");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement[] Hotspots(JsonElement report) => report.GetProperty("hotspots").EnumerateArray().ToArray();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PeopleAboutOneMatterInOneStreet_MakeAHotspot_ThatBecomesOneDataDrivenEvent(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var citizen = await s.Citizen();
        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");

        // A week before: one complaint, the usual level. Then four people in a few hours, one of them twice.
        await s.SubmitAsync(citizen, Complaint("13900000000"));
        app.Clock.Advance(TimeSpan.FromDays(8));
        foreach (var phone in new[] { "13900000001", "13900000002", "13900000003", "13900000003", "13900000004" })
        {
            await s.SubmitAsync(citizen, Complaint(phone));
            app.Clock.Advance(TimeSpan.FromHours(1));
        }

        // Elsewhere and about something else: two people each, counted apart.
        await s.SubmitAsync(citizen, Complaint("13900000011", address: "深圳市南山区粤海街道科技园"));
        await s.SubmitAsync(citizen, Complaint("13900000012", address: "深圳市南山区粤海街道科技园"));
        await s.SubmitAsync(citizen, Complaint("13900000013", matter: Rubbish, title: "楼下垃圾堆积"));

        var warning = Hotspots(await ReportAsync(supervisor)).ShouldHaveSingleItem();
        warning.GetProperty("area").GetString().ShouldBe(Scenario.Street);
        warning.GetProperty("matterCode").GetString().ShouldBe(NightWork);
        warning.GetProperty("level").GetString().ShouldBe("earlyWarning");
        warning.GetProperty("count").GetInt32().ShouldBe(5);
        warning.GetProperty("people").GetInt32().ShouldBe(4);
        warning.GetProperty("areaName").GetString().ShouldBe("福田区福田街道");
        warning.GetProperty("matterName").GetString().ShouldBe("建筑工地夜间违规施工");

        await s.SubmitAsync(citizen, Complaint("13900000005"));
        var hotspot = Hotspots(await ReportAsync(supervisor)).ShouldHaveSingleItem();
        hotspot.GetProperty("level").GetString().ShouldBe("hotspot");
        hotspot.GetProperty("people").GetInt32().ShouldBe(5);
        hotspot.GetProperty("expected").GetDouble().ShouldBe(0.25); // one in the four weeks before is a quarter in one
        var members = hotspot.GetProperty("requests").EnumerateArray().Select(m => m.GetProperty("trackingNumber").GetString()!).ToList();
        members.Count.ShouldBe(6);

        // Who may see it: a dispatcher of another district sees none of Futian's requests; analysts read but do not act.
        var nanshan = await app.ClientAsync(Roles.Dispatcher, "440305");
        Hotspots(await ReportAsync(nanshan)).ShouldBeEmpty();
        var analyst = await app.ClientAsync(Roles.Analyst, "440300");
        Hotspots(await ReportAsync(analyst)).Length.ShouldBe(1);
        var body = new { area = Scenario.Street, matter = NightWork, note = "请住建局牵头，联合街道开展夜查。" };
        (await analyst.PostAsJsonAsync("/api/v1/hotspots/events", body)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await s.Handler()).GetAsync("/api/v1/hotspots")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await citizen.PostAsJsonAsync("/api/v1/hotspots/events", body)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var unseen = await nanshan.PostAsJsonAsync("/api/v1/hotspots/events", body);
        unseen.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unseen.Content.ReadAsStringAsync()).ShouldContain("\"matter\"");

        // Bad input names the field.
        var missing = await supervisor.PostAsJsonAsync("/api/v1/hotspots/events", new { matter = NightWork });
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("area", out _).ShouldBeTrue();
        var tooLong = await supervisor.PostAsJsonAsync("/api/v1/hotspots/events", new { area = Scenario.Street, matter = NightWork, note = new string('长', 1001) });
        (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("note", out _).ShouldBeTrue();

        var created = await supervisor.PostAsJsonAsync("/api/v1/hotspots/events", body);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var result = await created.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("members").GetInt32().ShouldBe(6);
        var number = result.GetProperty("trackingNumber").GetString()!;

        // The event is a request like any other: the hotspot's matter and street, routed as the matter says.
        var request = await (await supervisor.GetAsync($"/api/v1/requests/{number}")).Content.ReadFromJsonAsync<JsonElement>();
        request.GetProperty("channel").GetString().ShouldBe("dataDriven");
        request.GetProperty("matterCode").GetString().ShouldBe(NightWork);
        request.GetProperty("streetCode").GetString().ShouldBe(Scenario.Street);
        request.GetProperty("title").GetString().ShouldBe("【大数据事件】福田区福田街道 建筑工地夜间违规施工：7日内5人反映");
        var description = request.GetProperty("description").GetString()!;
        description.ShouldContain("请住建局牵头，联合街道开展夜查。");
        members.ShouldNotContain(m => description.Contains(m)); // linked on the event's page, for those who may see them
        var saved = await app.WithDbAsync(db => db.DataDrivenEvents.Include(e => e.Members).SingleAsync());
        saved.AreaCode.ShouldBe(Scenario.Street);
        saved.Members.Count.ShouldBe(6);
        saved.People.ShouldBe(5);

        // One open event per hotspot: the desk links it, and a second one is refused.
        var linked = Hotspots(await ReportAsync(supervisor)).ShouldHaveSingleItem();
        linked.GetProperty("event").GetProperty("trackingNumber").GetString().ShouldBe(number);
        var again = await (await s.Dispatcher()).PostAsJsonAsync("/api/v1/hotspots/events", body);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain(number);

        // The event's page lists the requests that made it, and each of those names the event.
        var page = WebUtility.HtmlDecode(await supervisor.GetStringAsync($"/requests/{number}"));
        page.ShouldContain("由6件诉求形成的热点");
        members.ShouldAllBe(m => page.Contains(m));
        WebUtility.HtmlDecode(await supervisor.GetStringAsync($"/requests/{members[0]}")).ShouldContain(number);
        var desk = WebUtility.HtmlDecode(await supervisor.GetStringAsync("/desk/hotspots"));
        desk.ShouldContain("福田区福田街道 · 建筑工地夜间违规施工");
        desk.ShouldContain("已生成大数据事件工单");

        // The lead unit handles and replies; nobody is called back about an event: no follow-up limit, not on the desk.
        var lead = request.GetProperty("assignments").EnumerateArray().Single(a => a.GetProperty("isLead").GetBoolean()).GetProperty("unit").GetProperty("code").GetString()!;
        var unit = await app.ClientAsync(Roles.Handler, lead);
        (await unit.PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).EnsureSuccessStatusCode();
        (await unit.PostAsJsonAsync($"/api/v1/requests/{number}/reply", new { reply = "已联合街道夜查，责令工地停止夜间施工" })).EnsureSuccessStatusCode();
        (await app.WithDbAsync(db => db.Clocks.CountAsync(c => c.Kind == Core.Deadlines.ClockKind.FollowUp && db.Requests.Any(r => r.Id == c.RequestId && r.TrackingNumber == number)))).ShouldBe(0);
        WebUtility.HtmlDecode(await (await s.CallTaker()).GetStringAsync("/desk/follow-up")).ShouldNotContain(number);

        // Handled, it still covers the spike it was made for: the same requests make no second event.
        (await supervisor.PostAsJsonAsync("/api/v1/hotspots/events", body)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // A week later that spike is over; a new one, all after the event, makes a new event.
        app.Clock.Advance(TimeSpan.FromDays(8));
        Hotspots(await ReportAsync(supervisor)).ShouldBeEmpty();
        foreach (var phone in new[] { "+86 139 0000 0041", "13900000041", "13900000042", "13900000043", "13900000044", "13900000045" })
        {
            await s.SubmitAsync(citizen, Complaint(phone));
        }

        var next = Hotspots(await ReportAsync(supervisor)).ShouldHaveSingleItem();
        next.GetProperty("people").GetInt32().ShouldBe(5); // +86 and the bare number are one person
        next.TryGetProperty("event", out var none).ShouldBeTrue();
        none.ValueKind.ShouldBe(JsonValueKind.Null);
        var second = await supervisor.PostAsJsonAsync("/api/v1/hotspots/events", body);
        second.StatusCode.ShouldBe(HttpStatusCode.Created, await second.Content.ReadAsStringAsync());
        (await app.WithDbAsync(db => db.DataDrivenEvents.CountAsync())).ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AProblemResolvedBefore_ComingBackInTheSamePlace_IsARecurrence(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var citizen = await s.Citizen();
        var supervisor = await app.ClientAsync(Roles.Supervisor, "440300");
        const string address = "深圳市福田区华富街道莲花一村";

        var earlier = await s.SubmitAsync(citizen, Complaint("13900000021", matter: Rubbish, address: address, title: "楼下垃圾堆积发臭"));
        await s.SubmitAsync(citizen, Complaint("13900000022", matter: Rubbish, address: address, title: "楼下垃圾没人清")); // never resolved
        // The matter the citizen chose routes it to the street at once, or it waits for a dispatcher.
        var routed = await (await supervisor.GetAsync($"/api/v1/requests/{earlier}")).Content.ReadFromJsonAsync<JsonElement>(Scenario.Json);
        if (routed.GetProperty("state").GetString() == "submitted")
        {
            (await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{earlier}/dispatch", new { leadUnitCode = Huafu })).EnsureSuccessStatusCode();
        }

        var huafu = await s.Handler(Huafu);
        (await huafu.PostAsJsonAsync($"/api/v1/requests/{earlier}/accept", new { })).EnsureSuccessStatusCode();
        (await huafu.PostAsJsonAsync($"/api/v1/requests/{earlier}/reply", new { reply = "已清理完毕" })).EnsureSuccessStatusCode();

        app.Clock.Advance(TimeSpan.FromDays(30));
        var again = await s.SubmitAsync(citizen, Complaint("13900000023", matter: Rubbish, address: address, title: "楼下垃圾又堆起来了"));
        await s.SubmitAsync(citizen, Complaint("13900000024", matter: NightWork, address: address)); // another matter
        await s.SubmitAsync(citizen, Complaint("13900000025", matter: Rubbish)); // another street

        var recurrence = (await ReportAsync(supervisor)).GetProperty("recurrences").EnumerateArray().ShouldHaveSingleItem();
        recurrence.GetProperty("earlierTrackingNumber").GetString().ShouldBe(earlier);
        recurrence.GetProperty("area").GetString().ShouldBe(Huafu);
        var since = recurrence.GetProperty("since").EnumerateArray().ShouldHaveSingleItem();
        since.GetProperty("trackingNumber").GetString().ShouldBe(again);
        since.GetProperty("days").GetDouble().ShouldBe(30, 0.1);

        var desk = WebUtility.HtmlDecode(await supervisor.GetStringAsync("/desk/hotspots?lang=en"));
        desk.ShouldContain($"data-recurrence=\"{earlier}\"");
        desk.ShouldContain("30 days after");

        // Three months on, the earlier fix is too old to call the new one a recurrence.
        app.Clock.Advance(TimeSpan.FromDays(95));
        await s.SubmitAsync(citizen, Complaint("13900000026", matter: Rubbish, address: address, title: "楼下垃圾堆积"));
        (await ReportAsync(supervisor)).GetProperty("recurrences").EnumerateArray().ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Intake_RefusesTheDataDrivenChannel_NamingIt(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        foreach (var client in new[] { await s.Citizen(), await s.CallTaker() })
        {
            var response = await client.PostAsJsonAsync("/api/v1/requests", Complaint("13900000031", channel: "dataDriven"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("channel", out _).ShouldBeTrue();
        }

        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(0);
    }
}
