using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Suban.Core.Organisation;
using Suban.Web;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Integration;

namespace Suban.Benchmarks;

/// <summary>
/// Load generator for the bulk import: writes a CSV of <c>--rows</c> historical requests (real citizen messages
/// when ../shared/data is present, with one row in a hundred deliberately wrong), then runs the app's own importer
/// twice on a fresh database, a dry run and the real one, and reports the time of each (the target: 100,000 rows
/// in under a minute) and whether every row was either imported or rejected, none lost, none doubled.
/// SQLite (a temporary file) unless <c>--postgres</c> or SUBAN_BENCH_POSTGRES names a server.
/// </summary>
internal static class ImportLoad
{
    private const string Usage = "usage: import [--rows 100000] [--postgres CONNSTRING]";

    public static async Task<int> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var rows = 100_000;
        string? server = Environment.GetEnvironmentVariable("SUBAN_BENCH_POSTGRES") is { Length: > 0 } env ? env : null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    rows = n;
                    i++;
                    break;
                case "--postgres" when i + 1 < args.Length:
                    server = args[++i];
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var folder = Directory.CreateTempSubdirectory("suban-import-");
        var csv = Path.Combine(folder.FullName, "history.csv");
        string provider, connectionString;
        string? database = null;
        if (server is null)
        {
            (provider, connectionString) = ("Sqlite", $"Data Source={Path.Combine(folder.FullName, "suban.db")}");
        }
        else
        {
            database = $"suban_import_{Guid.NewGuid():N}";
            await ExecuteAsync(server, $"CREATE DATABASE {database}");
            (provider, connectionString) = ("Postgres", new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);
        }

        try
        {
            await using var app = await StartAppAsync(provider, connectionString);
            var (streets, units) = await UnitsAsync(app);
            var bad = Generate(csv, rows, streets, units);
            Console.WriteLine($"{provider}: {rows:N0} rows ({new FileInfo(csv).Length / 1024.0 / 1024.0:F1} MB CSV), {bad:N0} of them wrong on purpose.");

            var dry = await ImportAsync(app, csv, dryRun: true);
            var real = await ImportAsync(app, csv, dryRun: false);
            var stored = await CountAsync(app);
            var again = await ImportAsync(app, csv, dryRun: false);
            var storedAgain = await CountAsync(app);

            var ok = dry.Job.Imported == rows - bad && dry.Job.Rejected == bad
                && real.Job.Imported == rows - bad && real.Job.Rejected == bad && stored == real.Job.Imported
                && again.Job.Imported == 0 && storedAgain == stored;
            Console.WriteLine();
            Console.WriteLine($"| run | rows | imported | rejected | seconds | rows/s |");
            Console.WriteLine($"|---|---:|---:|---:|---:|---:|");
            foreach (var (name, run) in new[] { ("dry run", dry), ("import", real), ("same file again", again) })
            {
                Console.WriteLine($"| {name} | {run.Job.Total:N0} | {run.Job.Imported:N0} | {run.Job.Rejected:N0} | {run.Elapsed.TotalSeconds:F1} | {run.Job.Total / run.Elapsed.TotalSeconds:N0} |");
            }

            Console.WriteLine($"Requests stored: {stored:N0} after the import, {storedAgain:N0} after importing the same file again -> {(ok ? "PASS" : "FAIL")}");
            Console.WriteLine($"Target: {rows:N0} rows in under 60 s -> {(real.Elapsed.TotalSeconds < 60 ? "met" : "missed")} ({real.Elapsed.TotalSeconds:F1} s)");
            return ok ? 0 : 1;
        }
        finally
        {
            if (database is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(server!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            folder.Delete(recursive: true);
        }
    }

    private sealed record Run(ImportJob Job, TimeSpan Elapsed);

    private static async Task<Run> ImportAsync(WebApplication app, string csv, bool dryRun)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<RequestImporter>();
        var job = await importer.StartAsync(csv, "csv", dryRun, null, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        var label = dryRun ? "dry run" : "import ";
        await importer.RunAsync(job.Id, csv, new Progress(p =>
            Console.Write($"\r{label}: {p.Processed:N0}/{p.Total:N0} ({100.0 * p.Processed / Math.Max(1, p.Total):F0}%), {p.Rejected:N0} rejected, {watch.Elapsed.TotalSeconds:F1} s   ")), CancellationToken.None);
        watch.Stop();
        Console.WriteLine();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        return new Run(await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == job.Id), watch.Elapsed);
    }

