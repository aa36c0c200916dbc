using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Suban.Core.Routing;

public sealed record LabelScore(string Label, double Probability);

public sealed record Contribution(string Feature, double Weight);

public sealed record Classification(IReadOnlyList<LabelScore> Top, IReadOnlyList<Contribution> Explanation)
{
    public LabelScore Best => Top[0];
}

public sealed class ModelFormatException(string message) : Exception(message);

/// <summary>
/// A linear text classifier: TF-IDF over hashed character n-grams, one L2-loss linear SVM per label trained by dual
/// coordinate descent (the liblinear method), and a softmax over the margins whose temperature is fitted on held-out
/// data so that the probabilities mean what they say. Weights are stored feature-major and pruned to the labels a
/// feature speaks for, so a prediction costs a few multiply-adds per n-gram whatever the number of labels.
/// </summary>
public sealed class TextClassifier
{
    private const string Magic = "SUBANCLS";
    public const int FormatVersion = 1;

    private readonly TextFeatures features;
    private readonly Dictionary<ulong, int> vocabulary;
    private readonly float[] idf;
    private readonly int[] offsets;
    private readonly int[] labelIndex;
    private readonly float[] weights;
    private readonly float[] bias;

    private TextClassifier(TextFeatures features, string[] labels, Dictionary<ulong, int> vocabulary, float[] idf, int[] offsets, int[] labelIndex, float[] weights, float[] bias, double temperature, bool allowDense = true)
    {
        this.features = features;
        Labels = labels;
        this.vocabulary = vocabulary;
        this.idf = idf;
        this.offsets = offsets;
        this.labelIndex = labelIndex;
        this.weights = weights;
        this.bias = bias;
        Temperature = temperature;

        // A short label list (the categories, the shared data's 7 labels) is scored from dense rows with SIMD: a
        // few vector multiply-adds per n-gram instead of a scatter into the scores one label at a time. Pruned
        // weights are zeros there, and adding x·0 changes nothing, so both layouts give the same scores bit for bit.
        if (allowDense && labels.Length <= MaxLabelsForDense)
        {
            denseStride = (labels.Length + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
            dense = new float[idf.Length * denseStride];
            for (var f = 0; f < idf.Length; f++)
            {
                for (var j = offsets[f]; j < offsets[f + 1]; j++)
                {
                    dense[f * denseStride + labelIndex[j]] = weights[j];
                }
            }
        }
    }

    private const int MaxLabelsForDense = 32;

    private readonly float[]? dense;
    private readonly int denseStride;

    public IReadOnlyList<string> Labels { get; }

    public double Temperature { get; }

    public int FeatureCount => idf.Length;

    public sealed record Options
    {
        public int MinN { get; init; } = 1;

        public int MaxN { get; init; } = 4;

        public double C { get; init; } = 3;

        /// <summary>N-grams seen in fewer documents are dropped: they cannot generalise, and they bloat the model.</summary>
        public int MinDocumentFrequency { get; init; } = 1;

        public int Epochs { get; init; } = 30;

        public double Tolerance { get; init; } = 0.1;

        /// <summary>Weights smaller than this share of a label's largest weight are dropped.</summary>
        public double RelativeWeightFloor { get; init; }

        /// <summary>Per feature, the labels kept (largest weights); bounds prediction cost for long label lists.</summary>
        public int KeepPerFeature { get; init; } = 8;

        /// <summary>Share of the data held out to fit the softmax temperature, then trained on too.</summary>
        public double CalibrationShare { get; init; } = 0.1;

        public int Seed { get; init; } = 17;

        /// <summary>Scale features by their naive-Bayes log-count ratio per label (NBSVM, Wang and Manning 2012).</summary>
        public bool NaiveBayesScaling { get; init; } = true;

        /// <summary>Weight a label's own examples up by sqrt(negatives / positives), which helps small labels.</summary>
        public bool BalanceLabels { get; init; } = true;
    }

    public static TextClassifier Train(IReadOnlyList<(string Text, string Label)> examples, Options? options = null)
    {
        options ??= new Options();
        if (examples.Count == 0)
        {
            throw new ArgumentException("Nothing to train on.", nameof(examples));
        }

        var labels = examples.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (labels.Length < 2)
        {
            throw new ArgumentException("Training needs at least two labels.", nameof(examples));
        }

        var temperature = 1.0;
        if (options.CalibrationShare > 0 && examples.Count >= 50)
        {
            // Fit the temperature on data the model has not seen, then train on everything.
            var random = new Random(options.Seed);
            var shuffled = examples.OrderBy(_ => random.Next()).ToList();
            var held = (int)(shuffled.Count * options.CalibrationShare);
            var draft = Fit(shuffled.Skip(held).ToList(), labels, options, 1.0);
            temperature = draft.FitTemperature(shuffled.Take(held).ToList());
        }

        return Fit(examples, labels, options, temperature);
    }

    private static TextClassifier Fit(IReadOnlyList<(string Text, string Label)> examples, string[] labels, Options options, double temperature)
    {
        var features = new TextFeatures(options.MinN, options.MaxN);
        var labelOf = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);

        // Vocabulary and document frequencies.
        var vocabulary = new Dictionary<ulong, int>();
        var documentFrequency = new List<int>();
        var counts = new List<Dictionary<int, int>>(examples.Count);
        foreach (var (text, _) in examples)
        {
            var sink = new CountSink(new Dictionary<ulong, int>());
            features.Hashes(text ?? "", ref sink);
            var doc = new Dictionary<int, int>(sink.Counts.Count);
            foreach (var (hash, count) in sink.Counts)
            {
                if (!vocabulary.TryGetValue(hash, out var index))
                {
                    index = vocabulary.Count;
                    vocabulary[hash] = index;
                    documentFrequency.Add(0);
                }

                documentFrequency[index]++;
                doc[index] = count;
            }

            counts.Add(doc);
        }

        if (options.MinDocumentFrequency > 1)
        {
            var remap = new int[documentFrequency.Count];
            var kept = new List<int>();
            for (var f = 0; f < remap.Length; f++)
            {
                remap[f] = documentFrequency[f] >= options.MinDocumentFrequency ? kept.Count : -1;
                if (remap[f] >= 0)
                {
                    kept.Add(documentFrequency[f]);
                }
            }

            vocabulary = vocabulary.Where(p => remap[p.Value] >= 0).ToDictionary(p => p.Key, p => remap[p.Value]);
            documentFrequency = kept;
            counts = counts.Select(doc => doc.Where(p => remap[p.Key] >= 0).ToDictionary(p => remap[p.Key], p => p.Value)).ToList();
        }

        var n = examples.Count;
        var idf = documentFrequency.Select(df => (float)(Math.Log((1.0 + n) / (1.0 + df)) + 1.0)).ToArray();
        var rows = counts.Select(doc => Vectorise(doc, idf)).ToArray();
        var y = examples.Select(e => labelOf[e.Label]).ToArray();

        // One binary SVM per label; labels are independent, so they train in parallel, each into a reused
        // dense buffer of which only the touched features are read back.
        var perLabel = new (int[] Features, float[] Weights)[labels.Length];
        var biases = new float[labels.Length];
        var squaredNorms = rows.Select(r => r.Value.Sum(v => (double)v * v)).ToArray();
        var nb = options.NaiveBayesScaling && labels.Length <= MaxLabelsForNaiveBayes;
        using var buffers = new ThreadLocal<double[]>(() => new double[idf.Length]);
        Parallel.For(0, labels.Length, c =>
        {
            var (w, b) = TrainBinary(rows, squaredNorms, y, c, buffers.Value!, nb, options);
            perLabel[c] = w;
            biases[c] = b;
        });

        // Feature-major, pruned: for each feature the labels with the largest weights.
        var perFeature = new int[idf.Length];
        foreach (var (touched, _) in perLabel)
        {
            foreach (var f in touched)
            {
                perFeature[f]++;
            }
        }

        var starts = new int[idf.Length + 1];
        for (var f = 0; f < idf.Length; f++)
        {
            starts[f + 1] = starts[f] + perFeature[f];
        }

        var all = new (float Weight, int Label)[starts[idf.Length]];
        var fill = starts[..^1].ToArray();
        for (var c = 0; c < labels.Length; c++)
        {
            var (touched, values) = perLabel[c];
            for (var k = 0; k < touched.Length; k++)
            {
                all[fill[touched[k]]++] = (values[k], c);
            }
        }

        var offsets = new int[idf.Length + 1];
        var labelIndex = new List<int>();
        var weights = new List<float>();
        var keep = Math.Min(options.KeepPerFeature, labels.Length);
        for (var f = 0; f < idf.Length; f++)
        {
            offsets[f] = labelIndex.Count;
            var span = all.AsSpan(starts[f], perFeature[f]);
            var m = span.Length;
            if (m > keep)
            {
                span.Sort((a, b) => Math.Abs(b.Weight).CompareTo(Math.Abs(a.Weight)));
                span = span[..keep];
            }

            foreach (var (w, c) in span)
            {
                labelIndex.Add(c);
                weights.Add(w);
            }
        }

        offsets[idf.Length] = labelIndex.Count;
        return new TextClassifier(features, labels, vocabulary, idf, offsets, labelIndex.ToArray(), weights.ToArray(), biases, temperature);
    }

