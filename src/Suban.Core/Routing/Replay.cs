namespace Suban.Core.Routing;

/// <summary>One point of a replay: how many corrections the model had been given, and how it did on what came next.</summary>
public sealed record ReplayPoint(int Corrections, double Accuracy, double MacroF1);

/// <summary>
/// Replays the platform's learning loop: a model trained on what it starts with routes requests it has not seen,
/// dispatchers correct them, the corrections join the training data, the model is retrained, and so on. Each point
/// measures the current model on the same held-out requests, so the curve shows what corrections are worth.
/// </summary>
public static class Replay
{
    public static IReadOnlyList<ReplayPoint> Run(
        IReadOnlyList<(string Text, string Label)> start,
        IReadOnlyList<(string Text, string Label)> corrections,
        IReadOnlyList<(string Text, string Label)> heldOut,
        int steps,
        TextClassifier.Options? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var points = new List<ReplayPoint>();
        for (var step = 0; step <= steps; step++)
        {
            var given = (int)Math.Round((double)corrections.Count * step / steps);
            var model = TextClassifier.Train([.. start, .. corrections.Take(given)], options);
            var report = Evaluation.Evaluate(model, heldOut);
            points.Add(new ReplayPoint(given, report.Accuracy, report.MacroF1));
        }

        return points;
    }
}
