using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Suban.Web;

namespace Suban.Benchmarks;

/// <summary>
/// How long the dispatcher's desk takes to load: the demo city seeded with <c>--requests</c> requests on SQLite (or
/// PostgreSQL with <c>--postgres</c>), the app on a loopback port, the demo dispatcher signed in, and the queue
/// fragment the desk re-fetches on every change (up to 200 cards, each with its timeline, suggestions and likely
/// duplicates) requested <c>--passes</c> times after a warm-up. Prints p50, p95 and max, and the cards shown.
/// </summary>
internal static partial class DeskLoad
{
    private const string Usage = "usage: desk [--requests 3000] [--passes 30] [--postgres CONNSTRING]";
    private const string Password = "Desk-bench-2026";

    public static async Task<int> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        int requests = 3000, passes = 30;
        string? server = null;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && args[i] switch
            {
                "--requests" => int.TryParse(args[++i], out requests) && requests > 0,
                "--passes" => int.TryParse(args[++i], out passes) && passes > 0,
                "--postgres" => (server = args[++i]).Length > 0,
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }

        var folder = Directory.CreateTempSubdirectory("suban-desk-").FullName;
        var database = $"suban_desk_{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = server is null ? "Sqlite" : "Postgres",
            ["ConnectionStrings:Suban"] = server is null
                ? $"Data Source={Path.Combine(folder, "desk.db")}"
                : new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString,
            ["Demo:Seed"] = "true",
            ["Demo:Password"] = Password,
            ["Demo:Requests"] = requests.ToString(CultureInfo.InvariantCulture),
            ["Rating:RunWorker"] = "false",
            ["Deadlines:RunWorker"] = "false",
            ["Notifications:RunWorker"] = "false",
            // The queue shows the suggestions stored at intake; a model training in the background would only
            // compete for the two cores while the desk is timed.
            ["Routing:TrainWhenMissing"] = "false",
            ["Seed:DataPath"] = Data.SeedFolder(),
            ["Logging:LogLevel:Default"] = "Error",
        };

        if (server is not null)
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", connection).ExecuteNonQueryAsync();
        }

        try
        {
            // Not "Production": the app refuses demo accounts there.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Benchmark" });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.AddSuban();
            await using var app = builder.Build();
            var seeding = Stopwatch.StartNew();
            await app.InitializeDatabaseAsync();
            Console.WriteLine($"Demo city seeded with {requests:N0} requests on {(server is null ? "SQLite" : "PostgreSQL")} in {seeding.Elapsed.TotalSeconds:F1} s.");
            app.UseSuban();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(address) };
            var login = await http.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { userName = "dispatcher", password = Password });
            login.EnsureSuccessStatusCode();

            var cards = 0;
            var timings = new List<double>();
            for (var pass = -3; pass < passes; pass++)
            {
                var started = Stopwatch.GetTimestamp();
                var html = await http.GetStringAsync("/desk/dispatch/queue");
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                cards = Card().Count(html);
                if (pass >= 0)
                {
                    timings.Add(elapsed);
                }
            }

            timings.Sort();
            Console.WriteLine($"Dispatcher's queue, {cards} cards, {passes} passes: p50 {timings[timings.Count / 2]:F0} ms, p95 {timings[(int)(timings.Count * 0.95)]:F0} ms, max {timings[^1]:F0} ms");
            await app.StopAsync();
            return cards > 0 ? 0 : 1;
        }
        finally
        {
            if (server is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(server);
                await connection.OpenAsync();
                await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection).ExecuteNonQueryAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex("<article class=\"card")]
    private static partial Regex Card();
}
