using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Suban.Core.Organisation;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class OperationsTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Health_DatabaseReachable_Healthy(string provider)
    {
        var response = await (await apps.For(provider)).CreateClient().GetAsync("/health");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task OpenApi_DescribesTheApi(string provider)
    {
        var document = await (await apps.For(provider)).CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/v1/requests");
        paths.ShouldContain("/api/v1/requests/{trackingNumber}/dispatch");
        paths.ShouldContain("/api/v1/lookup");
        document.GetProperty("paths").GetProperty("/api/v1/requests").GetProperty("post").GetProperty("requestBody").GetProperty("content").EnumerateObject()
            .Select(c => c.Name).ShouldBe(["application/json", "multipart/form-data"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Organisation_ShenzhenSeeded(string provider)
    {
        var app = await apps.For(provider);
        var units = await app.WithDbAsync(db => db.Units.AsNoTracking().ToListAsync());
        units.Count(u => u.Kind == UnitKind.DistrictPlatform).ShouldBe(10);
        units.Count(u => u.Kind == UnitKind.StreetOffice).ShouldBe(74);
        units.Single(u => u.Code == "440304004").Name.ShouldBe("福田街道");
        units.Single(u => u.Code == "440307DP").Name.ShouldBe("大鹏新区");
        units.Where(u => u.DistrictCode == "440307DP" && u.Kind == UnitKind.StreetOffice).Select(u => u.Name).ShouldBe(["葵涌街道", "大鹏街道", "南澳街道"], ignoreOrder: true);
        units.Single(u => u.Code == "440300-GA").Kind.ShouldBe(UnitKind.CityDepartment);
        units.Single(u => u.Code == "440304-GA").Name.ShouldBe("深圳市公安局福田分局");
        units.Single(u => u.Code == "440305-ZJ").Name.ShouldBe("南山区住房和建设局");

        // Every path is its parent's path plus its own code.
        var byId = units.ToDictionary(u => u.Id);
        units.Where(u => u.ParentId is not null).ShouldAllBe(u => u.Path == byId[u.ParentId!.Value].Path + u.Code + "/");
    }

    [Fact]
    public async Task Production_WithDemoSeeding_RefusesToStart()
    {
        var (provider, connectionString) = await TestDatabases.CreateAsync(TestDatabases.Sqlite);
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Database:Provider", provider);
            b.UseSetting("ConnectionStrings:Suban", connectionString);
            b.UseSetting("Demo:Seed", "true");
            b.UseSetting("Demo:Password", "long-enough-password");
        });

        var failure = Should.Throw<OptionsValidationException>(() => factory.CreateClient());
        failure.Message.ShouldContain("Demo accounts are refused in Production");
    }
}
