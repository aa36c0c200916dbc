using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Suban.Web.Infrastructure;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class AccountTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SignedInThroughOneInstance_StillSignedInOnAnother(string provider)
    {
        // Instances share the database, not a disk: the key ring that protects tokens and cookies lives in the database.
        await using var first = await SubanApp.StartAsync(provider);
        var signedIn = await first.ClientAsync(Roles.Citizen, userName: "load-balanced");
        (await signedIn.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var second = SubanApp.AnotherInstance(first);
        var elsewhere = second.CreateClient();
        elsewhere.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        var me = await elsewhere.GetFromJsonAsync<JsonElement>("/api/v1/auth/me");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.Citizen]);

        (await first.WithDbAsync(db => db.DataProtectionKeys.CountAsync())).ShouldBeGreaterThan(0);
        foreach (var app in new[] { first, second })
        {
            var repository = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>().Value.XmlRepository;
            repository.ShouldBeOfType<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.EntityFrameworkCoreXmlRepository<Suban.Web.Data.SubanDb>>();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Register_ThenLogin_IsACitizenWhoSubmitsAndSeesOwn(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";

        var registered = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "Citizen-pass-1", displayName = "李女士" });
        registered.StatusCode.ShouldBe(HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        (await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "Citizen-pass-1" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { userName = phone, password = "Citizen-pass-1" });
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());

        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.Citizen]);
        me.GetProperty("unit").ValueKind.ShouldBe(JsonValueKind.Null);

        var refreshed = await app.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });
        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "forged" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Login_WrongPassword_401Problem(string provider)
    {
        var app = await apps.For(provider);
        await app.ClientAsync(Roles.Dispatcher, "440300", "wrong-password-dispatcher");
        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { userName = "wrong-password-dispatcher", password = "nope-nope-nope" });
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { password = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Login_WithCookies_SignsPagesIn(string provider)
    {
        var app = await apps.For(provider);
        await app.ClientAsync(Roles.Supervisor, "440300", "cookie-supervisor");
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var login = await client.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { userName = "cookie-supervisor", password = SubanApp.Password });
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/auth/me");
        me.GetProperty("unit").GetProperty("code").GetString().ShouldBe("440300");
    }
}
