using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Data;

namespace Suban.Web.Pages;

/// <summary>
/// Reads the waiting queues once every two seconds for the whole instance, however many desks are open: for each
/// platform, how many requests wait, which (the sum of their ids) and the newest change among them. Each desk's
/// stream waits for the next reading and compares its platform's fingerprint with the one it last sent. The reading
/// comes from the database, so a change made on any instance reaches every desk; with no desk open, nothing is read.
/// </summary>
public sealed class QueueWatch(IServiceScopeFactory scopes, ILogger<QueueWatch> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private TaskCompletionSource<IReadOnlyDictionary<int, QueueFingerprint>> next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int listeners;
    private long readings;

    /// <summary>The number of shared readings so far (for tests: one reading serves every desk).</summary>
    public long Readings => Interlocked.Read(ref readings);

    /// <summary>The fingerprint of <paramref name="platform"/>'s queue now, read for one desk as it connects.</summary>
    public static async Task<QueueFingerprint> ReadAsync(SubanDb db, int? platform, CancellationToken cancellationToken)
    {
        var rows = await Waiting(db.Requests.Where(r => r.PlatformUnitId == platform)).ToListAsync(cancellationToken);
        return rows.Count == 0 ? default : rows[0].Fingerprint;
    }

    /// <summary>The fingerprint of <paramref name="platform"/>'s queue at the next shared reading.</summary>
    public async Task<QueueFingerprint> NextAsync(int? platform, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref listeners);
        try
        {
            var reading = await Volatile.Read(ref next).Task.WaitAsync(cancellationToken);
            return platform is { } id && reading.TryGetValue(id, out var fingerprint) ? fingerprint : default;
        }
        finally
        {
            Interlocked.Decrement(ref listeners);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (Volatile.Read(ref listeners) > 0)
            {
                try
                {
                    var reading = await ReadAllAsync(stoppingToken);
                    Interlocked.Increment(ref readings);
                    Interlocked.Exchange(ref next, new(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult(reading);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The desks keep their last state and hear from the next reading that succeeds.
                    logger.LogWarning(e, "Reading the waiting queues failed");
                }
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<IReadOnlyDictionary<int, QueueFingerprint>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var rows = await Waiting(db.Requests).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Platform, r => r.Fingerprint);
    }

    /// <summary>
    /// Per platform, only its waiting requests (found by the state index, and few): a request entering the queue
    /// changes the newest change, one leaving changes the count and the sum of ids. The whole history is never read.
    /// </summary>
    private static IQueryable<Queue> Waiting(IQueryable<ServiceRequest> requests) =>
        requests.AsNoTracking()
            .Where(r => r.State == RequestState.Submitted || r.State == RequestState.Returned)
            .GroupBy(r => r.PlatformUnitId)
            .Select(g => new Queue(g.Key, g.Count(), g.Max(r => r.UpdatedAt), g.Sum(r => (long)r.Id)));

    private sealed record Queue(int Platform, int Count, DateTime Newest, long Ids)
    {
        public QueueFingerprint Fingerprint => new(Count, Newest, Ids);
    }
}

/// <summary>A queue as the desk compares it: how many wait, their newest change, and which (the sum of their ids).</summary>
public readonly record struct QueueFingerprint(int Count, DateTime Newest, long Ids);
