using System.Globalization;
using System.Text;
using System.Text.Json;
using Suban.Core.Routing;

namespace Suban.Web.Routing;

/// <summary>
/// Command-line verbs of the app: <c>train --data FILE [--data FILE …] --out MODEL</c>,
/// <c>eval --model MODEL --data FILE</c> and <c>cv --data FILE [--folds 5] [--precision 0.95]</c>. Data is JSON Lines with a
/// <c>label</c> and a <c>title</c> and/or <c>body</c>.
/// </summary>
internal static class RoutingCommands
{
    public static bool IsCommand(string[] args) => args.FirstOrDefault() is "train" or "eval" or "cv" or "label" or "route-eval" or "replay";

    public static int Run(string[] args, TextWriter output, TextWriter? errors = null)
    {
        try
        {
            var options = Parse(args.Skip(1).ToArray());
            return args[0] switch
            {
                "train" => Train(options, output),
                "eval" => Eval(options, output),
                "label" => Label(options, output),
                "route-eval" => RouteEval(options, output),
                "replay" => ReplayCommand(options, output),
                _ => CrossValidate(options, output),
            };
        }
        catch (Exception e) when (e is ArgumentException or IOException or JsonException or ModelFormatException or UnauthorizedAccessException)
        {
            (errors ?? Console.Error).WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static int Train(Dictionary<string, List<string>> options, TextWriter output)
    {
        var data = Require(options, "data").SelectMany(Read).ToList();
        var started = DateTime.UtcNow;
        var model = TextClassifier.Train(data, ModelOptions(options));
        var path = Require(options, "out").Single();
        File.WriteAllBytes(path, model.ToBytes());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained on {data.Count} examples, {model.Labels.Count} labels, {model.FeatureCount} features in {(DateTime.UtcNow - started).TotalSeconds:F1} s; temperature {model.Temperature:F3}; wrote {path}"));
        return 0;
    }

    private static int Eval(Dictionary<string, List<string>> options, TextWriter output)
    {
        var model = TextClassifier.Load(File.ReadAllBytes(Require(options, "model").Single()));
        var data = Require(options, "data").SelectMany(Read).ToList();
        Evaluation.Evaluate(model, data); // warm-up, so latency figures are of the steady state
        var report = Evaluation.Evaluate(model, data);
        Print(report, output, latency: true);
        return 0;
    }

    /// <summary>
    /// Labels unlabelled messages (title and/or body) with a model, keeping those it is sure of: pseudo-labels for
    /// training a titles-only model from full messages. Writes {"title": …, "label": …} lines.
    /// </summary>
    private static int Label(Dictionary<string, List<string>> options, TextWriter output)
    {
        var model = TextClassifier.Load(File.ReadAllBytes(Require(options, "model").Single()));
        var minimum = options.TryGetValue("min-probability", out var p) ? double.Parse(p.Single(), CultureInfo.InvariantCulture) : 0.9;
        var path = Require(options, "out").Single();
        var kept = 0;
        var seen = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var file in Require(options, "data"))
        {
            foreach (var raw in File.ReadLines(file, Encoding.UTF8).Where(l => l.Length > 0))
            {
                using var json = JsonDocument.Parse(raw);
                var title = json.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
                var body = json.RootElement.TryGetProperty("body", out var b) ? b.GetString() : null;
                seen++;
                if (string.IsNullOrWhiteSpace(title) || model.PredictBest($"{title} {body}") is not { } best || best.Probability < minimum)
                {
                    continue;
                }

                writer.WriteLine(JsonSerializer.Serialize(new { title, label = best.Label }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                kept++;
            }
        }

        output.WriteLine($"labelled {kept} of {seen} messages (probability ≥ {minimum.ToString(CultureInfo.InvariantCulture)}); wrote {path}");
        return 0;
    }

    /// <summary>
    /// The routing model on the demo list: one example phrasing per matter is held out, the rest (with names and
    /// keywords) trains the hierarchical classifier, and the held-out phrasings measure accuracy and the share that
    /// automatic dispatch would take at the target precision. Prints <c>automatic share 0.xxxx</c> last.
    /// </summary>
    private static int RouteEval(Dictionary<string, List<string>> options, TextWriter output)
    {
        var folder = options.TryGetValue("catalogue", out var c) ? c.Single() : Path.Combine(AppContext.BaseDirectory, "data", "catalogue");
        var target = options.TryGetValue("precision", out var p) ? double.Parse(p.Single(), CultureInfo.InvariantCulture) : 0.95;
        var matters = Directory.GetFiles(folder, "*.jsonl").SelectMany(File.ReadLines).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Suban.Core.Catalogue.Matter>(l, Catalogue.CatalogueJson.Options)!)
            .Where(m => !m.Retired)
            .ToList();
        var held = matters.Where(m => m.Examples.Count >= 2).Select(m => (Text: m.Examples[^1], m.Category, Matter: m.Code)).ToList();
        var subCategoryOf = matters.ToDictionary(m => m.Code, m => $"{m.Category} › {m.SubCategory}");
        var heldSet = held.Select(h => (h.Text, h.Matter)).ToHashSet();
        var training = matters.SelectMany(m => RoutingTrainer.Phrasings(m).Select(t => (Text: t, m.Category, Matter: m.Code))).Where(e => !heldSet.Contains((e.Text, e.Matter))).ToList();

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var model = MatterClassifier.Train(training, ModelOptions(options));
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var predictions = held.Select(h => (h, p: model.Predict(h.Text, top: 3, subCategoryOf: code => subCategoryOf.GetValueOrDefault(code)))).ToList();
        var top1 = predictions.Count(x => x.p.Best?.Code == x.h.Matter) / (double)held.Count;
        var top3 = predictions.Count(x => x.p.Top.Any(t => t.Code == x.h.Matter)) / (double)held.Count;
        var category = predictions.Count(x => x.p.Best?.Category == x.h.Category) / (double)held.Count;
        var subCategory = predictions.Count(x => x.p.SubCategories.FirstOrDefault()?.Label == subCategoryOf[x.h.Matter]) / (double)held.Count;
        var (threshold, precision, share) = Evaluation.ChooseThreshold(predictions.Select(x => (x.p.Best?.Probability ?? 0, x.p.Best?.Code == x.h.Matter)).ToList(), target);
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"{matters.Count} matters, trained on {training.Count} phrasings in {seconds:F1} s, {held.Count} held out"));
        output.WriteLine(string.Create(invariant, $"matter accuracy top-1 {top1:F4}, top-3 {top3:F4}; sub-category accuracy {subCategory:F4}; category accuracy {category:F4}"));
        output.WriteLine(string.Create(invariant, $"threshold {threshold:F4} keeps precision {precision:F4} (target {target:F2})"));
        var ranked = predictions.OrderByDescending(x => x.p.Best?.Probability ?? 0).ToList();
        foreach (var coverage in new[] { 0.05, 0.1, 0.2, 0.3, 0.5 })
        {
            var n = Math.Max(1, (int)(ranked.Count * coverage));
            var right = ranked.Take(n).Count(x => x.p.Best?.Code == x.h.Matter);
            output.WriteLine(string.Create(invariant, $"most confident {coverage:P0}: precision {right / (double)n:F4} (probability ≥ {ranked[n - 1].p.Best?.Probability ?? 0:F4})"));
        }

        var (categoryThreshold, categoryPrecision, categoryShare) = Evaluation.ChooseThreshold(predictions.Select(x => (x.p.Categories.FirstOrDefault()?.Probability ?? 0, x.p.Categories.FirstOrDefault()?.Label == x.h.Category)).ToList(), target);
        output.WriteLine(string.Create(invariant, $"category threshold {categoryThreshold:F4} keeps precision {categoryPrecision:F4}: {categoryShare:P1} go straight to the platform of their place"));
        var (subThreshold, subPrecision, subShare) = Evaluation.ChooseThreshold(predictions.Select(x => (x.p.SubCategories.FirstOrDefault()?.Probability ?? 0, x.p.SubCategories.FirstOrDefault()?.Label == subCategoryOf[x.h.Matter])).ToList(), target);
        output.WriteLine(string.Create(invariant, $"sub-category threshold {subThreshold:F4} keeps precision {subPrecision:F4} on {subShare:P1}"));
        output.WriteLine(string.Create(invariant, $"automatic share {share:F4}"));
        return 0;
    }

