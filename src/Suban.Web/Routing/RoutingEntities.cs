namespace Suban.Web.Routing;

public enum RoutingOutcome
{
    /// <summary>Confident: dispatched by the platform itself.</summary>
    Automatic,

    /// <summary>Not confident enough, or the place is unknown: waits for a dispatcher with suggestions.</summary>
    Review,

    /// <summary>The matter is uncertain but the category is not: handed to the district platform of the place to dispatch.</summary>
    CategoryForwarded,

    /// <summary>The citizen chose the matter and the text agrees (or says nothing against it).</summary>
    CitizenChoice,

    /// <summary>The citizen chose a matter the text strongly disagrees with: a dispatcher looks.</summary>
    CitizenChoiceDisputed,

    /// <summary>No model, or nothing in the text to go on.</summary>
    Unrouted,
}

/// <summary>A trained classifier, versioned; the newest is the one in use.</summary>
public sealed class RoutingModel
{
    public int Id { get; set; }

    public int Version { get; set; }

    public DateTime CreatedAt { get; set; }

    public int CatalogueVersion { get; set; }

    public int ExampleCount { get; set; }

    public int CorrectionCount { get; set; }

    /// <summary>Probability at or above which the platform dispatches by itself, chosen on validation data.</summary>
    public double Threshold { get; set; }

    /// <summary>Probability of the category at or above which a request whose matter is uncertain still goes to the
    /// platform of its place (the district's) rather than waiting at the city's.</summary>
    public double CategoryThreshold { get; set; } = 1;

    /// <summary>Validation figures as JSON, for the record.</summary>
    public string? Metrics { get; set; }

    public required byte[] Content { get; set; }
}

/// <summary>A dispatcher's decision on a request the model had routed or suggested: what it said, what they chose.</summary>
public sealed class RoutingCorrection
{
    public long Id { get; set; }

    public long RequestId { get; set; }

    public DateTime At { get; set; }

    public string? PredictedCode { get; set; }

    public required string ChosenCode { get; set; }

    public string? UserId { get; set; }
}