    private static (int[] Index, float[] Value) Vectorise(Dictionary<int, int> doc, float[] idf)
    {
        var index = doc.Keys.Order().ToArray();
        var value = new float[index.Length];
        double norm = 0;
        for (var i = 0; i < index.Length; i++)
        {
            var v = (1.0 + Math.Log(doc[index[i]])) * idf[index[i]];
            value[i] = (float)v;
            norm += v * v;
        }

        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < value.Length; i++)
            {
                value[i] *= scale;
            }
        }

        return (index, value);
    }

    /// <summary>L2-regularised L2-loss SVM, dual coordinate descent (Hsieh et al. 2008), with a bias feature.</summary>
    /// <summary>Above this many labels the per-label naive-Bayes ratios cost more than they bring.</summary>
    private const int MaxLabelsForNaiveBayes = 64;

    private static ((int[] Features, float[] Weights) W, float B) TrainBinary((int[] Index, float[] Value)[] rows, double[] squaredNorms, int[] y, int positive, double[] w, bool naiveBayes, Options options)
    {
        var dimension = w.Length;
        var ratio = naiveBayes ? LogCountRatio(rows, y, positive, dimension) : null;
        var positives = y.Count(v => v == positive);
        var upweight = options.BalanceLabels && positives > 0 ? Math.Sqrt((double)(rows.Length - positives) / positives) : 1.0;

        double b = 0;
        var alpha = new double[rows.Length];
        var diagonal = new double[rows.Length];
        var qd = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            diagonal[i] = 1 / (2 * options.C * (y[i] == positive ? upweight : 1.0));
            var sq = 1.0; // the bias feature
            if (ratio is null)
            {
                sq += squaredNorms[i];
            }
            else
            {
                var (index, value) = rows[i];
                for (var k = 0; k < index.Length; k++)
                {
                    var v = value[k] * ratio[index[k]];
                    sq += v * v;
                }
            }

            qd[i] = sq + diagonal[i];
        }

        // Dual coordinate descent with liblinear's shrinking: in one-vs-rest most examples are negatives that
        // settle at alpha = 0 within a pass or two, and are then left out until the final check.
        var order = Enumerable.Range(0, rows.Length).ToArray();
        var random = new Random(options.Seed + positive);
        var active = rows.Length;
        double oldMax = double.PositiveInfinity, oldMin = double.NegativeInfinity;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order.AsSpan(0, active));
            double newMax = double.NegativeInfinity, newMin = double.PositiveInfinity;
            for (var s = 0; s < active; s++)
            {
                var i = order[s];
                var yi = y[i] == positive ? 1.0 : -1.0;
                var (index, value) = rows[i];
                var dot = b;
                for (var k = 0; k < index.Length; k++)
                {
                    dot += w[index[k]] * value[k] * (ratio?[index[k]] ?? 1.0);
                }

                var g = yi * dot - 1 + diagonal[i] * alpha[i];
                double pg = 0;
                if (alpha[i] == 0)
                {
                    if (g > oldMax)
                    {
                        active--;
                        (order[s], order[active]) = (order[active], order[s]);
                        s--;
                        continue;
                    }

                    if (g < 0)
                    {
                        pg = g;
                    }
                }
                else
                {
                    pg = g;
                }

                newMax = Math.Max(newMax, pg);
                newMin = Math.Min(newMin, pg);
                if (Math.Abs(pg) < 1e-12)
                {
                    continue;
                }

                var old = alpha[i];
                alpha[i] = Math.Max(old - g / qd[i], 0);
                var delta = (alpha[i] - old) * yi;
                for (var k = 0; k < index.Length; k++)
                {
                    w[index[k]] += delta * value[k] * (ratio?[index[k]] ?? 1.0);
                }

                b += delta;
            }

            if (newMax - newMin <= options.Tolerance)
            {
                if (active == rows.Length)
                {
                    break;
                }

                // Converged on the active set: check everything once more before stopping.
                active = rows.Length;
                oldMax = double.PositiveInfinity;
                oldMin = double.NegativeInfinity;
                continue;
            }

            oldMax = newMax <= 0 ? double.PositiveInfinity : newMax;
            oldMin = newMin >= 0 ? double.NegativeInfinity : newMin;
        }

        // Read back the features some example with alpha > 0 touched, folding in the scaling (prediction needs no
        // ratio table).
        var touched = new HashSet<int>();
        for (var i = 0; i < rows.Length; i++)
        {
            if (alpha[i] != 0)
            {
                touched.UnionWith(rows[i].Index);
            }
        }

        var candidates = touched.Order().ToArray();
        var scaled = new double[candidates.Length];
        var largest = 0.0;
        for (var k = 0; k < candidates.Length; k++)
        {
            scaled[k] = w[candidates[k]] * (ratio?[candidates[k]] ?? 1.0);
            largest = Math.Max(largest, Math.Abs(scaled[k]));
        }

        // Examples whose alpha went back to zero leave rounding residue on features no survivor touches: clear
        // the whole buffer, or the next label would start from this one's leftovers.
        Array.Clear(w);

        // Weights far below the label's largest hardly move a score; dropping them keeps the model small.
        var floor = largest * options.RelativeWeightFloor;
        var kept = Enumerable.Range(0, candidates.Length).Where(k => Math.Abs(scaled[k]) > floor).ToArray();
        return ((kept.Select(k => candidates[k]).ToArray(), kept.Select(k => (float)scaled[k]).ToArray()), (float)b);
    }

    private static double[] LogCountRatio((int[] Index, float[] Value)[] rows, int[] y, int positive, int dimension)
    {
        var p = new double[dimension];
        var q = new double[dimension];
        Array.Fill(p, 1.0);
        Array.Fill(q, 1.0);
        for (var i = 0; i < rows.Length; i++)
        {
            var target = y[i] == positive ? p : q;
            foreach (var f in rows[i].Index)
            {
                target[f] += 1;
            }
        }

        var pSum = p.Sum();
        var qSum = q.Sum();
        var ratio = new double[dimension];
        for (var f = 0; f < dimension; f++)
        {
            // Kept positive and bounded: a scale, not a sign flip.
            ratio[f] = Math.Min(4, Math.Max(0.25, Math.Exp(Math.Abs(Math.Log(p[f] / pSum / (q[f] / qSum))) * 0.5)));
        }

        return ratio;
    }

    private double FitTemperature(IReadOnlyList<(string Text, string Label)> held)
    {
        var margins = held.Select(h => Margins(h.Text)).ToList();
        var truth = held.Select(h => Array.IndexOf((string[])Labels, h.Label)).ToList();
        double Loss(double t)
        {
            double loss = 0;
            for (var i = 0; i < margins.Count; i++)
            {
                if (truth[i] < 0)
                {
                    continue;
                }

                var m = margins[i];
                var max = m.Max();
                var sum = m.Sum(v => Math.Exp((v - max) / t));
                loss -= (m[truth[i]] - max) / t - Math.Log(sum);
            }

            return loss;
        }

        // Golden-section search on log t: the loss is unimodal in practice.
        double lo = Math.Log(0.01), hi = Math.Log(10);
        for (var step = 0; step < 60; step++)
        {
            var a = lo + (hi - lo) * 0.382;
            var b = lo + (hi - lo) * 0.618;
            if (Loss(Math.Exp(a)) < Loss(Math.Exp(b)))
            {
                hi = b;
            }
            else
            {
                lo = a;
            }
        }

        return Math.Exp((lo + hi) / 2);
    }

    private double[] Margins(string text)
    {
        var scores = new double[Labels.Count];
        Score(text, scores);
        return scores;
    }

    /// <summary>
    /// The known features of <paramref name="text"/> with their counts, in pooled arrays the caller returns with
    /// <see cref="FeatureCounts.Return"/>: resolved once, they can be scored by this model and, through
    /// <see cref="MatterClassifier"/>'s shared index, by the models within a category.
    /// </summary>
    internal FeatureCounts Resolve(ReadOnlySpan<char> text)
    {
        var sink = new FeatureCounts(vocabulary);
        features.Hashes(text, ref sink);
        return sink;
    }

    internal bool SharesFeaturesWith(TextClassifier other) => features.MinN == other.features.MinN && features.MaxN == other.features.MaxN;

    /// <summary>This model's index for the feature with <paramref name="hash"/>.</summary>
    internal bool TryGetFeature(ulong hash, out int feature) => vocabulary.TryGetValue(hash, out feature);

    /// <summary>Every feature's hash with this model's index for it.</summary>
    internal IEnumerable<KeyValuePair<ulong, int>> Vocabulary => vocabulary;

    /// <summary>Fills <paramref name="scores"/> with each label's margin; returns false when no known feature was found.</summary>
    public bool Score(ReadOnlySpan<char> text, Span<double> scores)
    {
        var counts = Resolve(text);
        try
        {
            return Score(counts.Features, counts.Counts, scores);
        }
        finally
        {
            counts.Return();
        }
    }

    /// <summary>1 + ln(count) for the counts a text usually has, read rather than computed.</summary>
    private static readonly double[] SublinearTable = Enumerable.Range(0, 64).Select(k => k == 0 ? 0 : 1.0 + Math.Log(k)).ToArray();

    /// <summary>Sublinear TF-IDF of feature <paramref name="f"/> seen <paramref name="count"/> times, as in training.</summary>
    private double TfIdf(float count, int f) => (count < SublinearTable.Length ? SublinearTable[(int)count] : 1.0 + Math.Log(count)) * idf[f];

    private bool Score(ReadOnlySpan<int> known, ReadOnlySpan<float> counts, Span<double> scores)
    {
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = bias[c];
        }

        if (known.IsEmpty)
        {
            return false;
        }

        // Sublinear TF-IDF, L2-normalised, as in training.
        double norm = 0;
        for (var k = 0; k < known.Length; k++)
        {
            var v = TfIdf(counts[k], known[k]);
            norm += v * v;
        }

        var scale = 1 / Math.Sqrt(norm);
        if (dense is not null)
        {
            ScoreDense(known, counts, scale, scores);
            return true;
        }

        for (var k = 0; k < known.Length; k++)
        {
            var f = known[k];
            var x = (float)TfIdf(counts[k], f) * scale;
            var start = offsets[f];
            var rowLabels = labelIndex.AsSpan(start, offsets[f + 1] - start);
            var rowWeights = weights.AsSpan(start, rowLabels.Length);
            for (var j = 0; j < rowLabels.Length; j++)
            {
                scores[rowLabels[j]] += rowWeights[j] * x;
            }
        }

        return true;
    }

    private void ScoreDense(ReadOnlySpan<int> known, ReadOnlySpan<float> counts, double scale, Span<double> scores)
    {
        // Double accumulators, as in the sparse loop: each weight is widened, multiplied and added exactly as there.
        Span<double> sums = stackalloc double[denseStride];
        scores[..Labels.Count].CopyTo(sums);
        var accumulators = MemoryMarshal.Cast<double, Vector<double>>(sums);
        for (var k = 0; k < known.Length; k++)
        {
            var f = known[k];
            var x = new Vector<double>((float)TfIdf(counts[k], f) * scale);
            var row = MemoryMarshal.Cast<float, Vector<float>>(dense.AsSpan(f * denseStride, denseStride));
            for (var v = 0; v < row.Length; v++)
            {
                Vector.Widen(row[v], out var low, out var high);
                accumulators[2 * v] += low * x;
                accumulators[2 * v + 1] += high * x;
            }
        }

        sums[..Labels.Count].CopyTo(scores);
    }

    /// <summary>The <paramref name="top"/> labels with calibrated probabilities; explained when asked.</summary>
    public Classification Predict(string text, int top = 3, bool explain = false)
    {
        var counts = Resolve(text);
        try
        {
            return Predict(text, counts.Features, counts.Counts, top, explain);
        }
        finally
        {
            counts.Return();
        }
    }

    /// <summary>As <see cref="Predict(string, int, bool)"/>, from this model's features of the text and their counts.</summary>
    internal Classification Predict(string text, ReadOnlySpan<int> known, ReadOnlySpan<float> counts, int top = 3, bool explain = false)
    {
        var buffer = ArrayPool<double>.Shared.Rent(Labels.Count);
        try
        {
            var scores = buffer.AsSpan(0, Labels.Count);
            if (!Score(known, counts, scores))
            {
                return new Classification([], []);
            }

            var max = double.NegativeInfinity;
            foreach (var s in scores)
            {
                max = Math.Max(max, s);
            }

            double sum = 0;
            for (var c = 0; c < scores.Length; c++)
            {
                scores[c] = Math.Exp((scores[c] - max) / Temperature);
                sum += scores[c];
            }

            var best = TopK(scores, Math.Min(top, Labels.Count));
            var result = new List<LabelScore>(best.Length);
            foreach (var c in best)
            {
                result.Add(new LabelScore(Labels[c], scores[c] / sum));
            }

            return new Classification(result, explain ? Explain(text, best[0]) : []);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Only the best label and its probability: the hot path, without allocations beyond the result.</summary>
    public LabelScore? PredictBest(ReadOnlySpan<char> text)
    {
        Span<double> scores = Labels.Count <= 2048 ? stackalloc double[Labels.Count] : new double[Labels.Count];
        if (!Score(text, scores))
        {
            return null;
        }

        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        double sum = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            sum += Math.Exp((scores[c] - scores[best]) / Temperature);
        }

        return new LabelScore(Labels[best], 1 / sum);
    }

    private static int[] TopK(Span<double> scores, int k)
    {
        var best = new int[k];
        var filled = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            if (filled < k)
            {
                best[filled++] = c;
            }
            else if (scores[c] > scores[best[k - 1]])
            {
                best[k - 1] = c;
            }
            else
            {
                continue;
            }

            for (var i = filled - 1; i > 0 && scores[best[i]] > scores[best[i - 1]]; i--)
            {
                (best[i], best[i - 1]) = (best[i - 1], best[i]);
            }
        }

        return best;
    }

    private List<Contribution> Explain(string text, int label)
    {
        var seen = new Dictionary<ulong, string>();
        foreach (var (hash, gram) in features.Describe(text))
        {
            seen.TryAdd(hash, gram);
        }

        var contributions = new List<Contribution>();
        foreach (var (hash, gram) in seen)
        {
            if (!vocabulary.TryGetValue(hash, out var f))
            {
                continue;
            }

            for (var j = offsets[f]; j < offsets[f + 1]; j++)
            {
                if (labelIndex[j] == label && gram.Length > 0)
                {
                    contributions.Add(new Contribution(gram, weights[j] * idf[f]));
                }
            }
        }

        return contributions.OrderByDescending(c => c.Weight).Take(8).ToList();
    }

    public void Save(Stream stream)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(features.MinN);
            writer.Write(features.MaxN);
            writer.Write(Temperature);
            writer.Write(Labels.Count);
            foreach (var label in Labels)
            {
                writer.Write(label);
            }

            writer.Write(bias.Length);
            foreach (var b in bias)
            {
                writer.Write(b);
            }

            writer.Write(idf.Length);
            var byIndex = new ulong[idf.Length];
            foreach (var (hash, index) in vocabulary)
            {
                byIndex[index] = hash;
            }

            for (var f = 0; f < idf.Length; f++)
            {
                writer.Write(byIndex[f]);
                writer.Write(idf[f]);
                writer.Write(offsets[f + 1] - offsets[f]);
                for (var j = offsets[f]; j < offsets[f + 1]; j++)
                {
                    writer.Write((ushort)labelIndex[j]);
                    writer.Write(weights[j]);
                }
            }
        }

        var bytes = body.ToArray();
        stream.Write(Encoding.ASCII.GetBytes(Magic));
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], bytes.Length);
        stream.Write(header);
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        Save(stream);
        return stream.ToArray();
    }

    /// <summary>Reads a model, refusing anything that is not exactly what <see cref="Save"/> wrote.</summary>
    public static TextClassifier Load(ReadOnlySpan<byte> data) => Load(data, allowDense: true);

    /// <summary>As <see cref="Load(ReadOnlySpan{byte})"/>; without dense rows, to check that both layouts score alike.</summary>
    internal static TextClassifier Load(ReadOnlySpan<byte> data, bool allowDense)
    {
        if (data.Length < Magic.Length + 8 + 32 || !data[..Magic.Length].SequenceEqual(Encoding.ASCII.GetBytes(Magic)))
        {
            throw new ModelFormatException("Not a Suban classifier model.");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(data[Magic.Length..]);
        if (version != FormatVersion)
        {
            throw new ModelFormatException($"The model is format version {version}; this build reads version {FormatVersion}. Retrain it.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data[(Magic.Length + 4)..]);
        var start = Magic.Length + 8;
        if (length < 0 || data.Length != start + length + 32)
        {
            throw new ModelFormatException("The model file is truncated or has trailing bytes.");
        }

        var body = data.Slice(start, length);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(data[(start + length)..]))
        {
            throw new ModelFormatException("The model file is corrupt (checksum mismatch).");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(body.ToArray()), Encoding.UTF8);
            var minN = reader.ReadInt32();
            var maxN = reader.ReadInt32();
            var temperature = reader.ReadDouble();
            var labels = new string[reader.ReadInt32()];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = reader.ReadString();
            }

            var bias = new float[reader.ReadInt32()];
            for (var i = 0; i < bias.Length; i++)
            {
                bias[i] = reader.ReadSingle();
            }

            var dimension = reader.ReadInt32();
            var vocabulary = new Dictionary<ulong, int>(dimension);
            var idf = new float[dimension];
            var offsets = new int[dimension + 1];
            var labelIndex = new List<int>();
            var weights = new List<float>();
            for (var f = 0; f < dimension; f++)
            {
                vocabulary[reader.ReadUInt64()] = f;
                idf[f] = reader.ReadSingle();
                offsets[f] = labelIndex.Count;
                var m = reader.ReadInt32();
                for (var j = 0; j < m; j++)
                {
                    var label = reader.ReadUInt16();
                    if (label >= labels.Length)
                    {
                        throw new ModelFormatException("The model names a label it does not have.");
                    }

                    labelIndex.Add(label);
                    weights.Add(reader.ReadSingle());
                }
            }

            offsets[dimension] = labelIndex.Count;
            return new TextClassifier(new TextFeatures(minN, maxN), labels, vocabulary, idf, offsets, labelIndex.ToArray(), weights.ToArray(), bias, temperature, allowDense);
        }
        catch (EndOfStreamException)
        {
            throw new ModelFormatException("The model file ends early.");
        }
    }

    private struct CountSink(Dictionary<ulong, int> counts) : IHashSink
    {
        public Dictionary<ulong, int> Counts { get; } = counts;

        public void Add(ulong hash) => Counts[hash] = Counts.GetValueOrDefault(hash) + 1;
    }

    /// <summary>Known features of one text with their counts, in pooled arrays (linear probing is fine at this size).</summary>
    internal struct FeatureCounts(Dictionary<ulong, int> vocabulary) : IHashSink
    {
        public int[] Index = ArrayPool<int>.Shared.Rent(512);
        public float[] Tf = ArrayPool<float>.Shared.Rent(512);
        public int Count;
        private int[] slots = ArrayPool<int>.Shared.Rent(1024);
        private int slotMask = 1023;
        private bool cleared;

        public void Add(ulong hash)
        {
            if (!vocabulary.TryGetValue(hash, out var feature))
            {
                return;
            }

            if (!cleared)
            {
                Array.Fill(slots, -1, 0, slotMask + 1);
                cleared = true;
            }

            if (Count * 2 >= slotMask)
            {
                Grow();
            }

            var slot = (feature * 16777619) & slotMask;
            while (slots[slot] >= 0)
            {
                var k = slots[slot];
                if (Index[k] == feature)
                {
                    Tf[k]++;
                    return;
                }

                slot = (slot + 1) & slotMask;
            }

            slots[slot] = Count;
            Index[Count] = feature;
            Tf[Count] = 1;
            Count++;
        }

        private void Grow()
        {
            var size = (slotMask + 1) * 2;
            var newIndex = ArrayPool<int>.Shared.Rent(size / 2);
            var newTf = ArrayPool<float>.Shared.Rent(size / 2);
            Array.Copy(Index, newIndex, Count);
            Array.Copy(Tf, newTf, Count);
            ArrayPool<int>.Shared.Return(Index);
            ArrayPool<float>.Shared.Return(Tf);
            Index = newIndex;
            Tf = newTf;
            ArrayPool<int>.Shared.Return(slots);
            slots = ArrayPool<int>.Shared.Rent(size);
            slotMask = size - 1;
            Array.Fill(slots, -1, 0, size);
            for (var k = 0; k < Count; k++)
            {
                var slot = (Index[k] * 16777619) & slotMask;
                while (slots[slot] >= 0)
                {
                    slot = (slot + 1) & slotMask;
                }

                slots[slot] = k;
            }
        }

        public readonly ReadOnlySpan<int> Features => Index.AsSpan(0, Count);

        public readonly ReadOnlySpan<float> Counts => Tf.AsSpan(0, Count);

        public void Return()
        {
            ArrayPool<int>.Shared.Return(Index);
            ArrayPool<float>.Shared.Return(Tf);
            ArrayPool<int>.Shared.Return(slots);
        }
    }
}
