using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Integration;

public sealed record ImportJobView(long Id, string FileName, string Format, bool DryRun, string Status, int Total, int Processed, int Imported, int Rejected, double Percent, string? Error, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

public sealed record RejectionView(int Row, string Field, string Reason);

/// <summary>Runs imports in the background of this instance, each in its own scope, until the app stops.</summary>
internal sealed class ImportRunner(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<ImportRunner> logger)
{
    public void Start(long jobId, string path)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RequestImporter>().RunAsync(jobId, path, null, lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                logger.LogWarning("Import {JobId} interrupted: the app is stopping", jobId);
                await RecordAsync(jobId, (job, now) => job.Interrupt(now, "The app stopped during the import."));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Import {JobId} failed", jobId);
                await RecordAsync(jobId, (job, now) =>
                {
                    job.Status = "failed";
                    var message = $"{e.GetType().Name}: {(e.InnerException ?? e).Message}";
                    job.Error = message.Length <= 500 ? message : message[..500];
                    job.FinishedAt = now;
                });
            }
            finally
            {
                File.Delete(path);
            }
        });
    }

    /// <summary>Records how a job ended, in a scope of its own (the run's may be broken), never throwing.</summary>
    private async Task RecordAsync(long jobId, Action<ImportJob, DateTime> change)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            var job = await db.ImportJobs.SingleAsync(j => j.Id == jobId);
            change(job, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync();
        }
        catch (Exception again)
        {
            logger.LogError(again, "Could not record the end of import {JobId}", jobId);
        }
    }
}

