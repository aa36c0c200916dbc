namespace Suban.Web.Infrastructure;

/// <summary>
/// The loop every background worker runs: a pass in a scope of its own, again at once while the pass says more is
/// waiting (it took a full batch), else after the poll interval. A failed pass is logged and the loop goes on; safe on
/// several instances because each pass claims its own work.
/// </summary>
internal abstract class PollingWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract bool Enabled { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>For the log line when a pass fails, e.g. "Deadline pass".</summary>
    protected abstract string PassName { get; }

    /// <summary>One pass; true when more is waiting and the next pass should start at once.</summary>
    protected abstract Task<bool> RunPassAsync(IServiceProvider services, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                more = await RunPassAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Pass} failed", PassName);
            }

            if (!more)
            {
                await Task.Delay(PollInterval, clock, stoppingToken);
            }
        }
    }
}