    private static int CrossValidate(Dictionary<string, List<string>> options, TextWriter output)
    {
        var data = Require(options, "data").SelectMany(Read).ToList();
        var folds = options.TryGetValue("folds", out var f) ? int.Parse(f.Single(), CultureInfo.InvariantCulture) : 5;
        var extra = options.TryGetValue("extra", out var extraFiles) ? extraFiles.SelectMany(Read).ToList() : null;
        var target = options.TryGetValue("precision", out var p) ? double.Parse(p.Single(), CultureInfo.InvariantCulture) : 0.95;
        var report = Evaluation.CrossValidate(data, folds, ModelOptions(options), alwaysTrain: extra, targetPrecision: target);
        output.WriteLine($"{folds}-fold cross-validation on {data.Count} examples");
        Print(report, output, latency: false);
        return 0;
    }

    private static TextClassifier.Options ModelOptions(Dictionary<string, List<string>> options)
    {
        var model = new TextClassifier.Options();
        if (options.TryGetValue("c", out var c))
        {
            model = model with { C = double.Parse(c.Single(), CultureInfo.InvariantCulture) };
        }

        if (options.TryGetValue("max-n", out var n))
        {
            model = model with { MaxN = int.Parse(n.Single(), CultureInfo.InvariantCulture) };
        }

        if (options.TryGetValue("keep", out var keep))
        {
            model = model with { KeepPerFeature = int.Parse(keep.Single(), CultureInfo.InvariantCulture) };
        }

        if (options.TryGetValue("min-df", out var df))
        {
            model = model with { MinDocumentFrequency = int.Parse(df.Single(), CultureInfo.InvariantCulture) };
        }

        if (options.TryGetValue("nb", out var nb))
        {
            model = model with { NaiveBayesScaling = nb.Single() == "true" };
        }

        if (options.TryGetValue("balance", out var balance))
        {
            model = model with { BalanceLabels = balance.Single() == "true" };
        }

        return model;
    }

