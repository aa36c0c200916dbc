using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Cell = DocumentFormat.OpenXml.Spreadsheet.Cell;
using CellValue = DocumentFormat.OpenXml.Spreadsheet.CellValue;
using CellValues = DocumentFormat.OpenXml.Spreadsheet.CellValues;
using Row = DocumentFormat.OpenXml.Spreadsheet.Row;
using SharedStringItem = DocumentFormat.OpenXml.Spreadsheet.SharedStringItem;
using SharedStringTable = DocumentFormat.OpenXml.Spreadsheet.SharedStringTable;
using Sheet = DocumentFormat.OpenXml.Spreadsheet.Sheet;
using SheetData = DocumentFormat.OpenXml.Spreadsheet.SheetData;
using Sheets = DocumentFormat.OpenXml.Spreadsheet.Sheets;
using Text = DocumentFormat.OpenXml.Spreadsheet.Text;
using Workbook = DocumentFormat.OpenXml.Spreadsheet.Workbook;
using Worksheet = DocumentFormat.OpenXml.Spreadsheet.Worksheet;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Infrastructure;
using Suban.Web.Integration;
using Suban.Web.Notifications;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>Department systems: webhooks out, the API in with their own keys and ids, and bulk import and export.</summary>
public sealed class IntegrationTests
{
    private static Task<SubanApp> FreshAsync(string provider) =>
        SubanApp.StartAsync(provider, new Dictionary<string, string> { ["Webhooks:AllowHttp"] = "true" });

    private static Task<HttpClient> Admin(SubanApp app) => app.ClientAsync(Roles.Administrator, "440300");

    private static Task<int> SendAsync(SubanApp app) =>
        app.WithServiceAsync<WebhookSender, int>(sender => sender.RunOnceAsync(CancellationToken.None));

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(int Id, string Secret)> SubscribeAsync(SubanApp app, string unitCode, string url, params string[] events)
    {
        var created = await Json(await (await Admin(app)).PostAsJsonAsync("/api/v1/webhooks", new { name = "区网格系统", unitCode, url, events }), HttpStatusCode.Created);
        return (created.GetProperty("id").GetInt32(), created.GetProperty("secret").GetString()!);
    }

