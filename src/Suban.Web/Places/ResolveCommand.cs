using System.Globalization;
using Suban.Core.Places;
using Suban.Web.Infrastructure;

namespace Suban.Web.Places;

/// <summary>
/// <c>resolve-eval --data FILE</c>: resolves every address of a test set (CSV: address, district_code, street_code,
/// note) with the gazetteer in data/ beside the app, and prints accuracy overall, for the district alone and per
/// note category, then the misses. The last line, <c>address accuracy 0.xxxx</c>, is for scripts.
/// </summary>
internal static class ResolveCommand
{
    public static bool IsCommand(string[] args) => args.FirstOrDefault() == "resolve-eval";

    public static int Run(string[] args, TextWriter output)
    {
        try
        {
            var data = Option(args, "data") ?? throw new ArgumentException("resolve-eval needs --data FILE (CSV: address,district_code,street_code,note).");
            var examples = Csv.Read(data)
                .Select(r => new AddressExample(r["address"], NullIfEmpty(r["district_code"]), NullIfEmpty(r["street_code"]), r.GetValueOrDefault("note", "")))
                .ToList();
            var resolver = new AddressResolver(LoadGazetteer(Path.Combine(AppContext.BaseDirectory, "data")));
            AddressEvaluation.Evaluate(resolver, examples); // warm-up, so latency figures are of the steady state
            Print(AddressEvaluation.Evaluate(resolver, examples), data, output);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>The gazetteer from organisation/districts.csv, former-district-names.csv, streets.csv and gazetteer/places.csv.</summary>
    internal static Gazetteer LoadGazetteer(string dataDirectory)
    {
        var formerNames = Csv.Read(Path.Combine(dataDirectory, "organisation", "former-district-names.csv"))
            .ToLookup(r => r["district_code"], r => r["former_name"]);
        var districts = Csv.Read(Path.Combine(dataDirectory, "organisation", "districts.csv"))
            .Select(r => new District(r["code"], r["name"], r["short_name"], formerNames[r["code"]].ToList()));
        var streets = Csv.Read(Path.Combine(dataDirectory, "organisation", "streets.csv"))
            .Select(r => new Street(r["code"], r["name"], r["district_code"]));
        var places = Csv.Read(Path.Combine(dataDirectory, "gazetteer", "places.csv"))
            .Select(r => new Place(r["name"], r["kind"], r["street_code"]));
        return new Gazetteer(districts, streets, places);
    }

    private static void Print(AddressEvaluationReport report, string data, TextWriter output)
    {
        var invariant = CultureInfo.InvariantCulture;
        var right = report.Count - report.Misses.Count;
        output.WriteLine(string.Create(invariant, $"resolved {report.Count} addresses from {data}; latency p50 {report.P50Microseconds:F1} µs, p99 {report.P99Microseconds:F1} µs"));
        output.WriteLine(string.Create(invariant, $"accuracy {report.Accuracy:F4} ({right}/{report.Count}: district and street both right)"));
        output.WriteLine(string.Create(invariant, $"district accuracy {report.DistrictAccuracy:F4}"));
        output.WriteLine("category\taccuracy\tright\tcount");
        foreach (var category in report.Categories)
        {
            output.WriteLine(string.Create(invariant, $"{category.Category}\t{category.Accuracy:F4}\t{category.Correct}\t{category.Count}"));
        }

        output.WriteLine($"misses ({report.Misses.Count})");
        foreach (var (example, resolution) in report.Misses)
        {
            output.WriteLine($"{example.Address}\texpected {Codes(example.DistrictCode, example.StreetCode)}\tgot {Codes(resolution.DistrictCode, resolution.StreetCode)}\t{resolution.Confidence}: {resolution.Reason}");
        }

        output.WriteLine(string.Create(invariant, $"address accuracy {report.Accuracy:F4}"));
    }

    private static string Codes(string? district, string? street) => $"{district ?? "-"}/{street ?? "-"}";

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, $"--{name}");
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
