using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Web.Data;

namespace Suban.Web.Routing;

/// <summary>
/// Trains the first model when there is none, and retrains on a schedule when dispatchers have corrected or
/// confirmed matters since. On PostgreSQL an advisory lock keeps instances from training at the same time.
/// </summary>
internal sealed class RoutingWorker(IServiceScopeFactory scopes, RoutingModels models, TimeProvider clock, IOptions<RoutingOptions> options, ILogger<RoutingWorker> logger) : BackgroundService
{
    private const long TrainingLock = 0x5375_6261_6E00_0002;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TrainWhenMissing)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TrainIfDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Routing training pass failed");
            }

            await Task.Delay(TimeSpan.FromMinutes(5), clock, stoppingToken);
        }
    }

    public async Task<TrainingReport?> TrainIfDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var latest = await db.RoutingModels.OrderByDescending(m => m.Version).Select(m => new { m.CreatedAt, m.CorrectionCount }).FirstOrDefaultAsync(cancellationToken);
        var corrections = await db.RoutingCorrections.CountAsync(cancellationToken);
        var due = latest is null || (corrections > latest.CorrectionCount && clock.GetUtcNow().UtcDateTime - latest.CreatedAt >= options.Value.RetrainEvery);
        if (!due)
        {
            return null;
        }

        return (await TrainNowAsync(cancellationToken)).Report;
    }

    /// <summary>
    /// Trains a model now and puts it in use, unless one is being trained (here or, on PostgreSQL, on another
    /// instance): then Busy, and nothing is done. Used by the schedule and by an administrator's "retrain now".
    /// </summary>
    public async Task<(bool Busy, TrainingReport? Report)> TrainNowAsync(CancellationToken cancellationToken)
    {
        if (!await gate.WaitAsync(0, cancellationToken))
        {
            return (true, null);
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            var postgres = db.Database.IsNpgsql();
            if (postgres)
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
                var locked = await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_lock({TrainingLock}) AS \"Value\"").SingleAsync(cancellationToken);
                if (!locked)
                {
                    return (true, null);
                }
            }

            try
            {
                var report = await scope.ServiceProvider.GetRequiredService<RoutingTrainer>().TrainAsync(cancellationToken);
                models.Refresh();
                return (false, report);
            }
            finally
            {
                if (postgres)
                {
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({TrainingLock})", CancellationToken.None);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One training at a time in this instance (the advisory lock is per connection, so it does not see them).</summary>
    private readonly SemaphoreSlim gate = new(1, 1);
}
