using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// A third-party Open311 client, the npm package <c>open311</c>, against Suban on a real port: it lists the
/// services, posts a request and reads it back, in JSON and in XML. Its packages come from npm on first run
/// (<c>npm ci</c> from the committed lock file); see Open311Client/README.md for the two XML shims it needs.
/// </summary>
public sealed class Open311ClientTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task NpmOpen311Client_ListsServicesPostsARequestAndReadsItBack_InJsonAndXml(string provider)
    {
        var dir = await Npm.FolderAsync("Open311Client", Path.Combine("open311", "package.json"));
        await using var app = await SubanApp.StartOnLoopbackAsync(provider);
        var admin = await app.ClientAsync(Roles.Administrator, "440300");
        var partner = await admin.PostAsJsonAsync("/api/v1/partners", new { name = "npm open311" });
        partner.StatusCode.ShouldBe(HttpStatusCode.Created);
        var apiKey = (await partner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        var dispatcher = await app.ClientAsync(Roles.Dispatcher, "440300");

        foreach (var format in new[] { "json", "xml" })
        {
            var (code, output, error) = await Npm.RunAsync("node", ["client.js", app.ServerAddress, apiKey, format], dir, TimeSpan.FromMinutes(2));
            code.ShouldBe(0, $"{format}: {error}");
            var result = JsonDocument.Parse(output.Trim()).RootElement;
            result.GetProperty("format").GetString().ShouldBe(format);
            result.GetProperty("services").GetInt32().ShouldBeGreaterThan(0);
            var posted = result.GetProperty("postedId").GetString()!;
            var readBack = result.GetProperty("readBack");
            readBack.GetProperty("service_request_id").GetString().ShouldBe(posted);
            readBack.GetProperty("status").GetString().ShouldBe("open");
            readBack.GetProperty("service_code").GetString().ShouldBe(result.GetProperty("serviceCode").GetString());
            readBack.GetProperty("description").GetString().ShouldBe("小区门口路灯不亮，晚上很黑");

            // The request went through Suban's own intake: channel Open311, on the dispatcher's desk.
            var request = await dispatcher.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{posted}");
            request.GetProperty("channel").GetString().ShouldBe("open311");
            request.GetProperty("description").GetString().ShouldBe("小区门口路灯不亮，晚上很黑");
        }
    }
}