    private sealed class Progress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private static async Task<int> CountAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SubanDb>().Requests.CountAsync();
    }

    private static async Task<(string[] Streets, string[] Units)> UnitsAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var streets = await db.Units.Where(u => u.Kind == UnitKind.StreetOffice).Select(u => u.Code).ToArrayAsync();
        var units = await db.Units.Where(u => u.Kind == UnitKind.DistrictBureau).Select(u => u.Code).ToArrayAsync();
        return (streets, units);
    }

    /// <summary>Writes the file; returns how many rows are wrong on purpose (every hundredth).</summary>
    private static int Generate(string path, int rows, string[] streets, string[] units)
    {
        var texts = Texts().Take(20_000).ToList();
        var random = new Random(311);
        string[] types = ["投诉", "咨询", "建议", "求助"];
        string[] ratings = ["满意", "基本满意", "不满意", ""];
        var start = new DateTime(2025, 1, 1, 8, 0, 0);
        var bad = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine("externalId,type,title,description,submittedAt,urgency,streetCode,contactPhone,unitCode,reply,repliedAt,closedAt,rating");
        for (var i = 0; i < rows; i++)
        {
            var text = texts[i % texts.Count];
            var submitted = start.AddMinutes(random.Next(0, 60 * 24 * 300));
            var replied = submitted.AddHours(random.Next(2, 200));
            var closed = replied.AddHours(random.Next(1, 72));
            string[] fields =
            [
                $"H{i:D7}", types[random.Next(types.Length)], text.Length <= 30 ? text : text[..30], text,
                submitted.ToString("yyyy-MM-dd HH:mm"), "一般", streets[random.Next(streets.Length)], $"138{random.Next(0, 100_000_000):D8}",
                units[random.Next(units.Length)], "已按规定办理并答复市民。", replied.ToString("yyyy-MM-dd HH:mm"), closed.ToString("yyyy-MM-dd HH:mm"),
                ratings[random.Next(ratings.Length)],
            ];
            if (i % 100 == 99)
            {
                // One wrong field each time, round the columns a checker must catch.
                bad++;
                switch (i / 100 % 4)
                {
                    case 0: fields[4] = "2025-02-30 10:00"; break;
                    case 1: fields[1] = "表扬"; break;
                    case 2: fields[6] = "000000000"; break;
                    default: fields[3] = ""; break;
                }
            }

            writer.WriteLine(string.Join(',', fields.Select(Csv.Quote)));
        }

        return bad;
    }

    private static IEnumerable<string> Texts()
    {
        if (Data.HasSharedMessages)
        {
            var folder = Path.Combine(Data.RootFolder, "..", "shared", "data", "civic-messages");
            foreach (var line in File.ReadLines(Path.Combine(folder, "train-bodies.jsonl")))
            {
                using var json = JsonDocument.Parse(line);
                var body = json.RootElement.GetProperty("body").GetString();
                if (!string.IsNullOrWhiteSpace(body))
                {
                    yield return body.Length <= 2000 ? body : body[..2000];
                }
            }

            yield break;
        }

        for (var i = 0; ; i++)
        {
            yield return $"第{i}号：小区门口路灯不亮已经一周，晚上出行很不安全，请有关部门尽快维修。";
        }
    }

    private static async Task<WebApplication> StartAppAsync(string provider, string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Suban"] = connectionString,
            ["Demo:Seed"] = "false",
            ["Rating:RunWorker"] = "false",
            ["Routing:TrainWhenMissing"] = "false",
            ["Deadlines:RunWorker"] = "false",
            ["Notifications:RunWorker"] = "false",
            ["Webhooks:RunWorker"] = "false",
            ["Seed:DataPath"] = Path.Combine(Data.RootFolder, "data"),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddSuban();
        var app = builder.Build();
        await app.InitializeDatabaseAsync();
        return app;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
