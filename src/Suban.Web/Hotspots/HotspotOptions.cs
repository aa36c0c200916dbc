using Suban.Core.Hotspots;

namespace Suban.Web.Hotspots;

/// <summary>When requests make a hotspot (热点) or an early warning (苗头性预警), and what counts as a recurrence (回潮).</summary>
public sealed class HotspotOptions
{
    public const string Section = "Hotspots";

    /// <summary>The days looked at: requests submitted in the last this many days.</summary>
    public int WindowDays { get; set; } = 7;

    /// <summary>The days before the window that say what is usual for a place and matter.</summary>
    public int BaselineDays { get; set; } = 28;

    /// <summary>Different people (by phone number) about one matter in one place that make an early warning.</summary>
    public int WarningPeople { get; set; } = 3;

    /// <summary>Different people that make a hotspot.</summary>
    public int HotspotPeople { get; set; } = 5;

    /// <summary>How many times the baseline's expectation the window must reach.</summary>
    public double MinRatio { get; set; } = 2.0;

    /// <summary>A request is a recurrence when the same matter was resolved in the same place at most this many days before.</summary>
    public int RecurrenceDays { get; set; } = 90;

    /// <summary>Where both requests have coordinates, the most they may lie apart to be the same place.</summary>
    public double RecurrenceMetres { get; set; } = 300;

    public HotspotRules Rules => new(TimeSpan.FromDays(WindowDays), TimeSpan.FromDays(BaselineDays), WarningPeople, HotspotPeople, MinRatio);

    public bool IsValid(out string? problem)
    {
        if (!Rules.IsValid(out problem))
        {
            return false;
        }

        problem = RecurrenceDays <= 0 ? "RecurrenceDays must be positive" : RecurrenceMetres <= 0 ? "RecurrenceMetres must be positive" : null;
        return problem is null;
    }
}