    /// <summary>
    /// <c>replay --data FILE [--data FILE …] [--start 100] [--steps 5] [--held-out 0.2] [--extra FILE]</c>: the learning
    /// loop on labelled messages. A fixed share is held out as the requests to come; the model starts from
    /// <c>--start</c> messages (plus any <c>--extra</c> files), the rest arrive as dispatchers' corrections in
    /// <c>--steps</c> batches, and each retrained model is measured on the held-out part. Prints the curve and, last,
    /// <c>replay macro-F1 A -> B</c>.
    /// </summary>
    private static int ReplayCommand(Dictionary<string, List<string>> options, TextWriter output)
    {
        var invariant = CultureInfo.InvariantCulture;
        var data = Require(options, "data").SelectMany(Read).ToList();
        var extra = options.TryGetValue("extra", out var e) ? e.SelectMany(Read).ToList() : [];
        var startCount = options.TryGetValue("start", out var s) ? int.Parse(s.Single(), invariant) : 100;
        var steps = options.TryGetValue("steps", out var n) ? int.Parse(n.Single(), invariant) : 5;
        var share = options.TryGetValue("held-out", out var h) ? double.Parse(h.Single(), invariant) : 0.2;
        if (startCount < 1 || steps < 1 || share is <= 0 or >= 1)
        {
            throw new ArgumentException("--start ≥ 1, --steps ≥ 1, 0 < --held-out < 1.");
        }

        var random = new Random(311);
        var shuffled = data.OrderBy(_ => random.Next()).ToList();
        var heldCount = (int)(shuffled.Count * share);
        var heldOut = shuffled.Take(heldCount).ToList();
        var rest = shuffled.Skip(heldCount).ToList();
        if (rest.Count <= startCount)
        {
            throw new ArgumentException($"--start {startCount} leaves no corrections out of {rest.Count} messages.");
        }

        var curve = Core.Routing.Replay.Run([.. extra, .. rest.Take(startCount)], rest.Skip(startCount).ToList(), heldOut, steps, ModelOptions(options));
        output.WriteLine(string.Create(invariant, $"held out {heldOut.Count} messages; start {startCount} (+{extra.Count} extra); {rest.Count - startCount} corrections in {steps} steps"));
        output.WriteLine("corrections	accuracy	macro-F1");
        foreach (var p in curve)
        {
            output.WriteLine(string.Create(invariant, $"{p.Corrections}	{p.Accuracy:F4}	{p.MacroF1:F4}"));
        }

        output.WriteLine(string.Create(invariant, $"replay macro-F1 {curve[0].MacroF1:F4} -> {curve[^1].MacroF1:F4}"));
        return 0;
    }

