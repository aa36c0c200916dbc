namespace Suban.Web.Notifications;

/// <summary>Who a notification is for.</summary>
public enum Audience
{
    /// <summary>The citizen who made the request: by SMS to the contact phone, in-app when signed in.</summary>
    Citizen,

    /// <summary>Everyone on the unit's desk.</summary>
    Unit,

    /// <summary>The head (负责人) of the unit.</summary>
    UnitHead,
}

public enum DeliveryStatus
{
    Pending,
    Sent,

    /// <summary>Gave up after the last retry; the failure is kept.</summary>
    Dead,
}

/// <summary>
/// One message to one recipient over one channel, written to the outbox in the same transaction as the change it
/// tells of, and delivered afterwards by <see cref="OutboxDelivery"/>. Its id is the idempotency key gateways see.
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }

    public DateTime CreatedAt { get; set; }

    public long? RequestId { get; set; }

    public Audience Audience { get; set; }

    public int? UnitId { get; set; }

    public string? UserId { get; set; }

    /// <summary>Where an SMS or e-mail goes; personal data, kept here only and never logged.</summary>
    public string? Address { get; set; }

    /// <summary>The channel's name: <c>in-app</c>, <c>sms</c>, <c>email</c>.</summary>
    public required string Channel { get; set; }

    /// <summary>What happened, e.g. <c>Dispatch</c>, <c>Remind</c>: lets a channel pick a template.</summary>
    public required string Topic { get; set; }

    public required string Text { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public string? ClaimedBy { get; set; }

    public DateTime? ClaimedUntil { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>The last failure, without the message or the address.</summary>
    public string? LastError { get; set; }

    /// <summary>When a signed-in reader opened it (in-app only).</summary>
    public DateTime? ReadAt { get; set; }
}
