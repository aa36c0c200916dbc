namespace Suban.Web.Intake;

public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>The letters before the date in a tracking number.</summary>
    public string TrackingPrefix { get; set; } = "SZ";

    /// <summary>The city's time zone: tracking numbers carry the local date of intake.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    public int MaxPhotos { get; set; } = 9;

    public int MaxPhotoBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The service area as a bounding box; requests placed outside it are refused.</summary>
    public double MinLatitude { get; set; } = 22.39;

    public double MaxLatitude { get; set; } = 22.88;

    public double MinLongitude { get; set; } = 113.74;

    public double MaxLongitude { get; set; } = 114.65;

    /// <summary>Submissions without a session, per client address and minute.</summary>
    public int AnonymousPermitsPerMinute { get; set; } = 20;

    /// <summary>Public status look-ups per client address and minute; they guess at phone digits otherwise.</summary>
    public int LookupPermitsPerMinute { get; set; } = 10;

    public TimeZoneInfo CityTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