internal static class ImportEndpoints
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;
    public const int MaxExportRows = 200_000;

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder routes)
    {
        // Administrators: historical data enters the platform wholesale.
        var group = routes.MapGroup("/api/v1/imports").WithTags("Integration").RequireAuthorization(p => p.RequireRole(Roles.Administrator));
        group.MapPost("/", UploadAsync)
            .WithSummary("Import historical requests from CSV, xlsx or JSON Lines (field 'file'); ?dryRun=true only reports what it would reject.")
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadBytes));
        group.MapGet("/{id:long}", JobAsync).WithSummary("An import's progress and counts.");
        group.MapGet("/{id:long}/rejections", RejectionsAsync).WithSummary("Every row the import rejected (or would), with the column and why.");

        // Staff: any list they can see, as a file.
        routes.MapGet("/api/v1/exports/requests", ExportAsync)
            .WithTags("Integration")
            .WithSummary("The requests the caller can see, filtered like the list, as csv, xlsx or jsonl (importable again).")
            .RequireAuthorization(p => p.RequireRole(Roles.Staff));
        return routes;
    }

    private static async Task<IResult> UploadAsync(HttpRequest http, bool? dryRun, RequestImporter importer, ImportRunner runner, ActorAccessor actors, CancellationToken cancellationToken)
    {
        if (!http.HasFormContentType)
        {
            return Problems.Field("file", "Send the file as multipart/form-data in the field 'file'.");
        }

        var form = await http.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return Problems.Field("file", "Send the file as multipart/form-data in the field 'file'.");
        }

        if (ImportFormats.FormatOf(file.FileName) is not { } format)
        {
            return Problems.Field("file", "The file name must end in .csv, .xlsx or .jsonl.");
        }

        var path = Path.Combine(Path.GetTempPath(), $"suban-import-{Guid.NewGuid():N}.{format}");
        await using (var target = File.Create(path))
        {
            await file.CopyToAsync(target, cancellationToken);
        }

        var actor = await actors.GetAsync(cancellationToken);
        var job = await importer.StartAsync(file.FileName, format, dryRun == true, actor.UserId, cancellationToken);
        runner.Start(job.Id, path);
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", View(job));
    }

    public static ImportJobView View(ImportJob job) => new(
        job.Id, job.FileName, job.Format, job.DryRun, job.Status, job.Total, job.Processed, job.Imported, job.Rejected,
        job.Total == 0 ? (job.Status == "running" ? 0 : 100) : Math.Round(100.0 * job.Processed / job.Total, 1),
        job.Error, RequestViews.Utc(job.StartedAt), RequestViews.Utc(job.FinishedAt));

    private static async Task<IResult> JobAsync(long id, SubanDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var job = await db.ImportJobs.FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null)
        {
            return Problems.NotFound("id", $"No import has the id {id}.");
        }

        if (job.InterruptIfStale(clock.GetUtcNow().UtcDateTime))
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(View(job));
    }

    private static async Task<IResult> RejectionsAsync(long id, int? page, int? pageSize, SubanDb db, CancellationToken cancellationToken)
    {
        var size = pageSize ?? 500;
        if (size is < 1 or > 5000)
        {
            return Problems.Field("pageSize", "Between 1 and 5000.");
        }

        if (page is < 1)
        {
            return Problems.Field("page", "Pages start at 1.");
        }

        if (!await db.ImportJobs.AnyAsync(j => j.Id == id, cancellationToken))
        {
            return Problems.NotFound("id", $"No import has the id {id}.");
        }

        var query = db.ImportRejections.AsNoTracking().Where(r => r.JobId == id);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(r => r.Row).ThenBy(r => r.Id).Skip(((page ?? 1) - 1) * size).Take(size)
            .Select(r => new RejectionView(r.Row, r.Field, r.Reason)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<RejectionView>(items, page ?? 1, size, total));
    }

    private static async Task<IResult> ExportAsync([AsParameters] Tracking.RequestFilter filter, string? format, HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        format = string.IsNullOrWhiteSpace(format) ? "csv" : format.Trim().ToLowerInvariant();
        if (format is not ("csv" or "xlsx" or "jsonl"))
        {
            return Problems.Field("format", "Export as csv, xlsx or jsonl.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var filtered = await Tracking.RequestFilters.ApplyAsync(filter, db.Requests.AsNoTracking(), db, actor, cancellationToken);
        if (filtered.Problem is { } problem)
        {
            return problem;
        }

        if (await filtered.Query!.CountAsync(cancellationToken) is var count && count > MaxExportRows)
        {
            return Problems.Field("from", $"{count:N0} requests match; an export holds at most {MaxExportRows:N0}: narrow the filter (e.g. by 'from' and 'to').");
        }

        var rows = await RequestExport.RowsAsync(filtered.Query!, db, actor, cancellationToken);
        var stamp = clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        return format switch
        {
            "xlsx" => TypedResults.File(RequestExport.Xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"requests-{stamp}.xlsx"),
            "jsonl" => TypedResults.File(RequestExport.JsonLines(rows), "application/x-ndjson; charset=utf-8", $"requests-{stamp}.jsonl"),
            _ => TypedResults.File(RequestExport.Csv(rows), "text/csv; charset=utf-8", $"requests-{stamp}.csv"),
        };
    }
}

/// <summary><c>import FILE [--dry-run]</c>: the same import from the command line, against the configured database, with progress.</summary>
internal static class ImportCommand
{
    public static bool IsCommand(string[] args) => args.FirstOrDefault() == "import";

    public static async Task<int> RunAsync(WebApplication app, string[] args, TextWriter output)
    {
        var file = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } typed ? CommandLine.FullPath(typed) : null;
        if (file is null || !File.Exists(file) || ImportFormats.FormatOf(file) is not { } format)
        {
            await output.WriteLineAsync("usage: import FILE.csv|FILE.xlsx|FILE.jsonl [--dry-run]");
            return 2;
        }

        var dryRun = args.Contains("--dry-run");
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<RequestImporter>();
        var job = await importer.StartAsync(file, format, dryRun, null, CancellationToken.None);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var progress = new SynchronousProgress(p =>
            output.Write($"\r{p.Processed:N0}/{p.Total:N0} rows ({(p.Total == 0 ? 100 : 100.0 * p.Processed / p.Total):0.0}%), {p.Imported:N0} {(dryRun ? "would be imported" : "imported")}, {p.Rejected:N0} rejected, {started.Elapsed.TotalSeconds:0.0} s   "));
        await importer.RunAsync(job.Id, Path.GetFullPath(file), progress, CancellationToken.None);
        await output.WriteLineAsync();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var done = await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == job.Id);
        if (done.Status == "failed")
        {
            await output.WriteLineAsync($"The file could not be read: {done.Error}");
            return 1;
        }

        foreach (var r in await db.ImportRejections.AsNoTracking().Where(r => r.JobId == job.Id).OrderBy(r => r.Row).Take(20).ToListAsync())
        {
            await output.WriteLineAsync($"row {r.Row}: {r.Field}: {r.Reason}");
        }

        if (done.Rejected > 20)
        {
            await output.WriteLineAsync($"… and {done.Rejected - 20} more: GET /api/v1/imports/{job.Id}/rejections");
        }

        await output.WriteLineAsync($"import {job.Id}: {done.Total} rows, {done.Imported} {(dryRun ? "would be imported" : "imported")}, {done.Rejected} rejected in {started.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and interleave output).</summary>
    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
