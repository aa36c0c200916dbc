using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Suban.Core.Deadlines;
using Suban.Core.Organisation;
using Suban.Web;
using Suban.Web.Data;
using Suban.Web.Deadlines;
using Suban.Web.Infrastructure;

namespace Suban.Benchmarks;

/// <summary>
/// Load generator for the time-limit engine on PostgreSQL: a fresh database holding <c>--rows</c> requests in
/// progress, each with a running handling clock, of which <c>--due</c> owe their unit a reminder now. It measures
/// one claim pass over the due index (the target is 100 ms at a million rows), then reminders per second with
/// 1, 2 and 4 workers running the app's own <see cref="DeadlineEngine"/>, and checks that every round sends
/// each reminder exactly once. The database is dropped at the end.
/// </summary>
internal static class DeadlineLoad
{
    private const string Usage = "usage: deadlines [--rows 1000000] [--due 20000] [--postgres CONNSTRING]";
    private const int ScanPasses = 50;
    private const int WarmUpPasses = 3;
    private const int EmptyScanPasses = 10;
    private static readonly int[] WorkerCounts = [1, 2, 4];

    public static async Task<int> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (!TryParse(args, out var rows, out var due, out var server, out var error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        server ??= Environment.GetEnvironmentVariable("SUBAN_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
            : Environment.GetEnvironmentVariable("SUBAN_TEST_POSTGRES") is { Length: > 0 } test ? test : null;
        if (server is null)
        {
            Console.Error.WriteLine("No PostgreSQL server: pass --postgres CONNSTRING or set SUBAN_BENCH_POSTGRES (or SUBAN_TEST_POSTGRES).");
            Console.Error.WriteLine("A throwaway cluster: mkdir -p /tmp/pgbench && eval \"$(.ci/postgres start /tmp/pgbench)\"");
            return 2;
        }

        var name = $"suban_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
        Console.WriteLine($"Database {name}: {rows:N0} requests, {due:N0} due for a reminder.");
        try
        {
            await using var app = await StartAppAsync(connectionString);
            var settings = app.Services.GetRequiredService<IOptions<DeadlineOptions>>().Value;
            // The engine keeps the app's TimeProvider, the system clock, so the clocks are laid out around the real now.
            var schedule = Schedule.Create(rows, due, DateTime.UtcNow);

            var load = await LoadAsync(app, connectionString, schedule);
            await ExplainAsync(connectionString, settings);
            var scan = await MeasureScanAsync(app, settings, DateTime.UtcNow, ScanPasses, expected: Math.Min(settings.BatchSize, due));
            var empty = await MeasureScanAsync(app, settings, schedule.BeforeAnyCheck, EmptyScanPasses, expected: 0);
            Console.WriteLine($"Claim pass (batch {settings.BatchSize}, rolled back), {ScanPasses} passes: p50 {scan.P50:F2} ms, p95 {scan.P95:F2} ms, max {scan.Max:F2} ms");
            Console.WriteLine($"Claim pass with nothing due, {EmptyScanPasses} passes: p50 {empty.P50:F2} ms, max {empty.Max:F2} ms");

            // One untimed engine pass first, so JIT and EF's query compilation are not charged to the first round;
            // the reset before each round makes its clocks due again.
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DeadlineEngine>().RunOnceAsync(CancellationToken.None);
            }

            var rounds = new List<Round>();
            foreach (var workers in WorkerCounts)
            {
                var round = await RunRoundAsync(app, connectionString, schedule, workers);
                rounds.Add(round);
                Console.WriteLine($"{workers} worker(s): {round.Reminded:N0} reminders in {round.Elapsed.TotalSeconds:F1} s = {round.PerSecond:N0}/s " +
                    $"({round.Passes} passes, {round.Failed} failed); reminders {round.ReminderRows:N0}, clocks reminded {round.ClocksReminded:N0}, " +
                    $"notifications {round.NotificationRows:N0} -> {(round.Passed(due) ? "PASS" : "FAIL")}");
            }

            PrintSummary(rows, due, load, scan, empty, rounds);
            return rounds.All(r => r.Passed(due)) ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static bool TryParse(string[] args, out int rows, out int due, out string? server, out string error)
    {
        (rows, due, server, error) = (1_000_000, 20_000, null, "");
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var ok = args[i] switch
            {
                "--rows" => int.TryParse(value, out rows),
                "--due" => int.TryParse(value, out due),
                "--postgres" => (server = value) is not null,
                _ => false,
            };
            if (!ok)
            {
                error = $"Unexpected or incomplete argument: {args[i]}";
                return false;
            }

            i++;
        }

        if (rows < 1 || due < 1 || due > rows)
        {
            error = "--rows and --due must be positive, and --due at most --rows.";
            return false;
        }

        return true;
    }

    /// <summary>The app as the tests build it: its own registrations, migrations and organisation seed, no workers.</summary>
    private static async Task<WebApplication> StartAppAsync(string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Suban"] = connectionString,
            ["Demo:Seed"] = "false",
            ["Rating:RunWorker"] = "false",
            ["Routing:TrainWhenMissing"] = "false",
            ["Deadlines:RunWorker"] = "false",
            ["Notifications:RunWorker"] = "false",
            ["Seed:DataPath"] = Data.SeedFolder(),
            // EF logs every command at Information; at this volume the console would be the bottleneck.
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddSuban();
        var app = builder.Build();
        await app.InitializeDatabaseAsync();
        return app;
    }

    private static async Task<LoadResult> LoadAsync(WebApplication app, string connectionString, Schedule schedule)
    {
        int city;
        int[] streets;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            city = await db.Units.Where(u => u.Kind == UnitKind.CityPlatform).Select(u => u.Id).SingleAsync();
            streets = await db.Units.Where(u => u.Kind == UnitKind.StreetOffice).OrderBy(u => u.Id).Select(u => u.Id).ToArrayAsync();
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();

        // Only the NOT NULL columns without defaults are written; ids are given, so clock i belongs to request i.
        using (var requests = await connection.BeginBinaryImportAsync(
            "COPY requests (id, tracking_number, type, title, description, contact_phone, is_anonymous, channel, urgency, state, " +
            "platform_unit_id, lead_unit_id, submitted_at, updated_at, reopen_count, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < schedule.Rows; i++)
            {
                var clock = schedule.Clocks[i];
                requests.StartRow();
                requests.Write(i + 1L, NpgsqlDbType.Bigint);
                requests.Write(string.Create(CultureInfo.InvariantCulture, $"LT{clock.StartedAt:yyyyMMdd}-{i + 1:D7}"), NpgsqlDbType.Varchar);
                requests.Write("Complaint", NpgsqlDbType.Varchar);
                requests.Write("小区门口路灯不亮", NpgsqlDbType.Varchar);
                requests.Write("小区门口的路灯已经坏了一个多星期，晚上出行很不方便，请尽快维修。", NpgsqlDbType.Varchar);
                requests.Write("13800000000", NpgsqlDbType.Varchar);
                requests.Write(false, NpgsqlDbType.Boolean);
                requests.Write("Hotline", NpgsqlDbType.Varchar);
                requests.Write("Normal", NpgsqlDbType.Varchar);
                requests.Write("InProgress", NpgsqlDbType.Varchar);
                requests.Write(city, NpgsqlDbType.Integer);
                requests.Write(streets[i % streets.Length], NpgsqlDbType.Integer);
                requests.Write(clock.StartedAt.AddHours(-1), NpgsqlDbType.TimestampTz);
                requests.Write(clock.StartedAt, NpgsqlDbType.TimestampTz);
                requests.Write(0, NpgsqlDbType.Integer);
                requests.Write(1, NpgsqlDbType.Integer);
            }

            await requests.CompleteAsync();
        }

        var requestsTime = watch.Elapsed;
        using (var clocks = await connection.BeginBinaryImportAsync(
            "COPY request_clocks (id, request_id, kind, unit_id, basis, limit_amount, extended, started_at, warn_at, due_at, escalate_at, " +
            "status, step, overdue, next_check_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < schedule.Rows; i++)
            {
                var clock = schedule.Clocks[i];
                clocks.StartRow();
                clocks.Write(i + 1L, NpgsqlDbType.Bigint);
                clocks.Write(i + 1L, NpgsqlDbType.Bigint);
                clocks.Write(nameof(ClockKind.Handling), NpgsqlDbType.Varchar);
                clocks.Write(streets[i % streets.Length], NpgsqlDbType.Integer);
                clocks.Write(nameof(ClockBasis.WorkingDays), NpgsqlDbType.Varchar);
                clocks.Write(5.0, NpgsqlDbType.Double);
                clocks.Write(0.0, NpgsqlDbType.Double);
                clocks.Write(clock.StartedAt, NpgsqlDbType.TimestampTz);
                clocks.Write(clock.WarnAt, NpgsqlDbType.TimestampTz);
                clocks.Write(clock.DueAt, NpgsqlDbType.TimestampTz);
                clocks.Write(clock.EscalateAt, NpgsqlDbType.TimestampTz);
                clocks.Write(nameof(ClockStatus.Running), NpgsqlDbType.Varchar);
                clocks.Write(0, NpgsqlDbType.Integer);
                clocks.Write(false, NpgsqlDbType.Boolean);
                clocks.Write(clock.WarnAt, NpgsqlDbType.TimestampTz);
            }

            await clocks.CompleteAsync();
        }

        var clocksTime = watch.Elapsed - requestsTime;

        // Given ids leave the identity sequences behind; the engine's inserts go to other tables, but keep them true.
        await ExecuteAsync(connection, "SELECT setval(pg_get_serial_sequence('requests', 'id'), (SELECT max(id) FROM requests))");
        await ExecuteAsync(connection, "SELECT setval(pg_get_serial_sequence('request_clocks', 'id'), (SELECT max(id) FROM request_clocks))");

        // VACUUM as well as ANALYZE: it sets hint bits and the visibility map, as autovacuum would after a bulk insert,
        // so the first measured passes do not pay for writing them.
        var analyseStart = watch.Elapsed;
        await ExecuteAsync(connection, "VACUUM (ANALYZE) requests, request_clocks");
        var result = new LoadResult(requestsTime, clocksTime, watch.Elapsed - analyseStart, watch.Elapsed);
        Console.WriteLine($"Loaded in {result.Total.TotalSeconds:F1} s: requests {requestsTime.TotalSeconds:F1} s, " +
            $"clocks {clocksTime.TotalSeconds:F1} s, VACUUM ANALYZE {result.Analyse.TotalSeconds:F1} s ({2.0 * schedule.Rows / (requestsTime + clocksTime).TotalSeconds:N0} rows/s copied).");
        return result;
    }

    /// <summary>The plans of the claim: the statement of <see cref="Claims.ClaimAsync"/>, with parameters as EF sends
    /// them (so the plan is the one the engine gets); rolled back, since EXPLAIN ANALYZE takes the locks.</summary>
    private static async Task ExplainAsync(string connectionString, DeadlineOptions settings)
    {
        const string select = """
            SELECT id FROM request_clocks
            WHERE status = $1 AND next_check_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
            ORDER BY next_check_at
            LIMIT $3
            FOR UPDATE SKIP LOCKED
            """;
        var now = DateTime.UtcNow;
        var statements = new[]
        {
            ("inner SELECT", select),
            ("whole claim", $"UPDATE request_clocks SET claimed_by = 'explain', claimed_until = $4 WHERE id IN ({select}) RETURNING id"),
        };

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var (title, sql) in statements)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS) {sql}", connection, transaction)
            {
                Parameters =
                {
                    new() { Value = nameof(ClockStatus.Running) }, new() { Value = now }, new() { Value = settings.BatchSize }, new() { Value = now + settings.Lease },
                },
            };
            Console.WriteLine($"EXPLAIN (ANALYZE, BUFFERS), {title}:");
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    Console.WriteLine($"  {reader.GetString(0)}");
                }
            }

            await transaction.RollbackAsync();
        }
    }

    /// <summary>Claim passes exactly as the engine makes them, each rolled back so the same clocks stay due.</summary>
    private static async Task<Percentiles> MeasureScanAsync(WebApplication app, DeadlineOptions settings, DateTime now, int passes, int expected)
    {
        var timings = new List<double>();
        for (var pass = -WarmUpPasses; pass < passes; pass++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var watch = Stopwatch.StartNew();
            var claimed = await Claims.ClaimAsync(db, "request_clocks", "next_check_at", nameof(ClockStatus.Running), Claims.NewToken(), now, settings.Lease, settings.BatchSize, CancellationToken.None);
            watch.Stop();
            await transaction.RollbackAsync();
            if (claimed.Count != expected)
            {
                throw new InvalidOperationException($"A claim pass took {claimed.Count} clocks, expected {expected}.");
            }

            if (pass >= 0)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return Percentiles.Of(timings);
    }

    /// <summary>Makes the due clocks due again, then runs <paramref name="workers"/> engines side by side until each
    /// finds nothing left to claim.</summary>
    private static async Task<Round> RunRoundAsync(WebApplication app, string connectionString, Schedule schedule, int workers)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();

            // The bench database holds no other reminders, notifications, events or overdue records, so the previous
            // round's are all of them. TRUNCATE also passes the timeline's row trigger, which refuses DELETE.
            await ExecuteAsync(connection, "TRUNCATE reminders, notifications, request_events, overdue_records");
            await using (var reset = new NpgsqlCommand(
                "UPDATE request_clocks SET step = 0, next_check_at = warn_at, claimed_by = NULL, claimed_until = NULL WHERE id = ANY($1)", connection))
            {
                reset.Parameters.Add(new() { Value = schedule.DueIds });
                await reset.ExecuteNonQueryAsync();
            }

            // Each round leaves dead versions of the due clocks in the index the claim walks; clear them so the
            // rounds start alike.
            await ExecuteAsync(connection, "VACUUM (ANALYZE) request_clocks, reminders, notifications, request_events");
        }

        var watch = Stopwatch.StartNew();
        var passes = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(app.Services))));
        watch.Stop();

        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync();
        return new Round(
            workers,
            watch.Elapsed,
            passes.Sum(p => p.Passes),
            passes.Sum(p => p.Reminded),
            passes.Sum(p => p.Failed),
            await ScalarAsync(check, "SELECT count(*) FROM reminders"),
            await ScalarAsync(check, "SELECT count(DISTINCT clock_id) FROM reminders WHERE level = 'Unit'"),
            await ScalarAsync(check, "SELECT count(*) FROM notifications"));
    }

    /// <summary>One worker: the loop of <see cref="DeadlineWorker"/> without its pause, a scope per pass.</summary>
    private static async Task<(int Passes, int Reminded, int Failed)> WorkAsync(IServiceProvider services)
    {
        int passes = 0, reminded = 0, failed = 0;
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<DeadlineEngine>().RunOnceAsync(CancellationToken.None);
            passes++;
            reminded += result.Reminded;
            failed += result.Failed;
            if (result.Claimed == 0)
            {
                return (passes, reminded, failed);
            }
        }
    }

    private static void PrintSummary(int rows, int due, LoadResult load, Percentiles scan, Percentiles empty, List<Round> rounds)
    {
        var lines = new List<(string, string)>
        {
            ("rows (requests = clocks)", $"{rows:N0}"),
            ("due clocks", $"{due:N0}"),
            ("load time (COPY + VACUUM ANALYZE)", $"{load.Total.TotalSeconds:F1} s"),
            ("claim pass p50 / p95 / max", $"{scan.P50:F2} / {scan.P95:F2} / {scan.Max:F2} ms {(scan.P95 <= 100 ? "(<= 100 ms: PASS)" : "(> 100 ms: FAIL)")}"),
            ("empty claim pass p50", $"{empty.P50:F2} ms"),
        };
        var single = rounds.FirstOrDefault(r => r.Workers == 1)?.PerSecond ?? 0;
        foreach (var round in rounds)
        {
            var speedUp = single > 0 ? $", x{round.PerSecond / single:F2}" : "";
            lines.Add(($"reminders/s, {round.Workers} worker(s)", $"{round.PerSecond:N0}{speedUp} ({round.Elapsed.TotalSeconds:F1} s)"));
        }

        lines.Add(("double-sends", $"{rounds.Sum(r => r.DoubleSends(due))}"));
        lines.Add(("result", rounds.All(r => r.Passed(due)) ? "PASS" : "FAIL"));

        var width = lines.Max(l => l.Item1.Length);
        Console.WriteLine();
        Console.WriteLine("Summary");
        foreach (var (label, value) in lines)
        {
            Console.WriteLine($"  {label.PadRight(width)}  {value}");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private readonly record struct ClockTimes(DateTime StartedAt, DateTime WarnAt, DateTime DueAt, DateTime EscalateAt);

    /// <summary>
    /// The clocks to load. Due ones are spread evenly through the table, as real ones would be: warned in the last two
    /// days, running out in the next two, so each owes exactly one unit reminder. The others are warned over the
    /// next 30 days, from an hour ahead, so none falls due while the benchmark runs.
    /// </summary>
    private sealed record Schedule(int Rows, DateTime Now, ClockTimes[] Clocks, long[] DueIds)
    {
        /// <summary>A time before every clock's next check: a claim then finds nothing.</summary>
        public DateTime BeforeAnyCheck => Now.AddDays(-3);

        public static Schedule Create(int rows, int due, DateTime now)
        {
            var random = new Random(20261123);
            var stride = rows / due;
            var clocks = new ClockTimes[rows];
            var dueIds = new long[due];
            for (var i = 0; i < rows; i++)
            {
                DateTime warn, dueAt;
                if (i % stride == 0 && i / stride < due)
                {
                    dueIds[i / stride] = i + 1;
                    warn = now - TimeSpan.FromMinutes(1 + random.NextDouble() * 2 * 24 * 60);
                    dueAt = now + TimeSpan.FromMinutes(60 + random.NextDouble() * 2 * 24 * 60);
                }
                else
                {
                    warn = now + TimeSpan.FromMinutes(60 + random.NextDouble() * 30 * 24 * 60);
                    dueAt = warn.AddDays(1);
                }

                // Whole microseconds, as PostgreSQL stores them, so what is loaded is what is read back.
                warn = Truncate(warn);
                dueAt = Truncate(dueAt);
                clocks[i] = new ClockTimes(dueAt.AddDays(-5), warn, dueAt, dueAt.AddHours(4));
            }

            return new Schedule(rows, now, clocks, dueIds);
        }

        private static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
    }

    private sealed record LoadResult(TimeSpan Requests, TimeSpan Clocks, TimeSpan Analyse, TimeSpan Total);

    private sealed record Percentiles(double P50, double P95, double Max)
    {
        /// <summary>Nearest-rank percentiles.</summary>
        public static Percentiles Of(List<double> values)
        {
            var sorted = values.Order().ToArray();
            double At(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
            return new Percentiles(At(0.50), At(0.95), sorted[^1]);
        }
    }

    private sealed record Round(int Workers, TimeSpan Elapsed, int Passes, int Reminded, int Failed, long ReminderRows, long ClocksReminded, long NotificationRows)
    {
        public double PerSecond => Reminded / Elapsed.TotalSeconds;

        /// <summary>Reminders or notifications beyond one per due clock; the unique index on reminders should make it 0.</summary>
        public long DoubleSends(int due) => Math.Max(0, ReminderRows - ClocksReminded) + Math.Max(0, NotificationRows - due);

        public bool Passed(int due) => Failed == 0 && Reminded == due && ReminderRows == due && ClocksReminded == due && NotificationRows == due;
    }
}
