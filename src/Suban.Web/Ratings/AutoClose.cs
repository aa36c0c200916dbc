using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Ratings;

public sealed class RatingOptions
{
    public const string Section = "Rating";

    /// <summary>A reply nobody rates within this period closes the request.</summary>
    public TimeSpan AutoCloseAfter { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    public int BatchSize { get; set; } = 100;

    /// <summary>Whether this instance runs the worker; tests drive <see cref="AutoCloser"/> directly.</summary>
    public bool RunWorker { get; set; } = true;
}

/// <summary>
/// Closes replied requests whose rating period has run out. Safe with several instances: each close goes through
/// the workflow's optimistic concurrency, so a request another instance closed first is simply skipped.
/// </summary>
internal sealed class AutoCloser(SubanDb db, RequestWorkflow workflow, TimeProvider clock, IOptions<RatingOptions> options, ILogger<AutoCloser> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.AutoCloseAfter;
        var due = await db.Requests
            .Where(r => r.State == RequestState.Replied && r.RepliedAt <= cutoff)
            .OrderBy(r => r.RepliedAt)
            .Select(r => r.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);

        var closed = 0;
        foreach (var id in due)
        {
            try
            {
                db.ChangeTracker.Clear();
                if (await db.Requests.FirstOrDefaultAsync(r => r.Id == id && r.State == RequestState.Replied, cancellationToken) is not { } request)
                {
                    continue;
                }

                var outcome = await workflow.ApplyAsync(Actor.System, request, RequestAction.AutoClose, "评价期满未评价，自动办结", (r, now) =>
                {
                    r.ClosedAt = now;
                    return null;
                }, cancellationToken: cancellationToken);
                closed += outcome is Outcome.Done ? 1 : 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad row must not stop the rest.
                logger.LogError(e, "Auto-close failed for request {RequestId}", id);
            }
        }

        return closed;
    }
}

internal sealed class AutoCloseWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<RatingOptions> options, ILogger<AutoCloseWorker> logger)
    : PollingWorker(scopes, clock, logger)
{
    protected override bool Enabled => options.Value.RunWorker;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string PassName => "Auto-close pass";

    protected override async Task<bool> RunPassAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var closed = await services.GetRequiredService<AutoCloser>().RunOnceAsync(cancellationToken);
        if (closed > 0)
        {
            logger.LogInformation("Auto-closed {Count} unrated requests", closed);
        }

        return false;
    }
}
