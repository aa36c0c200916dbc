using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Suban.Core.Duplicates;

namespace Suban.Web.Duplicates;

/// <summary>
/// <c>dup-eval --data FILE [--similarity 0.5]</c>: on messages (JSON Lines with title and/or body), the pairs whose
/// exact 3-gram Jaccard similarity reaches the threshold are the truth; the MinHash index must find them by band-key
/// look-ups plus the signature estimate. Prints precision, recall and look-up latency; last line
/// <c>duplicates precision 0.xxxx recall 0.xxxx</c>.
/// </summary>
internal static class DuplicateCommand
{
    public static bool IsCommand(string[] args) => args.FirstOrDefault() == "dup-eval";

    public static int Run(string[] args, TextWriter output)
    {
        var data = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault();
        if (data is null || !File.Exists(data))
        {
            Console.Error.WriteLine("error: dup-eval needs --data FILE (JSON Lines with title and/or body).");
            return 2;
        }

        var similarity = double.Parse(args.SkipWhile(a => a != "--similarity").Skip(1).FirstOrDefault() ?? "0.5", CultureInfo.InvariantCulture);
        var texts = File.ReadLines(data, Encoding.UTF8).Where(l => l.Length > 0).Select(l =>
        {
            using var json = JsonDocument.Parse(l);
            var title = json.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            var body = json.RootElement.TryGetProperty("body", out var b) ? b.GetString() : null;
            return $"{title} {body}";
        }).ToList();

        // Exact truth by sorted shingle sets.
        var shingles = texts.Select(Shingles).ToList();
        var truth = new HashSet<(int, int)>();
        for (var i = 0; i < texts.Count; i++)
        {
            for (var j = i + 1; j < texts.Count; j++)
            {
                if (shingles[i].Length > 0 && shingles[j].Length > 0 && Jaccard(shingles[i], shingles[j]) >= similarity)
                {
                    truth.Add((i, j));
                }
            }
        }

        var minHash = new MinHash();
        var index = new Dictionary<long, List<int>>();
        var signatures = new ulong[]?[texts.Count];
        var found = new HashSet<(int, int)>();
        var latencies = new List<double>();
        for (var i = 0; i < texts.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var signature = signatures[i] = minHash.Signature(texts[i]);
            if (signature is null)
            {
                continue;
            }

            var candidates = new HashSet<int>();
            var keys = minHash.BandKeys(signature);
            foreach (var key in keys)
            {
                if (index.TryGetValue(key, out var list))
                {
                    candidates.UnionWith(list);
                }
            }

            foreach (var j in candidates)
            {
                if (MinHash.Similarity(signature, signatures[j]!) >= similarity)
                {
                    found.Add((j, i));
                }
            }

            foreach (var key in keys)
            {
                (index.TryGetValue(key, out var list) ? list : index[key] = []).Add(i);
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        latencies.Sort();
        var right = found.Count(truth.Contains);
        var precision = found.Count == 0 ? 1 : (double)right / found.Count;
        var recall = truth.Count == 0 ? 1 : (double)right / truth.Count;
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"{texts.Count} messages, {truth.Count} pairs with 3-gram Jaccard ≥ {similarity:F2} (exact), {found.Count} found by the index"));
        output.WriteLine(string.Create(invariant, $"signature + look-up per message: p50 {latencies[latencies.Count / 2]:F1} µs, p99 {latencies[(int)(latencies.Count * 0.99)]:F1} µs"));
        output.WriteLine(string.Create(invariant, $"duplicates precision {precision:F4} recall {recall:F4}"));
        return 0;
    }

    private static ulong[] Shingles(string text)
    {
        var buffer = new char[Math.Min(text.Length, Core.Routing.TextFeatures.MaxChars) + 2];
        var length = Core.Routing.TextFeatures.Normalise(text, buffer);
        var set = new HashSet<ulong>();
        for (var i = 0; i + MinHash.Shingle <= length; i++)
        {
            var window = buffer.AsSpan(i, MinHash.Shingle);
            if (window.Contains(' '))
            {
                continue;
            }

            var h = 14695981039346656037UL;
            foreach (var c in window)
            {
                h = (h ^ c) * 1099511628211UL;
            }

            set.Add(h);
        }

        var sorted = set.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private static double Jaccard(ulong[] a, ulong[] b)
    {
        int i = 0, j = 0, both = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                both++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)both / (a.Length + b.Length - both);
    }
}
