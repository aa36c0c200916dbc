using System.Diagnostics;

namespace Suban.Core.Routing;

public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

public sealed record EvaluationReport(
    double Accuracy,
    double MacroF1,
    IReadOnlyList<ClassMetrics> PerClass,
    IReadOnlyList<string> Labels,
    int[,] Confusion,
    double P50Microseconds,
    double P99Microseconds)
{
    /// <summary>What automatic dispatch would take at the target precision; set by cross-validation.</summary>
    public AutomaticDispatch? Automatic { get; init; }

    /// <summary>
    /// Expected calibration error of the best label's probability (10 equal-width bins): how far "90% sure" is from
    /// being right 90% of the time, averaged over the predictions. Null when no probabilities were measured.
    /// </summary>
    public double? CalibrationError { get; init; }
}

/// <summary>
/// The share of requests dispatched automatically at a precision target, and the precision actually kept, when each
/// fold's threshold is chosen on the other folds (so the figure is of data the threshold never saw).
/// </summary>
public sealed record AutomaticDispatch(double Target, double Share, double Precision);

/// <summary>Accuracy, macro-F1, per-class figures and the confusion matrix; cross-validation by stratified folds.</summary>
public static class Evaluation
{
    public static EvaluationReport Evaluate(TextClassifier model, IReadOnlyList<(string Text, string Label)> data)
    {
        var predicted = new string?[data.Count];
        var probability = new double[data.Count];
        var latencies = new double[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var best = model.PredictBest(data[i].Text);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            predicted[i] = best?.Label;
            probability[i] = best?.Probability ?? 0;
        }

        Array.Sort(latencies);
        var report = Score(data.Select(d => d.Label).ToList(), predicted);
        return report with
        {
            CalibrationError = CalibrationError(probability, Enumerable.Range(0, data.Count).Select(i => predicted[i] == data[i].Label).ToList()),
            P50Microseconds = latencies.Length == 0 ? 0 : latencies[latencies.Length / 2],
            P99Microseconds = latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
        };
    }

    public static EvaluationReport Score(IReadOnlyList<string> truth, IReadOnlyList<string?> predicted)
    {
        var labels = truth.Concat(predicted.OfType<string>()).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var confusion = new int[labels.Count, labels.Count];
        var correct = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            if (predicted[i] is { } p)
            {
                confusion[index[truth[i]], index[p]]++;
            }

            correct += predicted[i] == truth[i] ? 1 : 0;
        }

        var perClass = new List<ClassMetrics>();
        foreach (var (label, c) in index)
        {
            var tp = confusion[c, c];
            var predictedCount = Enumerable.Range(0, labels.Count).Sum(r => confusion[r, c]);
            var support = truth.Count(t => t == label);
            var precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            if (support > 0)
            {
                perClass.Add(new ClassMetrics(label, precision, recall, f1, support));
            }
        }

        return new EvaluationReport(
            truth.Count == 0 ? 0 : (double)correct / truth.Count,
            perClass.Count == 0 ? 0 : perClass.Average(m => m.F1),
            perClass,
            labels,
            confusion,
            0,
            0);
    }

    /// <summary>Stratified k-fold: each fold holds out every k-th example of each label; returns the pooled report.</summary>
    public static EvaluationReport CrossValidate(IReadOnlyList<(string Text, string Label)> data, int folds, TextClassifier.Options? options = null, int seed = 7, IReadOnlyList<(string Text, string Label)>? alwaysTrain = null, double targetPrecision = 0.95)
    {
        var random = new Random(seed);
        var fold = new int[data.Count];
        foreach (var group in Enumerable.Range(0, data.Count).GroupBy(i => data[i].Label))
        {
            var members = group.OrderBy(_ => random.Next()).ToList();
            for (var k = 0; k < members.Count; k++)
            {
                fold[members[k]] = k % folds;
            }
        }

        var predicted = new string?[data.Count];
        var probability = new double[data.Count];
        for (var f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, data.Count).Where(i => fold[i] != f).Select(i => data[i]).Concat(alwaysTrain ?? []).ToList();
            var model = TextClassifier.Train(train, options);
            foreach (var i in Enumerable.Range(0, data.Count).Where(i => fold[i] == f))
            {
                var best = model.PredictBest(data[i].Text);
                predicted[i] = best?.Label;
                probability[i] = best?.Probability ?? 0;
            }
        }

        // Each fold's threshold is chosen on the other folds' predictions, then applied to the fold.
        int automatic = 0, automaticRight = 0;
        for (var f = 0; f < folds; f++)
        {
            var validation = Enumerable.Range(0, data.Count).Where(i => fold[i] != f).Select(i => (probability[i], predicted[i] == data[i].Label)).ToList();
            var (threshold, _, share) = ChooseThreshold(validation, targetPrecision);
            if (share == 0)
            {
                continue;
            }

            foreach (var i in Enumerable.Range(0, data.Count).Where(i => fold[i] == f && probability[i] >= threshold))
            {
                automatic++;
                automaticRight += predicted[i] == data[i].Label ? 1 : 0;
            }
        }

        return Score(data.Select(d => d.Label).ToList(), predicted) with
        {
            CalibrationError = CalibrationError(probability, Enumerable.Range(0, data.Count).Select(i => predicted[i] == data[i].Label).ToList()),
            Automatic = new AutomaticDispatch(targetPrecision, data.Count == 0 ? 0 : automatic / (double)data.Count, automatic == 0 ? 1 : automaticRight / (double)automatic),
        };
    }

    /// <summary>Expected calibration error over 10 equal-width probability bins; null for no predictions.</summary>
    public static double? CalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<bool> right)
    {
        if (probabilities.Count == 0)
        {
            return null;
        }

        var count = new int[10];
        var confidence = new double[10];
        var correct = new int[10];
        for (var i = 0; i < probabilities.Count; i++)
        {
            var bin = Math.Clamp((int)(probabilities[i] * 10), 0, 9);
            count[bin]++;
            confidence[bin] += probabilities[i];
            correct[bin] += right[i] ? 1 : 0;
        }

        double error = 0;
        for (var b = 0; b < 10; b++)
        {
            if (count[b] > 0)
            {
                error += Math.Abs(correct[b] - confidence[b]) / probabilities.Count;
            }
        }

        return error;
    }

    /// <summary>The lowest probability such that predictions at or above it are right at least <paramref name="target"/> of the time.</summary>
    public static (double Threshold, double Precision, double Share) ChooseThreshold(IReadOnlyList<(double Probability, bool Right)> validation, double target)
    {
        var sorted = validation.OrderByDescending(v => v.Probability).ToList();
        var best = (Threshold: 1.0, Precision: 1.0, Share: 0.0);
        var right = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            right += sorted[i].Right ? 1 : 0;
            var precision = right / (double)(i + 1);
            // Only a cut between different probabilities can be applied; require a handful of cases behind it.
            var isCut = i + 1 == sorted.Count || sorted[i + 1].Probability < sorted[i].Probability;
            if (isCut && i + 1 >= 5 && precision >= target)
            {
                best = (sorted[i].Probability, precision, (i + 1) / (double)sorted.Count);
            }
        }

        return best;
    }
}
