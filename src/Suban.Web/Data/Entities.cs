using Microsoft.AspNetCore.Identity;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;

namespace Suban.Web.Data;

/// <summary>A signed-in person: a citizen, or staff who belong to one unit.</summary>
public sealed class User : IdentityUser
{
    public string? DisplayName { get; set; }

    public int? UnitId { get; set; }

    /// <summary>Created by the demo seeder; refused sign-in outside Development.</summary>
    public bool IsDemo { get; set; }

    /// <summary>The head (负责人) of the unit: escalated reminders reach them by SMS and e-mail too.</summary>
    public bool IsUnitHead { get; set; }
}

public sealed class Unit
{
    public int Id { get; set; }

    public required string Code { get; set; }

    public required string Name { get; set; }

    public string? ShortName { get; set; }

    public UnitKind Kind { get; set; }

    public int? ParentId { get; set; }

    /// <summary>Codes from the root down, e.g. <c>/440300/440304/440304001/</c>: a subtree is a prefix match.</summary>
    public required string Path { get; set; }

    /// <summary>The district the unit serves, if any; city-wide units have none.</summary>
    public string? DistrictCode { get; set; }
}

public sealed class ServiceRequest
{
    public long Id { get; set; }

    public required string TrackingNumber { get; set; }

    public RequestType Type { get; set; }

    public required string Title { get; set; }

    public required string Description { get; set; }

    public string? AddressText { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    public string? ContactName { get; set; }

    public required string ContactPhone { get; set; }

    /// <summary>When set, handling units see neither name nor phone; platforms still do.</summary>
    public bool IsAnonymous { get; set; }

    public Channel Channel { get; set; }

    public string? ExternalId { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the intake payload, to tell a retry from a different request under the same key.</summary>
    public string? PayloadHash { get; set; }

    /// <summary>A public link to media a partner app sent with the request (Open311 <c>media_url</c>); not fetched.</summary>
    public string? MediaUrl { get; set; }

    public Urgency Urgency { get; set; }

    public RequestState State { get; set; }

    /// <summary>The citizen's account, when submitted signed-in; absent for calls and anonymous web intake.</summary>
    public string? CitizenUserId { get; set; }

    public string? CreatedByUserId { get; set; }

    /// <summary>The platform that must dispatch it now (city, district or street level).</summary>
    public int PlatformUnitId { get; set; }

    public int? LeadUnitId { get; set; }

    public DateTime SubmittedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? RepliedAt { get; set; }

    public DateTime? ClosedAt { get; set; }

    public Rating? Rating { get; set; }

    public int ReopenCount { get; set; }

    /// <summary>The matter of the responsibility list it was routed to, and the list's version then.</summary>
    public string? MatterCode { get; set; }

    public int? CatalogueVersion { get; set; }

    /// <summary>Where it happens, as resolved from the address or the coordinates; null when unknown.</summary>
    public string? DistrictCode { get; set; }

    public string? StreetCode { get; set; }

    /// <summary>How the matter was decided at intake, with which model and how sure it was.</summary>
    public Routing.RoutingOutcome? RoutingOutcome { get; set; }

    public int? RoutingModelVersion { get; set; }

    public double? RoutingConfidence { get; set; }

    /// <summary>The model's top suggestions as JSON: [{"code":…,"probability":…}].</summary>
    public string? RoutingSuggestions { get; set; }

    /// <summary>The request this one was merged into (并案), whose reply it gets.</summary>
    public long? MasterRequestId { get; set; }

    /// <summary>A dispatcher set or confirmed the matter: the request becomes training data.</summary>
    public bool MatterConfirmed { get; set; }

    /// <summary>Optimistic concurrency: two units acting at once cannot both win.</summary>
    public int Version { get; set; }

    public List<RequestAssignment> Assignments { get; set; } = [];

    public List<RequestEvent> Events { get; set; } = [];

    public List<RequestPhoto> Photos { get; set; } = [];
}

public sealed class RequestAssignment
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public int UnitId { get; set; }

    public bool IsLead { get; set; }

    /// <summary>False once the request was returned or re-dispatched away from this unit.</summary>
    public bool IsActive { get; set; }

    public DateTime AssignedAt { get; set; }

    public DateTime? AcceptedAt { get; set; }

    /// <summary>A co-handling unit's report of its part, for the lead.</summary>
    public string? PartReport { get; set; }

    public DateTime? PartReportedAt { get; set; }
}

/// <summary>One step on a request's timeline. Never updated or deleted (the database refuses it too).</summary>
public sealed class RequestEvent
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public DateTime At { get; set; }

    public RequestAction Action { get; set; }

    public RequestState? FromState { get; set; }

    public RequestState ToState { get; set; }

    public Role ActorRole { get; set; }

    public int? ActorUnitId { get; set; }

    /// <summary>Kept for audit; never shown to citizens.</summary>
    public string? ActorUserId { get; set; }

    public string? Note { get; set; }

    public bool IsPublic { get; set; }
}

public sealed class RequestPhoto
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public int Position { get; set; }

    public required string ContentType { get; set; }

    public required byte[] Content { get; set; }
}

/// <summary>Per local day, the last tracking-number sequence handed out.</summary>
public sealed class TrackingSequence
{
    public required string Day { get; set; }

    public long Last { get; set; }
}
