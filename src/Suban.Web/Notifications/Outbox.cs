using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Notifications;

/// <summary>The channels this instance delivers through, by name.</summary>
internal sealed class ChannelRegistry(IEnumerable<INotificationChannel> channels)
{
    private readonly Dictionary<string, INotificationChannel> byName = channels.ToDictionary(c => c.Name);

    public bool Has(string name) => byName.ContainsKey(name);

    public INotificationChannel? Find(string name) => byName.GetValueOrDefault(name);
}

/// <summary>
/// Writes notifications into the caller's unit of work: they are committed with the change they tell of, or not
/// at all. Delivery happens later, from <see cref="OutboxDelivery"/>.
/// </summary>
internal sealed class Outbox(SubanDb db, ChannelRegistry channels, Integration.WebhookOutbox webhooks)
{
    public void ToCitizen(ServiceRequest request, string topic, string text, DateTime now)
    {
        if (channels.Has("sms") && !string.IsNullOrWhiteSpace(request.ContactPhone))
        {
            Add(new Notification { RequestId = request.Id, Audience = Audience.Citizen, Address = request.ContactPhone, Channel = "sms", Topic = topic, Text = text }, now);
        }

        if (request.CitizenUserId is { } userId)
        {
            Add(new Notification { RequestId = request.Id, Audience = Audience.Citizen, UserId = userId, Channel = InAppChannel.ChannelName, Topic = topic, Text = text }, now);
        }
    }

    /// <summary>
    /// To a unit's desk (in-app), or to its head (in-app, and by SMS and e-mail where the head has them); and, unless
    /// <paramref name="webhook"/> is false, to the unit's subscribed systems as a webhook event.
    /// </summary>
    public async Task ToUnitAsync(int unitId, long? requestId, string topic, string text, DateTime now, bool head = false, CancellationToken cancellationToken = default, bool webhook = true)
    {
        var audience = head ? Audience.UnitHead : Audience.Unit;
        if (webhook)
        {
            await webhooks.EnqueueAsync(unitId, requestId, topic, text, now, cancellationToken);
        }

        Add(new Notification { RequestId = requestId, Audience = audience, UnitId = unitId, Channel = InAppChannel.ChannelName, Topic = topic, Text = text }, now);
        if (!head || !(channels.Has("sms") || channels.Has("email")))
        {
            return;
        }

        var heads = await db.Users.AsNoTracking().Where(u => u.UnitId == unitId && u.IsUnitHead)
            .Select(u => new { u.PhoneNumber, u.Email }).ToListAsync(cancellationToken);
        foreach (var person in heads)
        {
            if (channels.Has("sms") && !string.IsNullOrWhiteSpace(person.PhoneNumber))
            {
                Add(new Notification { RequestId = requestId, Audience = audience, UnitId = unitId, Address = person.PhoneNumber, Channel = "sms", Topic = topic, Text = text }, now);
            }

            if (channels.Has("email") && !string.IsNullOrWhiteSpace(person.Email))
            {
                Add(new Notification { RequestId = requestId, Audience = audience, UnitId = unitId, Address = person.Email, Channel = "email", Topic = topic, Text = text }, now);
            }
        }
    }

    private void Add(Notification notification, DateTime now)
    {
        notification.CreatedAt = now;
        notification.NextAttemptAt = now;
        notification.Status = DeliveryStatus.Pending;
        db.Notifications.Add(notification);
    }
}

/// <summary>
/// Delivers pending notifications: claims a bounded batch (see <see cref="Claims"/>), sends each through its
/// channel, marks it sent, or schedules a retry with exponential backoff; after the last attempt it is kept as
/// dead with the failure. One failing notification never holds up the others.
/// </summary>
internal sealed class OutboxDelivery(SubanDb db, ChannelRegistry channels, TimeProvider clock, IOptions<NotificationOptions> options, ILogger<OutboxDelivery> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = Claims.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await Claims.ClaimAsync(db, "notifications", "next_attempt_at", nameof(DeliveryStatus.Pending), token, now, settings.Lease, settings.BatchSize, cancellationToken);
        var sent = 0;
        foreach (var id in claimed.Order())
        {
            db.ChangeTracker.Clear();
            var notification = await db.Notifications.FirstOrDefaultAsync(n => n.Id == id && n.ClaimedBy == token && n.Status == DeliveryStatus.Pending, cancellationToken);
            if (notification is null)
            {
                continue;
            }

            notification.Attempts++;
            try
            {
                var channel = channels.Find(notification.Channel) ?? throw new InvalidOperationException($"No channel '{notification.Channel}' is configured.");
                await channel.SendAsync(notification, cancellationToken);
                notification.Status = DeliveryStatus.Sent;
                notification.SentAt = clock.GetUtcNow().UtcDateTime;
                notification.LastError = null;
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The message and address stay out of the log: only the id, the channel and what went wrong.
                var error = $"{e.GetType().Name}: {e.Message}";
                notification.LastError = error.Length <= 500 ? error : error[..500];
                if (notification.Attempts >= settings.MaxAttempts)
                {
                    notification.Status = DeliveryStatus.Dead;
                    logger.LogError("Notification {NotificationId} via {Channel} failed for good after {Attempts} attempts: {Error}", notification.Id, notification.Channel, notification.Attempts, e.GetType().Name);
                }
                else
                {
                    notification.NextAttemptAt = clock.GetUtcNow().UtcDateTime + Backoff(notification.Attempts, settings);
                    logger.LogWarning("Notification {NotificationId} via {Channel} failed (attempt {Attempts}); retrying", notification.Id, notification.Channel, notification.Attempts);
                }
            }

            notification.ClaimedBy = null;
            notification.ClaimedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }

        return sent;
    }

    public static TimeSpan Backoff(int attempts, NotificationOptions settings) => Retry.Backoff(attempts, settings.RetryBase, settings.RetryMax);
}

internal sealed class OutboxWorker(IServiceScopeFactory scopes, TimeProvider clock, IOptions<NotificationOptions> options, ILogger<OutboxWorker> logger)
    : PollingWorker(scopes, clock, logger)
{
    protected override bool Enabled => options.Value.RunWorker;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override string PassName => "Notification delivery pass";

    protected override async Task<bool> RunPassAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        await services.GetRequiredService<OutboxDelivery>().RunOnceAsync(cancellationToken) >= options.Value.BatchSize;
}
