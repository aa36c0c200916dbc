using System.Text.Json;
using System.Text.Json.Serialization;
using Suban.Core.Catalogue;
using Suban.Core.Routing;
using Xunit.Abstractions;

namespace Suban.Core.Tests;

/// <summary>
/// The learning loop on the project's own responsibility list: requests about matters the model has never been
/// shown are routed to a category; as dispatchers' corrections about other matters accumulate, the category is
/// right more often on matters still unseen.
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Replay_CategoryAccuracyOnUnseenMattersRises_AsCorrectionsAccumulate()
    {
        var random = new Random(2026);
        var matters = DemoList.Matters().Where(m => m.Examples.Count > 0).OrderBy(_ => random.Next()).ToList();

        // A third of each category's matters are never corrected: their phrasings are the requests to come.
        var byCategory = matters.GroupBy(m => m.Category).ToList();
        var unseen = byCategory.SelectMany(g => g.Take(Math.Max(1, g.Count() / 3))).ToHashSet();
        var heldOut = unseen.SelectMany(m => m.Examples.Select(e => (e, m.Category))).ToList();

        // The model starts from the category names alone; corrections bring the other matters' phrasings.
        var start = byCategory.Select(g => (g.Key, g.Key)).ToList();
        var corrections = matters.Where(m => !unseen.Contains(m)).SelectMany(m => m.Examples.Append(m.Name).Select(e => (e, m.Category))).OrderBy(_ => random.Next()).ToList();

        var curve = Replay.Run(start, corrections, heldOut, steps: 4);
        foreach (var p in curve)
        {
            output.WriteLine($"{p.Corrections,6} corrections: accuracy {p.Accuracy:F3}, macro-F1 {p.MacroF1:F3}");
        }

        curve[^1].Accuracy.ShouldBeGreaterThan(curve[0].Accuracy + 0.2);
        for (var i = 1; i < curve.Count; i++)
        {
            curve[i].Accuracy.ShouldBeGreaterThan(curve[i - 1].Accuracy - 0.01, $"step {i}");
        }
    }
}
