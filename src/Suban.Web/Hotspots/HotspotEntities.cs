namespace Suban.Web.Hotspots;

/// <summary>
/// A data-driven event (大数据事件工单): a request the platform created about a hotspot, with the requests that made
/// it. While its request is open, the hotspot gets no second one.
/// </summary>
public sealed class DataDrivenEvent
{
    public long Id { get; set; }

    /// <summary>The event's own request, handled like any other.</summary>
    public long RequestId { get; set; }

    /// <summary>The street's code, or the district's where the street is unknown.</summary>
    public required string AreaCode { get; set; }

    public required string MatterCode { get; set; }

    public DateTime WindowFrom { get; set; }

    public DateTime WindowTo { get; set; }

    public int Count { get; set; }

    public int People { get; set; }

    /// <summary>What the baseline weeks expected in a window as long.</summary>
    public double Expected { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public List<DataDrivenEventMember> Members { get; set; } = [];
}

/// <summary>A citizen's request that was part of the hotspot when the event was created.</summary>
public sealed class DataDrivenEventMember
{
    public long EventId { get; set; }

    public long RequestId { get; set; }
}