    private static void Print(EvaluationReport report, TextWriter output, bool latency)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"accuracy {report.Accuracy:F4}"));
        output.WriteLine("label\tprecision\trecall\tf1\tsupport");
        foreach (var m in report.PerClass)
        {
            output.WriteLine(string.Create(invariant, $"{m.Label}\t{m.Precision:F4}\t{m.Recall:F4}\t{m.F1:F4}\t{m.Support}"));
        }

        output.WriteLine("confusion (rows: true, columns: predicted)");
        output.WriteLine("\t" + string.Join("\t", report.Labels.Select((_, i) => i.ToString(invariant))));
        for (var r = 0; r < report.Labels.Count; r++)
        {
            output.WriteLine($"{r} {report.Labels[r]}\t" + string.Join("\t", Enumerable.Range(0, report.Labels.Count).Select(c => report.Confusion[r, c].ToString(invariant))));
        }

        if (report.CalibrationError is { } calibration)
        {
            output.WriteLine(string.Create(invariant, $"calibration error (ECE, 10 bins) {calibration:F4}"));
        }

        if (report.Automatic is { } automatic)
        {
            output.WriteLine(string.Create(invariant, $"automatic dispatch at precision ≥ {automatic.Target:F2}: share {automatic.Share:F4}, precision {automatic.Precision:F4} (each fold's threshold chosen on the other folds)"));
        }

        if (latency)
        {
            output.WriteLine(string.Create(invariant, $"latency p50 {report.P50Microseconds:F1} µs, p99 {report.P99Microseconds:F1} µs"));
        }

        output.WriteLine(string.Create(invariant, $"macro-F1 {report.MacroF1:F4}"));
    }

    internal static IEnumerable<(string Text, string Label)> Read(string path)
    {
        var line = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            using var json = JsonDocument.Parse(raw);
            var root = json.RootElement;
            var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var body = root.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            if (!root.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String || (title is null && body is null))
            {
                throw new ArgumentException($"{path}:{line}: each line needs a string 'label' and a 'title' and/or 'body'.");
            }

            yield return (string.Join(" ", new[] { title, body }.Where(s => s is not null)), label.GetString()!);
        }
    }

    private static Dictionary<string, List<string>> Parse(string[] args)
    {
        var options = new Dictionary<string, List<string>>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Use --name value.");
            }

            var name = args[i][2..];
            if (!options.TryGetValue(name, out var values))
            {
                options[name] = values = [];
            }

            values.Add(args[++i]);
        }

        return options;
    }

    private static List<string> Require(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) ? values : throw new ArgumentException($"--{name} is required.");
}
