namespace Suban.Web.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed demo accounts and requests into an empty database. Refused in Production.</summary>
    public bool Seed { get; set; }

    /// <summary>The password of every demo account; printed at start in Development.</summary>
    public string Password { get; set; } = "";

    public int Requests { get; set; } = 3000;

    public int Days { get; set; } = 90;

    /// <summary>Fixed, so that every fresh demo city looks the same.</summary>
    public int RandomSeed { get; set; } = 20261122;
}
