using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Notifications;

namespace Suban.Web.Integration;

/// <summary>A unit's own case system, told of what happens to the unit's requests by signed HTTP POSTs.</summary>
public sealed class WebhookSubscription
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public int UnitId { get; set; }

    public required string Url { get; set; }

    /// <summary>The HMAC key. Kept readable because signing needs it; shown to the administrator once, when made.</summary>
    public required string Secret { get; set; }

    /// <summary>Event names separated by commas, or <c>*</c> for all of them.</summary>
    public required string Events { get; set; }

    public bool IsActive { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// One event for one subscriber, written in the same transaction as the change it tells of. Deliveries to one
/// subscriber about one request go out in id order: a later one waits while an earlier one is still pending.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public int SubscriptionId { get; set; }

    public long? RequestId { get; set; }

    public required string Event { get; set; }

    /// <summary>The JSON body, exactly as signed and sent.</summary>
    public required string Payload { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public string? ClaimedBy { get; set; }

    public DateTime? ClaimedUntil { get; set; }

    public DateTime? SentAt { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }
}

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    public int MaxAttempts { get; set; } = 10;

    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long one POST may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public int BatchSize { get; set; } = 100;

    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    public bool RunWorker { get; set; } = true;

    /// <summary>Plain <c>http://</c> subscriber URLs are refused unless this is set (development, tests).</summary>
    public bool AllowHttp { get; set; }

    public bool IsValid() => MaxAttempts >= 1 && BatchSize >= 1 && RetryBase > TimeSpan.Zero && RetryMax >= RetryBase
        && Timeout > TimeSpan.Zero && PollInterval > TimeSpan.Zero && Lease > Timeout;
}

/// <summary>The events a subscriber can ask for, by the names it sees, and the topics they come from.</summary>
public static class WebhookEvents
{
    public const string Assigned = "assigned";
    public const string Returned = "returned";
    public const string Reopened = "reopened";
    public const string Reminder = "reminder";
    public const string SupervisionOrder = "supervision_order";
    public const string ExtensionApproved = "extension_approved";
    public const string ExtensionRefused = "extension_refused";

    public static readonly IReadOnlyList<string> All = [Assigned, Returned, Reopened, Reminder, SupervisionOrder, ExtensionApproved, ExtensionRefused];

    /// <summary>The event a unit notification's topic stands for; null for topics no subscriber is told of.</summary>
    public static string? FromTopic(string topic) => topic switch
    {
        nameof(RequestAction.Dispatch) => Assigned,
        nameof(RequestAction.Return) => Returned,
        nameof(RequestAction.RateDissatisfied) => Reopened,
        nameof(RequestAction.Remind) => Reminder,
        nameof(RequestAction.Supervise) => SupervisionOrder,
        nameof(RequestAction.ApproveExtension) => ExtensionApproved,
        nameof(RequestAction.RefuseExtension) => ExtensionRefused,
        _ => null,
    };

    public static bool Wants(string subscribed, string name) =>
        subscribed.Trim() == "*" || subscribed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(name);
}

/// <summary>
/// How a delivery is signed: <c>X-Suban-Signature: sha256=HEX</c>, the HMAC-SHA256 under the subscriber's secret of
/// <c>TIMESTAMP + "." + BODY</c>, where TIMESTAMP is <c>X-Suban-Timestamp</c> in Unix seconds. A receiver checks the
/// signature and refuses timestamps older than a few minutes, so a captured delivery cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Suban-Signature";
    public const string TimestampHeader = "X-Suban-Timestamp";
    public const string EventHeader = "X-Suban-Event";
    public const string DeliveryHeader = "X-Suban-Delivery";

    public static string Sign(string secret, long timestamp, string body)
    {
        var message = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>What a receiver does: the signature matches and the timestamp is within <paramref name="tolerance"/> of now.</summary>
    public static bool Verify(string secret, string? timestamp, string body, string? signature, DateTimeOffset now, TimeSpan tolerance)
    {
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}

/// <summary>Writes deliveries for a unit's subscribers into the caller's unit of work.</summary>
internal sealed class WebhookOutbox(SubanDb db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnqueueAsync(int unitId, long? requestId, string topic, string text, DateTime now, CancellationToken cancellationToken)
    {
        if (WebhookEvents.FromTopic(topic) is not { } name)
        {
            return;
        }

        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.UnitId == unitId && s.IsActive).ToListAsync(cancellationToken);
        subscriptions = subscriptions.Where(s => WebhookEvents.Wants(s.Events, name)).ToList();
        if (subscriptions.Count == 0)
        {
            return;
        }

        var request = requestId is null ? null : db.Requests.Local.FirstOrDefault(r => r.Id == requestId)
            ?? await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        foreach (var subscription in subscriptions)
        {
            var externalId = request is null ? null : await db.ExternalCases.AsNoTracking()
                .Where(c => c.RequestId == request.Id && db.DepartmentSystems.Any(s => s.Id == c.SystemId && s.UnitId == unitId))
                .Select(c => c.ExternalId).FirstOrDefaultAsync(cancellationToken);
            var payload = new
            {
                Event = name,
                OccurredAt = Requests.RequestViews.Utc(now),
                Unit = unitId,
                Text = text,
                Request = request is null ? null : new
                {
                    request.TrackingNumber,
                    request.Title,
                    request.Type,
                    request.Urgency,
                    State = request.State.ToString(),
                    request.MatterCode,
                    ExternalId = externalId,
                    Link = $"/api/v1/requests/{request.TrackingNumber}",
                },
            };
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                SubscriptionId = subscription.Id,
                RequestId = requestId,
                Event = name,
                Payload = JsonSerializer.Serialize(payload, Json),
                Status = DeliveryStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }
    }
}