    private static async Task<HttpClient> SystemAsync(SubanApp app, string unitCode)
    {
        var created = await Json(await (await Admin(app)).PostAsJsonAsync("/api/v1/systems", new { name = "街道办案系统", unitCode }), HttpStatusCode.Created);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("apiKey").GetString());
        return client;
    }

    private static async Task DispatchAsync(Scenario s, string number, string lead = Scenario.Street) =>
        (await (await s.Dispatcher()).PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = lead })).EnsureSuccessStatusCode();

    // ---- Webhooks ----

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Webhook_AssignedRequest_ArrivesSignedWithATimestampTheReceiverCanCheck(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var (_, secret) = await SubscribeAsync(app, Scenario.Street, receiver.Url());
        var number = await s.SubmitAsync();
        await DispatchAsync(s, number);

        (await SendAsync(app)).ShouldBe(1);
        var delivery = receiver.Deliveries.ShouldHaveSingleItem();
        delivery.Event.ShouldBe("assigned");
        WebhookSignature.Verify(secret, delivery.Timestamp, delivery.Body, delivery.Signature, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)).ShouldBeTrue();
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        body.GetProperty("event").GetString().ShouldBe("assigned");
        body.GetProperty("request").GetProperty("trackingNumber").GetString().ShouldBe(number);

        // What a receiver refuses: another secret, a changed body, a captured delivery played again later.
        WebhookSignature.Verify("whsec_other", delivery.Timestamp, delivery.Body, delivery.Signature, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSignature.Verify(secret, delivery.Timestamp, delivery.Body.Replace(number, "SZ20260101-000001"), delivery.Signature, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSignature.Verify(secret, delivery.Timestamp, delivery.Body, delivery.Signature, app.Clock.GetUtcNow().AddMinutes(6), TimeSpan.FromMinutes(5)).ShouldBeFalse();

        // Sent once: another pass sends nothing.
        (await SendAsync(app)).ShouldBe(0);
        receiver.Deliveries.Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Webhook_FailedDelivery_HoldsBackLaterEventsOfTheSameRequest_AndRetriesWithBackoff(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        await SubscribeAsync(app, Scenario.Street, receiver.Url());
        var number = await s.SubmitAsync();
        var other = await s.SubmitAsync();
        await DispatchAsync(s, number);

        receiver.Status = 503;
        (await SendAsync(app)).ShouldBe(0);
        receiver.Deliveries.Count.ShouldBe(1);

        // A reminder about the same request waits behind the failed "assigned"; another request's event does not.
        (await (await app.ClientAsync(Roles.Supervisor, "440300")).PostAsJsonAsync($"/api/v1/requests/{number}/remind", new { note = "请尽快办理" })).EnsureSuccessStatusCode();
        receiver.Status = 200;
        await DispatchAsync(s, other);
        (await SendAsync(app)).ShouldBe(1);
        receiver.Deliveries.Last().Body.ShouldContain(other);

        var pending = await app.WithDbAsync(db => db.WebhookDeliveries.Where(d => d.Status == DeliveryStatus.Pending).OrderBy(d => d.Id).ToListAsync());
        pending.Select(d => d.Event).ShouldBe(["assigned", "reminder"]);
        pending[0].Attempts.ShouldBe(1);
        pending[0].LastStatusCode.ShouldBe(503);
        pending[0].NextAttemptAt.ShouldBeGreaterThan(app.Clock.GetUtcNow().UtcDateTime);

        // After the backoff both go, in order.
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        (await SendAsync(app)).ShouldBe(2);
        receiver.Deliveries.Where(d => d.Body.Contains(number)).Select(d => d.Event).ShouldBe(["assigned", "assigned", "reminder"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Webhook_DeadSubscriber_BlocksNoOne_AndItsDeadDeliveryCanBeReplayed(string provider)
    {
        await using var live = await WebhookReceiver.StartAsync();
        await using var app = await SubanApp.StartAsync(provider, new Dictionary<string, string> { ["Webhooks:AllowHttp"] = "true", ["Webhooks:MaxAttempts"] = "2" });
        var s = new Scenario(app);

        // Nothing listens on the dead subscriber's port.
        var deadUrl = "http://127.0.0.1:9/hook";
        var (deadId, _) = await SubscribeAsync(app, Scenario.Street, deadUrl);
        await SubscribeAsync(app, Scenario.Street, live.Url());
        var numbers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add(await s.SubmitAsync());
            await DispatchAsync(s, numbers[^1]);
        }

        (await SendAsync(app)).ShouldBe(3);
        live.Deliveries.Count.ShouldBe(3);

        // One attempt per pass for a failing subscriber; passes go on until it has had its two attempts at each.
        for (var pass = 0; pass < 12; pass++)
        {
            app.Clock.Advance(TimeSpan.FromHours(3));
            await SendAsync(app);
        }

        var dead = await app.WithDbAsync(db => db.WebhookDeliveries.Where(d => d.SubscriptionId == deadId).ToListAsync());
        dead.ShouldAllBe(d => d.Status == DeliveryStatus.Dead && d.Attempts == 2);

        var admin = await Admin(app);
        var listed = await Json(await admin.GetAsync($"/api/v1/webhooks/{deadId}/deliveries?status=dead"), HttpStatusCode.OK);
        listed.GetArrayLength().ShouldBe(3);

        // The administrator points the subscription at the system's working address, gives it a new secret, and replays.
        await using var fixedReceiver = await WebhookReceiver.StartAsync();
        (await admin.PutAsJsonAsync($"/api/v1/webhooks/{deadId}", new { url = fixedReceiver.Url(), events = new[] { "*" } })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await admin.PutAsJsonAsync($"/api/v1/webhooks/{deadId}", new { url = "ftp://nowhere", events = new[] { "*" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var secret = (await Json(await admin.PostAsync($"/api/v1/webhooks/{deadId}/secret", null), HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        var first = dead.OrderBy(d => d.Id).First();
        (await admin.PostAsync($"/api/v1/webhooks/deliveries/{first.Id}/replay", null)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await SendAsync(app)).ShouldBe(1);
        var replayed = fixedReceiver.Deliveries.ShouldHaveSingleItem();
        replayed.Delivery.ShouldBe(first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WebhookSignature.Verify(secret, replayed.Timestamp, replayed.Body, replayed.Signature, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)).ShouldBeTrue();

        // The admin page lists the deliveries with a replay button each.
        var page = await admin.GetStringAsync("/admin/webhooks");
        page.ShouldContain("重新发送");
        page.ShouldContain($"/admin/webhooks/deliveries/{first.Id}/replay");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Webhook_Subscription_RefusesBadInputByField_AndOnlyAdministratorsManageThem(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await Admin(app);
        async Task Refused(object body, string field)
        {
            var problem = await Json(await admin.PostAsJsonAsync("/api/v1/webhooks", body), HttpStatusCode.BadRequest);
            problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        }

        await Refused(new { name = "x", unitCode = Scenario.Street, url = "http://example.org/hook" }, "url");
        await Refused(new { name = "x", unitCode = Scenario.Street, url = "ftp://example.org/hook" }, "url");
        await Refused(new { name = "x", unitCode = "nope", url = "https://example.org/hook" }, "unitCode");
        await Refused(new { name = "", unitCode = Scenario.Street, url = "https://example.org/hook" }, "name");
        await Refused(new { name = "x", unitCode = Scenario.Street, url = "https://example.org/hook", events = new[] { "everything" } }, "events");
        (await admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "x", unitCode = Scenario.Street, url = "https://example.org/hook", events = new[] { "assigned", "reminder" } })).StatusCode.ShouldBe(HttpStatusCode.Created);

        var handler = await app.ClientAsync(Roles.Handler, Scenario.Street);
        (await handler.GetAsync("/api/v1/webhooks")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.CreateClient().GetAsync("/api/v1/webhooks")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    // ---- Inbound: department systems ----

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task System_WithItsKey_AcceptsAsksForAnExtensionAndReplies_ByItsOwnCaseId(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var system = await SystemAsync(app, Scenario.Street);
        var number = await s.SubmitAsync();
        await DispatchAsync(s, number);

        // Sees its unit's request, like the unit's desk does.
        var list = await Json(await system.GetAsync("/api/v1/requests?state=dispatched"), HttpStatusCode.OK);
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()).ShouldContain(number);

        (await system.PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var link = await Json(await system.PostAsJsonAsync("/api/v1/systems/links", new { trackingNumber = number, externalId = "FT-2026-0042" }), HttpStatusCode.Created);
        link.GetProperty("trackingNumber").GetString().ShouldBe(number);

        // Linking again the same way is fine; another request under the same id is not.
        (await system.PostAsJsonAsync("/api/v1/systems/links", new { trackingNumber = number, externalId = "FT-2026-0042" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var second = await s.SubmitAsync();
        await DispatchAsync(s, second);
        (await system.PostAsJsonAsync("/api/v1/systems/links", new { trackingNumber = second, externalId = "FT-2026-0042" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var byCase = await Json(await system.GetAsync("/api/v1/systems/cases/FT-2026-0042"), HttpStatusCode.OK);
        byCase.GetProperty("trackingNumber").GetString().ShouldBe(number);
        (await system.PostAsJsonAsync("/api/v1/systems/cases/FT-2026-0042/extension", new { days = 3, reason = "需协调物业维修" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var replied = await Json(await system.PostAsJsonAsync("/api/v1/systems/cases/FT-2026-0042/reply", new { reply = "路灯已修复" }), HttpStatusCode.OK);
        replied.GetProperty("state").GetString().ShouldBe("replied");

        // The same rules as the workbench: a replied request cannot be replied again.
        (await system.PostAsJsonAsync("/api/v1/systems/cases/FT-2026-0042/reply", new { reply = "再次答复" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // The timeline names the service account's unit, like any handler.
        var timeline = await s.TimelineAsync(await s.Dispatcher(), number);
        timeline.Select(e => e.GetProperty("action").GetString()).ShouldContain("reply");
        (await system.GetAsync("/api/v1/systems/cases/NO-SUCH-CASE")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task System_SeesOnlyItsUnit_AndABadOrSwitchedOffKeyGetsNothing(string provider)
    {
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        var system = await SystemAsync(app, Scenario.OtherStreet);
        var number = await s.SubmitAsync();
        await DispatchAsync(s, number);

        (await system.GetAsync($"/api/v1/requests/{number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await system.PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        (await system.PostAsJsonAsync("/api/v1/systems/links", new { trackingNumber = number, externalId = "X-1" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A handler's rights, no more: it cannot dispatch or manage anything.
        (await system.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.OtherStreet })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await system.GetAsync("/api/v1/systems")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var stranger = app.CreateClient();
        stranger.DefaultRequestHeaders.Add("X-Api-Key", "sk_not-a-key");
        (await stranger.GetAsync("/api/v1/requests")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // A signed-in person cannot use the system routes.
        (await (await s.Handler()).GetAsync("/api/v1/systems/cases/X-1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var admin = await Admin(app);
        var id = (await Json(await admin.GetAsync("/api/v1/systems"), HttpStatusCode.OK)).EnumerateArray().Single().GetProperty("id").GetInt32();
        (await admin.DeleteAsync($"/api/v1/systems/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await system.GetAsync("/api/v1/requests")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task System_ReturnsAMisroutedRequest_AndItsWebhookTellsOfTheAssignmentWithItsCaseId(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FreshAsync(provider);
        var s = new Scenario(app);
        await SubscribeAsync(app, Scenario.Street, receiver.Url(), "assigned", "reopened");
        var system = await SystemAsync(app, Scenario.Street);
        var number = await s.InStateAsync(RequestState.InProgress);
        (await system.PostAsJsonAsync("/api/v1/systems/links", new { trackingNumber = number, externalId = "FT-7" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await system.PostAsJsonAsync("/api/v1/systems/cases/FT-7/reply", new { reply = "已处理" })).EnsureSuccessStatusCode();
        (await (await s.Citizen()).PostAsJsonAsync($"/api/v1/requests/{number}/rating", new { rating = "dissatisfied" })).EnsureSuccessStatusCode();

        await SendAsync(app);
        var reopened = receiver.Deliveries.Single(d => d.Event == "reopened");
        JsonDocument.Parse(reopened.Body).RootElement.GetProperty("request").GetProperty("externalId").GetString().ShouldBe("FT-7");

        var returned = await Json(await system.PostAsJsonAsync("/api/v1/systems/cases/FT-7/return", new { reason = "不属于本街道职责" }), HttpStatusCode.OK);
        returned.GetProperty("state").GetString().ShouldBe("returned");
        (await system.PostAsJsonAsync("/api/v1/systems/cases/FT-7/return", new { reason = "" })).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
    }

    // ---- Bulk import and export ----

    private const string Header = "externalId,type,title,description,submittedAt,urgency,address,streetCode,contactPhone,unitCode,reply,repliedAt,closedAt,rating";

    private static string CsvFile(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    private static async Task<JsonElement> ImportAsync(HttpClient admin, string fileName, byte[] content, bool dryRun)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        var started = await Json(await admin.PostAsync($"/api/v1/imports{(dryRun ? "?dryRun=true" : "")}", form), HttpStatusCode.Accepted);
        var id = started.GetProperty("id").GetInt64();
        for (var i = 0; i < 600; i++)
        {
            var job = await Json(await admin.GetAsync($"/api/v1/imports/{id}"), HttpStatusCode.OK);
            if (job.GetProperty("status").GetString() != "running")
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The import did not finish in a minute.");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_WhoseInstanceWasLost_ShowsAsInterrupted_SayingWhereItStopped(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await Admin(app);
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var (lost, alive) = await app.WithDbAsync(async db =>
        {
            // One import whose instance died twenty minutes ago mid-file; one making progress right now.
            var lost = new ImportJob { FileName = "2024.csv", Format = "csv", Status = "running", Total = 5000, Processed = 2000, Imported = 1990, Rejected = 10, StartedAt = now.AddMinutes(-30), HeartbeatAt = now.AddMinutes(-20) };
            var alive = new ImportJob { FileName = "2025.csv", Format = "csv", Status = "running", Total = 5000, Processed = 1000, Imported = 1000, StartedAt = now.AddMinutes(-1), HeartbeatAt = now.AddSeconds(-5) };
            db.ImportJobs.AddRange(lost, alive);
            await db.SaveChangesAsync();
            return (lost.Id, alive.Id);
        });

        var interrupted = await Json(await admin.GetAsync($"/api/v1/imports/{lost}"), HttpStatusCode.OK);
        interrupted.GetProperty("status").GetString().ShouldBe("interrupted");
        interrupted.GetProperty("error").GetString()!.ShouldContain("Rows 1–2000 were processed (1990 imported, 10 rejected)");
        interrupted.GetProperty("finishedAt").ValueKind.ShouldBe(JsonValueKind.String);
        (await app.WithDbAsync(db => db.ImportJobs.SingleAsync(j => j.Id == lost))).Status.ShouldBe("interrupted");

        (await Json(await admin.GetAsync($"/api/v1/imports/{alive}"), HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("running");
        app.Clock.Advance(ImportJob.StaleAfter + TimeSpan.FromMinutes(1));
        (await Json(await admin.GetAsync($"/api/v1/imports/{alive}"), HttpStatusCode.OK)).GetProperty("status").GetString().ShouldBe("interrupted");
    }

    private static async Task<List<JsonElement>> RejectionsAsync(HttpClient admin, JsonElement job) =>
        (await Json(await admin.GetAsync($"/api/v1/imports/{job.GetProperty("id").GetInt64()}/rejections"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_DryRunReportsEveryBadRowAndWritesNothing_ThenTheRealRunImportsTheRest(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await Admin(app);
        var csv = CsvFile(
            $"H-1,投诉,路灯不亮,福田街道某路口路灯不亮,2025-03-01 09:30,一般,福田区福田街道,{Scenario.Street},13800138000,{Scenario.Street},已修复,2025-03-03 10:00,2025-03-05 10:00,满意",
            "H-2,complaint,,噪音扰民，夜间施工,2025-03-02T01:00:00Z,,,,,,,,,",
            "H-3,表扬,标题,内容,2025-03-02 10:00,,,,,,,,,",
            "H-4,投诉,标题,内容,2025-02-30 10:00,,,,,,,,,",
            "H-5,投诉,标题,,2025-03-02 10:00,,,,,,,,,",
            "H-6,投诉,标题,内容,2025-03-02 10:00,,,999999999,,,,,,",
            "H-7,投诉,标题,内容,2025-03-02 10:00,,,,12,,,,,",
            "H-1,投诉,重复,同一编号又出现,2025-03-02 10:00,,,,,,,,,",
            "H-8,投诉,标题,内容,2025-03-02 10:00,,,,,,答复,2025-03-01 10:00,,",
            "H-9,咨询,\"带逗号,和\"\"引号\"\"的标题\",\"多行\n内容\",2025-03-04 08:00,特急,,,,,,,,不满意");
        var before = await app.WithDbAsync(db => db.Requests.CountAsync());

        var dry = await ImportAsync(admin, "history.csv", Encoding.UTF8.GetBytes(csv), dryRun: true);
        dry.GetProperty("status").GetString().ShouldBe("done");
        dry.GetProperty("total").GetInt32().ShouldBe(10);
        dry.GetProperty("imported").GetInt32().ShouldBe(3);
        dry.GetProperty("rejected").GetInt32().ShouldBe(7);
        var reasons = (await RejectionsAsync(admin, dry)).Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("field").GetString())).ToList();
        reasons.ShouldBe([(4, "type"), (5, "submittedAt"), (6, "description"), (7, "streetCode"), (8, "contactPhone"), (9, "externalId"), (10, "repliedAt")]);
        (await app.WithDbAsync(db => db.Requests.CountAsync())).ShouldBe(before);
        (await (await app.ClientAsync(Roles.Dispatcher, "440300")).GetAsync($"/api/v1/imports/{dry.GetProperty("id").GetInt64()}/rejections")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var real = await ImportAsync(admin, "history.csv", Encoding.UTF8.GetBytes(csv), dryRun: false);
        real.GetProperty("imported").GetInt32().ShouldBe(3, real.ToString());
        real.GetProperty("rejected").GetInt32().ShouldBe(7);
        var imported = await app.WithDbAsync(db => db.Requests.Where(r => r.Channel == Channel.BulkImport).Include(r => r.Events).OrderBy(r => r.ExternalId).ToListAsync());
        imported.Select(r => r.ExternalId).ShouldBe(["H-1", "H-2", "H-9"]);
        var first = imported[0];
        first.State.ShouldBe(RequestState.Closed);
        first.TrackingNumber.ShouldStartWith("SZ20250301-");
        first.StreetCode.ShouldBe(Scenario.Street);
        first.Rating.ShouldBe(Rating.Satisfied);
        first.SubmittedAt.ShouldBe(new DateTime(2025, 3, 1, 1, 30, 0, DateTimeKind.Utc));
        first.Events.OrderBy(e => e.At).Select(e => e.Action).ShouldBe([RequestAction.Submit, RequestAction.Reply, RequestAction.RateSatisfied]);
        imported[1].Title.ShouldBe("噪音扰民，夜间施工");
        imported[2].Title.ShouldBe("带逗号,和\"引号\"的标题");
        imported[2].Urgency.ShouldBe(Urgency.Urgent);

        // Importing the same file again imports nothing twice.
        var again = await ImportAsync(admin, "history.csv", Encoding.UTF8.GetBytes(csv), dryRun: false);
        again.GetProperty("imported").GetInt32().ShouldBe(0);
        (await app.WithDbAsync(db => db.Requests.CountAsync(r => r.Channel == Channel.BulkImport))).ShouldBe(3);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_ARowTheDatabaseRefuses_IsReportedAlone_AndLeavesNothingOfItselfBehind(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await Admin(app);

        // A database rule the importer does not know of refuses one row of the batch.
        await app.WithDbAsync(db => db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlRawAsync("""
                CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.description = '数据库拒收' THEN RAISE EXCEPTION 'refused by a rule'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_marked BEFORE INSERT ON requests FOR EACH ROW EXECUTE FUNCTION refuse_marked();
                """)
            : db.Database.ExecuteSqlRawAsync("""
                CREATE TRIGGER refuse_marked BEFORE INSERT ON requests WHEN NEW.description = '数据库拒收'
                BEGIN SELECT RAISE(ABORT, 'refused by a rule'); END;
                """));
        var csv = CsvFile(
            "R-1,投诉,一,第一条,2025-03-01 09:30,,,,,,已办,2025-03-02 09:30,,满意",
            "R-2,投诉,二,数据库拒收,2025-03-01 09:31,,,,,,已办,2025-03-02 09:30,,满意",
            "R-3,投诉,三,第三条,2025-03-01 09:32,,,,,,已办,2025-03-02 09:30,,满意");
        var job = await ImportAsync(admin, "h.csv", Encoding.UTF8.GetBytes(csv), dryRun: false);
        job.GetProperty("imported").GetInt32().ShouldBe(2);
        var rejected = (await RejectionsAsync(admin, job)).ShouldHaveSingleItem();
        rejected.GetProperty("row").GetInt32().ShouldBe(3);
        rejected.GetProperty("reason").GetString()!.ShouldContain("refused by a rule");

        var imported = await app.WithDbAsync(db => db.Requests.Where(r => r.Channel == Channel.BulkImport).Select(r => new { r.ExternalId, Events = r.Events.Count }).OrderBy(r => r.ExternalId).ToListAsync());
        imported.Select(r => r.ExternalId).ShouldBe(["R-1", "R-3"]);
        imported.ShouldAllBe(r => r.Events == 3);
        (await app.WithDbAsync(db => db.Events.CountAsync(e => e.Note == "历史工单导入（原编号 R-2）"))).ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_ReadsJsonLinesAndXlsx_AndAnUnreadableFileFailsAsAWhole(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var admin = await Admin(app);
        var jsonl = """
            {"externalId":"J-1","type":"help","description":"老人走失求助","submittedAt":"2025-05-01T08:00:00+08:00","rating":"basicallySatisfied"}
            not json
            {"externalId":"J-2","type":"suggestion","description":"建议增设公交站","submittedAt":"2025-05-02 09:00","latitude":22.54,"longitude":114.05}

            ["an","array"]
            """;
        var job = await ImportAsync(admin, "h.jsonl", Encoding.UTF8.GetBytes(jsonl), dryRun: false);
        job.GetProperty("imported").GetInt32().ShouldBe(2);
        (await RejectionsAsync(admin, job)).Select(r => r.GetProperty("row").GetInt32()).ShouldBe([2, 5]);

        // An xlsx as a city's own export would be: Chinese headers, shared strings, a date as an Excel serial number.
        var xlsx = WorkbookFile(
            ["来源编号", "类型", "诉求内容", "受理时间", "评价"],
            ["X-1", "投诉", "小区垃圾清运不及时", "45700.5", "满意"],
            ["X-2", "建议", "", "2025-06-01 10:00", ""]);
        var fromExcel = await ImportAsync(admin, "h.xlsx", xlsx, dryRun: false);
        fromExcel.GetProperty("imported").GetInt32().ShouldBe(1);
        (await RejectionsAsync(admin, fromExcel)).Single().GetProperty("field").GetString().ShouldBe("description");
        var x1 = await app.WithDbAsync(db => db.Requests.SingleAsync(r => r.ExternalId == "X-1"));
        x1.SubmittedAt.ShouldBe(new DateTime(2025, 2, 12, 4, 0, 0, DateTimeKind.Utc)); // 2025-02-12 12:00 in Shenzhen

        var broken = await ImportAsync(admin, "broken.xlsx", Encoding.UTF8.GetBytes("this is not a workbook"), dryRun: false);
        broken.GetProperty("status").GetString().ShouldBe("failed");
        broken.GetProperty("error").GetString().ShouldNotBeNullOrWhiteSpace();

        var noHeader = await ImportAsync(admin, "nohead.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"), dryRun: false);
        noHeader.GetProperty("status").GetString().ShouldBe("failed");
        noHeader.GetProperty("error").GetString()!.ShouldContain("description", Case.Sensitive, noHeader.ToString());

        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "data.txt" } };
        var problem = await Json(await admin.PostAsync("/api/v1/imports", form), HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("file", out _).ShouldBeTrue();
        (await (await app.ClientAsync(Roles.Dispatcher, "440300")).PostAsync("/api/v1/imports", new MultipartFormDataContent())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Export_GivesTheFilteredListTheCallerMaySee_InEveryFormat_AndImportsAgain(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var mine = await s.InStateAsync(RequestState.Replied);
        var elsewhere = await s.SubmitAsync();
        await DispatchAsync(s, elsewhere, Scenario.OtherStreet);

        // A unit's handler exports its unit's requests only, without contacts.
        var csv = await (await s.Handler()).GetStringAsync("/api/v1/exports/requests?format=csv");
        var rows = Csv.Rows(csv.TrimStart('\uFEFF')).Where(r => r.Count > 1).ToList();
        rows[0].ShouldBe(RequestExport.Columns);
        rows.Skip(1).Select(r => r[0]).ShouldBe([mine]);
        rows[1][rows[0].IndexOf("contactPhone")].ShouldBeEmpty();
        rows[1][rows[0].IndexOf("reply")].ShouldBe("已处理");

        // The administrator's export, filtered by state, in JSON Lines and xlsx, has the same rows.
        var admin = await Admin(app);
        var jsonl = await admin.GetStringAsync("/api/v1/exports/requests?format=jsonl&state=dispatched");
        var lines = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Select(l => l.GetProperty("trackingNumber").GetString()).ShouldBe([elsewhere]);
        lines[0].GetProperty("contactPhone").GetString().ShouldNotBeNullOrEmpty();

        var xlsx = await admin.GetByteArrayAsync("/api/v1/exports/requests?format=xlsx");
        using (var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), false))
        {
            var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
            sheet.Descendants<Row>().Count().ShouldBe(3);
        }

        // Bad filters are named.
        var problem = await Json(await admin.GetAsync("/api/v1/exports/requests?format=pdf"), HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("format", out _).ShouldBeTrue();
        (await admin.GetAsync("/api/v1/exports/requests?state=flying")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await (await s.Citizen()).GetAsync("/api/v1/exports/requests")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The export is an import file: into a fresh platform it goes, every row.
        await using var other = await SubanApp.StartAsync(provider);
        var job = await ImportAsync(await Admin(other), "export.jsonl", Encoding.UTF8.GetBytes(await admin.GetStringAsync("/api/v1/exports/requests?format=jsonl")), dryRun: false);
        job.GetProperty("rejected").GetInt32().ShouldBe(0, string.Join("; ", (await RejectionsAsync(await Admin(other), job)).Select(r => r.ToString())));
        job.GetProperty("imported").GetInt32().ShouldBe(2);
    }

    private static byte[] WorkbookFile(params string[][] rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            var index = 0;
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var value = rows[r][c];
                    if (value.Length == 0)
                    {
                        continue;
                    }

                    var reference = $"{(char)('A' + c)}{r + 1}";
                    if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                    {
                        row.Append(new Cell { CellReference = reference, CellValue = new CellValue(value) });
                    }
                    else
                    {
                        strings.SharedStringTable.Append(new SharedStringItem(new Text(value)));
                        row.Append(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(index++.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
                    }
                }

                data.Append(row);
            }

            sheetPart.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Sheet1" }));
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }
}
