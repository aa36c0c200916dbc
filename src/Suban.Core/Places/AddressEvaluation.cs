using System.Diagnostics;

namespace Suban.Core.Places;

/// <summary>
/// One row of an address test set: the codes the address should resolve to, null for "not known" (a district-only
/// address has no street). The category is the note up to its first ';' ("full address", "landmark", …).
/// </summary>
public sealed record AddressExample(string Address, string? DistrictCode, string? StreetCode, string Note)
{
    public string Category => Note.Split(';')[0].Trim() is { Length: > 0 } category ? category : "(none)";
}

public sealed record AddressMiss(AddressExample Example, PlaceResolution Resolution);

public sealed record CategoryScore(string Category, int Count, int Correct)
{
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;
}

public sealed record AddressEvaluationReport(
    int Count,
    double Accuracy,
    double DistrictAccuracy,
    IReadOnlyList<CategoryScore> Categories,
    IReadOnlyList<AddressMiss> Misses,
    double P50Microseconds,
    double P99Microseconds);

/// <summary>
/// Scores a resolver on a test set. A row is right when both codes equal the expected ones, so a district-only
/// row is right only if the street is left empty, and an unresolvable one only if nothing is claimed.
/// </summary>
public static class AddressEvaluation
{
    public static AddressEvaluationReport Evaluate(AddressResolver resolver, IReadOnlyList<AddressExample> examples)
    {
        var resolutions = new PlaceResolution[examples.Count];
        var latencies = new double[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            resolutions[i] = resolver.Resolve(examples[i].Address);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var right = examples.Select((e, i) => IsRight(e, resolutions[i])).ToArray();
        var categories = examples
            .Select((e, i) => (e.Category, Right: right[i]))
            .GroupBy(r => r.Category)
            .Select(g => new CategoryScore(g.Key, g.Count(), g.Count(r => r.Right)))
            .OrderBy(c => c.Category, StringComparer.Ordinal)
            .ToList();
        var misses = examples.Select((e, i) => (e, i)).Where(p => !right[p.i]).Select(p => new AddressMiss(p.e, resolutions[p.i])).ToList();
        Array.Sort(latencies);
        var count = examples.Count;
        return new AddressEvaluationReport(
            count,
            count == 0 ? 0 : (double)right.Count(r => r) / count,
            count == 0 ? 0 : (double)examples.Where((e, i) => e.DistrictCode == resolutions[i].DistrictCode).Count() / count,
            categories,
            misses,
            count == 0 ? 0 : latencies[count / 2],
            count == 0 ? 0 : latencies[Math.Min(count - 1, (int)(count * 0.99))]);
    }

    public static bool IsRight(AddressExample example, PlaceResolution resolution) =>
        example.DistrictCode == resolution.DistrictCode && example.StreetCode == resolution.StreetCode;
}