/// <summary>
/// Sends due deliveries: claims a batch (several instances never take the same one, and a delivery waits while an
/// earlier one to the same subscriber about the same request is pending), POSTs each signed, and retries failures
/// with backoff until the last attempt, after which it is kept as dead and can be replayed. A subscriber that fails
/// is skipped for the rest of the pass, so a dead one costs one timeout per pass, not one per delivery.
/// </summary>
internal sealed class WebhookSender(SubanDb db, IHttpClientFactory http, TimeProvider clock, IOptions<WebhookOptions> options, ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";

    /// <summary>
    /// Sends what is due. A request's next event becomes due only when the one before it is sent, so a pass goes on
    /// claiming while its last round sent something (a few rounds at most), and a burst about one request leaves together.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (var round = 0; round < 8; round++)
        {
            var sent = await RoundAsync(cancellationToken);
            total += sent;
            if (sent == 0)
            {
                break;
            }
        }

        return total;
    }

    private async Task<int> RoundAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = Claims.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await ClaimAsync(token, now, settings, cancellationToken);
        var failing = new Dictionary<int, DateTime>();
        var sent = 0;
        foreach (var id in claimed.Order())
        {
            db.ChangeTracker.Clear();
            var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id && d.ClaimedBy == token && d.Status == DeliveryStatus.Pending, cancellationToken);
            if (delivery is null)
            {
                continue;
            }

            var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
            if (subscription is null || !subscription.IsActive || failing.ContainsKey(subscription.Id))
            {
                // Released without an attempt. Behind a subscriber that just failed it waits as long as the failed
                // one, so a dead subscriber's backlog does not fill every pass and starve the others.
                if (subscription is not null && failing.TryGetValue(subscription.Id, out var retryAt) && retryAt > delivery.NextAttemptAt)
                {
                    delivery.NextAttemptAt = retryAt;
                }

                delivery.ClaimedBy = null;
                delivery.ClaimedUntil = null;
                await db.SaveChangesAsync(cancellationToken);
                continue;
            }

            delivery.Attempts++;
            try
            {
                var status = await PostAsync(subscription, delivery, settings, cancellationToken);
                delivery.LastStatusCode = status;
                if (status is < 200 or > 299)
                {
                    throw new HttpRequestException($"The subscriber answered {status}.");
                }

                delivery.Status = DeliveryStatus.Sent;
                delivery.SentAt = clock.GetUtcNow().UtcDateTime;
                delivery.LastError = null;
                sent++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var error = e is TaskCanceledException ? $"No answer within {settings.Timeout.TotalSeconds:0} s." : e.Message;
                delivery.LastError = error.Length <= 500 ? error : error[..500];
                if (delivery.Attempts >= settings.MaxAttempts)
                {
                    delivery.Status = DeliveryStatus.Dead;
                    failing[subscription.Id] = clock.GetUtcNow().UtcDateTime + settings.RetryBase;
                    logger.LogError("Webhook delivery {DeliveryId} to subscription {SubscriptionId} failed for good after {Attempts} attempts", delivery.Id, subscription.Id, delivery.Attempts);
                }
                else
                {
                    delivery.NextAttemptAt = clock.GetUtcNow().UtcDateTime + Backoff(delivery.Attempts, settings);
                    failing[subscription.Id] = delivery.NextAttemptAt;
                    logger.LogWarning("Webhook delivery {DeliveryId} to subscription {SubscriptionId} failed (attempt {Attempts}); retrying", delivery.Id, subscription.Id, delivery.Attempts);
                }
            }

            delivery.ClaimedBy = null;
            delivery.ClaimedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }

        return sent;
    }

    public static TimeSpan Backoff(int attempts, WebhookOptions settings) => Retry.Backoff(attempts, settings.RetryBase, settings.RetryMax);

    private async Task<int> PostAsync(WebhookSubscription subscription, WebhookDelivery delivery, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var message = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        message.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(subscription.Secret, timestamp, delivery.Payload));
        message.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
        message.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(CultureInfo.InvariantCulture));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var response = await http.CreateClient(HttpClientName).SendAsync(message, timeout.Token);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Like <see cref="Claims.ClaimAsync"/>, with the order rule: a delivery is due only when no earlier delivery to
    /// the same subscriber about the same request is still pending.
    /// </summary>
    private async Task<List<long>> ClaimAsync(string token, DateTime now, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var lockClause = db.Database.IsNpgsql() ? "FOR UPDATE OF d SKIP LOCKED" : "";
        var sql = $$"""
            UPDATE webhook_deliveries SET claimed_by = {0}, claimed_until = {1}
            WHERE id IN (
                SELECT d.id FROM webhook_deliveries d
                WHERE d.status = 'Pending' AND d.next_attempt_at <= {2} AND (d.claimed_until IS NULL OR d.claimed_until < {2})
                  AND NOT EXISTS (
                    SELECT 1 FROM webhook_deliveries e
                    WHERE e.subscription_id = d.subscription_id AND e.request_id = d.request_id AND e.id < d.id AND e.status = 'Pending')
                ORDER BY d.next_attempt_at, d.id
                LIMIT {3}
                {{lockClause}})
            RETURNING id AS "Value"
            """;
        return await db.Database.SqlQueryRaw<long>(sql, token, now + settings.Lease, now, settings.BatchSize).ToListAsync(cancellationToken);
    }
}

internal sealed class WebhookWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WebhookOptions> options, ILogger<WebhookWorker> logger)
    : PollingWorker(scopes, clock, logger)
{
    protected override bool Enabled => options.Value.RunWorker;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string PassName => "Webhook delivery pass";

    protected override async Task<bool> RunPassAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        await services.GetRequiredService<WebhookSender>().RunOnceAsync(cancellationToken) >= options.Value.BatchSize;
}
