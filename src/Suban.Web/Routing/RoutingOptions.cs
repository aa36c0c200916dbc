namespace Suban.Web.Routing;

public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>Train a model in the background when none exists (the demo city's first start).</summary>
    public bool TrainWhenMissing { get; set; } = true;

    /// <summary>Retrain on this schedule when dispatchers made corrections since the last model.</summary>
    public TimeSpan RetrainEvery { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often an instance looks for a newer model another instance trained.</summary>
    public TimeSpan ReloadEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Precision that automatic dispatch must keep on validation data; the threshold is chosen for it.</summary>
    public double TargetPrecision { get; set; } = 0.95;

    /// <summary>A citizen's chosen matter is doubted when the text gives its category less than this.</summary>
    public double DisputeBelow { get; set; } = 0.05;
}
