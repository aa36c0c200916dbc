using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Suban.Core.Catalogue;
using Suban.Web.Catalogue;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class CatalogueTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Seeded_TheDemoListAtItsFullSize_BrowsableByAnyone(string provider)
    {
        var app = await apps.For(provider);
        var view = await app.CreateClient().GetFromJsonAsync<CatalogueView>("/api/v1/catalogue", CatalogueJson.Options);

        view!.Categories.Count.ShouldBeGreaterThanOrEqualTo(18);
        view.Categories.Sum(c => c.SubCategories.Count).ShouldBeGreaterThanOrEqualTo(150);
        view.Categories.Sum(c => c.SubCategories.Sum(s => s.Matters.Count)).ShouldBeGreaterThanOrEqualTo(1200);
        view.Categories.Single(c => c.Name == "噪声污染").SubCategories.Sum(s => s.Matters.Count).ShouldBe(35);

        var hits = await app.CreateClient().GetFromJsonAsync<List<SearchHit>>("/api/v1/catalogue?q=" + Uri.EscapeDataString("预付卡"), CatalogueJson.Options);
        hits!.ShouldNotBeEmpty();
        var matter = await app.CreateClient().GetFromJsonAsync<Matter>($"/api/v1/catalogue/matters/{hits[0].Code}", CatalogueJson.Options);
        matter!.Examples.Count.ShouldBeGreaterThanOrEqualTo(3);
        (await app.CreateClient().GetAsync("/api/v1/catalogue/matters/99.99.999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Export_ThenImport_RoundTripsExactly_InCsvAndExcel(string provider)
    {
        var app = await apps.For(provider);
        var editor = await app.ClientAsync(Roles.CatalogueEditor, "440300");
        foreach (var format in new[] { "csv", "xlsx" })
        {
            var exported = await (await editor.GetAsync($"/api/v1/catalogue/export?format={format}")).Content.ReadAsByteArrayAsync();
            var report = await ImportAsync(editor, exported, $"list.{format}");
            report.Errors.ShouldBeEmpty();
            report.Changes.ShouldBeEmpty(format);
            report.Rows.ShouldBeGreaterThanOrEqualTo(1200);

            var again = await (await editor.GetAsync($"/api/v1/catalogue/export?format={format}")).Content.ReadAsByteArrayAsync();
            if (format == "csv")
            {
                again.ShouldBe(exported);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_EditedCsv_MakesAVersion_DryRunReportsBadRowsAndWritesNothing(string provider)
    {
        var app = await apps.For(provider);
        var editor = await app.ClientAsync(Roles.CatalogueEditor, "440300");
        var csv = Encoding.UTF8.GetString(await (await editor.GetAsync("/api/v1/catalogue/export?format=csv")).Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        var before = await editor.GetFromJsonAsync<List<VersionView>>("/api/v1/catalogue/versions", CatalogueJson.Options);

        var broken = csv.Replace(",district,", ",county,");
        var dry = await ImportAsync(editor, Encoding.UTF8.GetBytes(broken), "list.csv", dryRun: true);
        dry.Errors.ShouldNotBeEmpty();
        dry.Errors.ShouldAllBe(e => e.Field == "leadLevel");
        (await editor.GetFromJsonAsync<List<VersionView>>("/api/v1/catalogue/versions", CatalogueJson.Options))!.Count.ShouldBe(before!.Count);

        var lines = csv.Split("\r\n").ToList();
        var renamed = lines.FindIndex(l => l.StartsWith("03.", StringComparison.Ordinal));
        var code = lines[renamed].Split(',')[0];
        var fields = lines[renamed].Split(',');
        fields[3] = "改名后的噪声事项";
        lines[renamed] = string.Join(',', fields);
        var report = await ImportAsync(editor, Encoding.UTF8.GetBytes(string.Join("\r\n", lines)), "list.csv");
        report.Changes.Single().Code.ShouldBe(code);
        report.Changes.Single().Fields.ShouldBe(["name"]);
        report.Version.ShouldBe(before[0].Number + 1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Changes_MakeVersions_OldRequestsKeepTheirs_DiffAndAuditShowIt(string provider)
    {
        var app = await apps.For(provider);
        var editor = await app.ClientAsync(Roles.CatalogueEditor, "440300");
        var view = await app.CreateClient().GetFromJsonAsync<CatalogueView>("/api/v1/catalogue", CatalogueJson.Options);
        var matters = view!.Categories.SelectMany(c => c.SubCategories).SelectMany(s => s.Matters).ToList();
        var (first, second, third) = (matters[10].Code, matters[11].Code, matters[12].Code);

        // A request routed under the current version.
        var s = new Scenario(app);
        var body = new { type = "complaint", title = "测试", description = "测试事项版本", place = new { address = "福田区福田街道" }, contact = new { phone = "13800138000" }, channel = "web", matterCode = first };
        var number = await s.SubmitAsync(await s.Citizen(), body);
        var routed = await s.GetAsync(await s.Dispatcher(), number);
        var versionAtIntake = routed.GetProperty("catalogueVersion").GetInt32();
        routed.GetProperty("matterCode").GetString().ShouldBe(first);

        var response = await editor.PostAsJsonAsync("/api/v1/catalogue/changes", new
        {
            note = "合并重复事项",
            operations = new object[]
            {
                new { op = "rename", code = second, name = "新的事项名称", into = (string?)null },
                new { op = "merge", code = first, into = second },
                new { op = "retire", code = third, into = (string?)null },
            },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var newVersion = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
        newVersion.ShouldBeGreaterThan(versionAtIntake);

        (await s.GetAsync(await s.Dispatcher(), number)).GetProperty("catalogueVersion").GetInt32().ShouldBe(versionAtIntake);
        var old = await app.CreateClient().GetFromJsonAsync<Matter>($"/api/v1/catalogue/matters/{first}?version={versionAtIntake}", CatalogueJson.Options);
        old!.Retired.ShouldBeFalse();
        var now = await app.CreateClient().GetFromJsonAsync<Matter>($"/api/v1/catalogue/matters/{first}", CatalogueJson.Options);
        now!.Retired.ShouldBeTrue();
        now.MergedInto.ShouldBe(second);

        var diff = await editor.GetFromJsonAsync<List<MatterChange>>($"/api/v1/catalogue/diff?from={versionAtIntake}&to={newVersion}", CatalogueJson.Options);
        diff!.Select(d => d.Code).ShouldBe(new[] { first, second, third }.Order(StringComparer.Ordinal));

        var audit = await editor.GetFromJsonAsync<JsonElement>($"/api/v1/audit?subject=catalogue/{newVersion}");
        audit[0].GetProperty("action").GetString().ShouldBe("catalogue.change");
        audit[0].GetProperty("detail").GetString()!.ShouldContain("合并重复事项");

        // A merged matter's requests go to the matter it was merged into; a retired one cannot be chosen.
        var redirected = await s.SubmitAsync(await s.Citizen(), body);
        (await s.GetAsync(await s.Dispatcher(), redirected)).GetProperty("matterCode").GetString().ShouldBe(second);
        var refused = await (await s.Citizen()).PostAsJsonAsync("/api/v1/requests", new { body.type, body.title, body.description, body.place, body.contact, body.channel, matterCode = third });
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("matterCode");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Changes_InvalidOrByNonEditors_Refused(string provider)
    {
        var app = await apps.For(provider);
        var dispatcher = await app.ClientAsync(Roles.Dispatcher, "440300");
        var op = new { operations = new[] { new { op = "retire", code = "01.01.001" } } };
        (await dispatcher.PostAsJsonAsync("/api/v1/catalogue/changes", op)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var editor = await app.ClientAsync(Roles.CatalogueEditor, "440300");
        var bad = await editor.PostAsJsonAsync("/api/v1/catalogue/changes", new { operations = new[] { new { op = "merge", code = "01.01.001", into = "99.99.999" } } });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("operations[0].into", out _).ShouldBeTrue();
        (await editor.PostAsJsonAsync("/api/v1/catalogue/changes", new { operations = new[] { new { op = "explode", code = "01.01.001" } } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var form = new MultipartFormDataContent { { new ByteArrayContent("code"u8.ToArray()), "file", "list.csv" } };
        (await dispatcher.PostAsync("/api/v1/catalogue/import", form)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task<ImportReport> ImportAsync(HttpClient client, byte[] content, string name, bool dryRun = false)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", name } };
        var response = await client.PostAsync($"/api/v1/catalogue/import?dryRun={dryRun.ToString().ToLowerInvariant()}", form);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity], text);
        return JsonSerializer.Deserialize<ImportReport>(text, CatalogueJson.Options)!;
    }
}

public sealed class CataloguePageTests(Apps apps) : IClassFixture<Apps>
{
    [Fact]
    public async Task Pages_BrowseSearchAndMatter_InChineseAndEnglish_EscapingInput()
    {
        var app = await apps.For(TestDatabases.Sqlite);
        var client = app.CreateClient();

        var list = await client.GetStringAsync("/catalogue");
        list.ShouldContain("<html lang=\"zh-CN\">");
        list.ShouldContain("噪声污染");
        list.ShouldContain("<label for=\"q\">搜索事项</label>");

        var search = await client.GetStringAsync("/catalogue?q=" + Uri.EscapeDataString("预付卡"));
        search.ShouldContain("搜索结果");
        search.ShouldContain("/catalogue/09.");

        var english = await client.GetStringAsync("/catalogue/01.01.001?lang=en");
        english.ShouldContain("<html lang=\"en\">");
        english.ShouldContain("Time limits (working days)");

        var hostile = await client.GetStringAsync("/catalogue?q=" + Uri.EscapeDataString("<script>alert(1)</script>"));
        hostile.ShouldNotContain("<script>alert(1)</script>");
        (await client.GetAsync("/catalogue/99.99.999")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}

public sealed class CatalogueEditingPageTests(Apps apps) : IClassFixture<Apps>
{
    private static string Token(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

    private static async Task<HttpClient> SignedInAsync(SubanApp app, string role)
    {
        var userName = $"page-{role}";
        await app.ClientAsync(role, "440300", userName);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/login");
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(form), ["userName"] = userName, ["password"] = SubanApp.Password, ["returnUrl"] = "/catalogue",
        }));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        return client;
    }

    [Fact]
    public async Task Editor_ChangesAMatterInThePage_AsANewVersion_OthersCannot()
    {
        var app = await apps.For(TestDatabases.Sqlite);
        var editor = await SignedInAsync(app, Roles.CatalogueEditor);
        var page = await editor.GetStringAsync("/catalogue/03.01.001");
        page.ShouldContain("编辑事项");
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(page), ["name"] = "夜间建筑施工噪声（页面编辑）", ["category"] = "噪声污染", ["subCategory"] = "建筑施工噪声",
            ["cityUnit"] = "ZJ", ["districtUnit"] = "ZJ", ["streetUnit"] = "true", ["leadLevel"] = "district", ["territorial"] = "true",
            ["coHandling"] = "street,CG", ["limitConsultation"] = "2", ["limitComplaint"] = "3", ["limitSuggestion"] = "10", ["limitHelp"] = "2", ["note"] = "夜间施工时限缩短",
        };
        var saved = await editor.PostAsync("/catalogue/03.01.001/edit", new FormUrlEncodedContent(fields));
        saved.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());

        var matter = await app.CreateClient().GetFromJsonAsync<Suban.Core.Catalogue.Matter>("/api/v1/catalogue/matters/03.01.001", CatalogueJson.Options);
        matter!.Name.ShouldBe("夜间建筑施工噪声（页面编辑）");
        matter.Limits.Complaint.ShouldBe(3);
        matter.CoHandling.ShouldBe(["street", "CG"]);
        (await app.CreateClient().GetStringAsync("/catalogue/versions")).ShouldContain("夜间施工时限缩短");

        // Without the token, or without the role, nothing is saved.
        fields.Remove("__RequestVerificationToken");
        (await editor.PostAsync("/catalogue/03.01.001/edit", new FormUrlEncodedContent(fields))).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        var dispatcher = await SignedInAsync(app, Roles.Dispatcher);
        (await dispatcher.GetStringAsync("/catalogue/03.01.001")).ShouldNotContain("编辑事项");
        (await dispatcher.PostAsync("/catalogue/03.01.001/retire", new FormUrlEncodedContent(new Dictionary<string, string>()))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }
}
