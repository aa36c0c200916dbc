using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Suban.Web.Data;

namespace Suban.Web.Tests.Support;

/// <summary>
/// The whole app over a fresh database of one provider, with a fake clock and no demo data. Signed-in clients are
/// made per role and unit through the real login endpoint.
/// </summary>
public sealed class SubanApp : WebApplicationFactory<Program>
{
    public const string Password = "Test-password-1";

    private readonly Dictionary<string, string> settings;
    private readonly Dictionary<string, HttpClient> clients = [];
    private readonly SemaphoreSlim clientLock = new(1, 1);

    private SubanApp(string provider, string connectionString, IDictionary<string, string>? overrides)
    {
        ProviderName = provider;
        ConnectionString = connectionString;
        settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Suban"] = connectionString,
            ["Demo:Seed"] = "false",
            ["Rating:RunWorker"] = "false",
            ["Deadlines:RunWorker"] = "false",
            ["Notifications:RunWorker"] = "false",
            ["Webhooks:RunWorker"] = "false",
            ["Routing:TrainWhenMissing"] = "false",
            ["Intake:AnonymousPermitsPerMinute"] = "100000",
            ["Intake:LookupPermitsPerMinute"] = "100000",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
    }

    public string ProviderName { get; }

    public string ConnectionString { get; }

    public FakeClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));

    public static async Task<SubanApp> StartAsync(string provider, IDictionary<string, string>? overrides = null, int poolSize = TestDatabases.PoolSize)
    {
        var (name, connectionString) = await TestDatabases.CreateAsync(provider, poolSize);
        var app = new SubanApp(name, connectionString, overrides);
        _ = app.Server; // builds the host: migrations and seeding run now
        return app;
    }

    /// <summary>Another instance of the app on <paramref name="first"/>'s database, as a second server behind a load balancer.</summary>
    public static SubanApp AnotherInstance(SubanApp first)
    {
        var app = new SubanApp(first.ProviderName, first.ConnectionString, null);
        _ = app.Server;
        return app;
    }

    /// <summary>An app on a real Kestrel server on a loopback port, for clients outside the process (node, a browser).</summary>
    public static async Task<SubanApp> StartOnLoopbackAsync(string provider, IDictionary<string, string>? overrides = null)
    {
        var (name, connectionString) = await TestDatabases.CreateAsync(provider);
        var app = new SubanApp(name, connectionString, overrides);
        app.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        return app;
    }

    /// <summary>Where the Kestrel server of <see cref="StartOnLoopbackAsync"/> listens, e.g. http://127.0.0.1:41234.</summary>
    public string ServerAddress => Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);

            // Real hashing, fewer rounds: the suite signs in hundreds of times.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);

            // Tests move the clock by days; signed-in clients should not expire under them.
            services.Configure<Microsoft.AspNetCore.Authentication.BearerToken.BearerTokenOptions>(
                IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromDays(3650));
            services.ConfigureApplicationCookie(o => o.ExpireTimeSpan = TimeSpan.FromDays(3650));
        });
    }

    public async Task<T> WithDbAsync<T>(Func<SubanDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<SubanDb>());
    }

    public Task WithDbAsync(Func<SubanDb, Task> work) => WithDbAsync(async db =>
    {
        await work(db);
        return true;
    });

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> work)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>A client signed in (bearer token) as a user of <paramref name="role"/> in the unit with <paramref name="unitCode"/>.</summary>
    public async Task<HttpClient> ClientAsync(string role, string? unitCode = null, string? userName = null)
    {
        userName ??= $"{role}@{unitCode ?? "none"}";
        await clientLock.WaitAsync();
        try
        {
            if (clients.TryGetValue(userName, out var existing))
            {
                return existing;
            }

            await using (var scope = Services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
                var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
                var unitId = unitCode is null ? (int?)null : await db.Units.Where(u => u.Code == unitCode).Select(u => u.Id).SingleAsync();
                var user = new User { UserName = userName, UnitId = unitId };
                var created = await users.CreateAsync(user, Password);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
                }

                await users.AddToRoleAsync(user, role);
            }

            var client = CreateClient();
            var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { userName, password = Password });
            login.EnsureSuccessStatusCode();
            var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            clients[userName] = client;
            return client;
        }
        finally
        {
            clientLock.Release();
        }
    }

    private sealed record TokenResponse(string AccessToken);
}
