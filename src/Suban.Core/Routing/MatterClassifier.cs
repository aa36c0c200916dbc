using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Suban.Core.Routing;

public sealed record MatterScore(string Code, string Category, double Probability, double CategoryProbability);

public sealed record MatterPrediction(IReadOnlyList<MatterScore> Top, IReadOnlyList<LabelScore> Categories, IReadOnlyList<Contribution> Explanation)
{
    public MatterScore? Best => Top.Count > 0 ? Top[0] : null;

    /// <summary>The likeliest sub-categories, when asked for: each the sum of its matters' probabilities.</summary>
    public IReadOnlyList<LabelScore> SubCategories { get; init; } = [];
}

/// <summary>
/// Knows the hierarchy of the responsibility list: a category model, and within each category a matter model.
/// A matter's probability is its category's times its own within the category, so a confident category with an
/// uncertain matter still says where the request belongs. Training per category also keeps one-vs-rest cheap: a
/// matter's model sees its category's examples, not the whole list's.
/// </summary>
public sealed class MatterClassifier
{
    private const string Magic = "SUBANHIE";
    public const int FormatVersion = 1;

    private readonly TextClassifier categories;
    private readonly Dictionary<string, TextClassifier> withinCategory;
    private readonly Dictionary<string, string> onlyMatter;

    // For each feature of the category model, which models within a category know it (a bit per model) and where
    // their own indexes for it start: a text's n-grams are looked up once, not once per model, and a model finds
    // its index for a feature with a mask and a bit count.
    private readonly Dictionary<string, int> sharedModel = new(StringComparer.Ordinal);
    private readonly Posting[] postings;
    private readonly int[] postingFeature;

    private readonly record struct Posting(ulong Models, int Start);

    /// <summary>Whether categories out of reach are left unscored (always, but when checking that it changes nothing).</summary>
    private readonly bool prune;

    private MatterClassifier(TextClassifier categories, Dictionary<string, TextClassifier> withinCategory, Dictionary<string, string> onlyMatter, bool fast = true)
    {
        this.categories = categories;
        this.withinCategory = withinCategory;
        this.onlyMatter = onlyMatter;
        prune = fast;

        // A model within a category is trained on a part of the category model's examples, so the category model
        // knows all its features; one that does not (other n-gram sizes), or past the 64th, looks its features up
        // itself.
        var shared = new List<(int[] Global, int[] Local)>();
        foreach (var (category, model) in withinCategory)
        {
            if (!fast || shared.Count == 64 || !model.SharesFeaturesWith(categories))
            {
                continue;
            }

            var global = new int[model.FeatureCount];
            var local = new int[model.FeatureCount];
            var n = 0;
            foreach (var (hash, feature) in model.Vocabulary)
            {
                if (!categories.TryGetFeature(hash, out var g))
                {
                    break;
                }

                global[n] = g;
                local[n++] = feature;
            }

            if (n == model.FeatureCount)
            {
                sharedModel[category] = shared.Count;
                shared.Add((global, local));
            }
        }

        var masks = new ulong[categories.FeatureCount];
        for (var m = 0; m < shared.Count; m++)
        {
            foreach (var g in shared[m].Global)
            {
                masks[g] |= 1UL << m;
            }
        }

        postings = new Posting[masks.Length];
        var total = 0;
        for (var g = 0; g < masks.Length; g++)
        {
            postings[g] = new Posting(masks[g], total);
            total += BitOperations.PopCount(masks[g]);
        }

        // Within a feature's run, the models' indexes in model order: model m's sits after those of the models
        // below it that know the feature.
        postingFeature = new int[total];
        for (var m = 0; m < shared.Count; m++)
        {
            var below = (1UL << m) - 1;
            var (global, local) = shared[m];
            for (var k = 0; k < global.Length; k++)
            {
                var posting = postings[global[k]];
                postingFeature[posting.Start + BitOperations.PopCount(posting.Models & below)] = local[k];
            }
        }
    }

    public int MatterCount => withinCategory.Values.Sum(m => m.Labels.Count) + onlyMatter.Count;

    public static MatterClassifier Train(IReadOnlyList<(string Text, string Category, string Matter)> examples, TextClassifier.Options? options = null)
    {
        options ??= new TextClassifier.Options();
        var categoryModel = TextClassifier.Train(examples.Select(e => (e.Text, e.Category)).ToList(), options);
        var within = new Dictionary<string, TextClassifier>();
        var only = new Dictionary<string, string>();
        var groups = examples.GroupBy(e => e.Category).ToList();
        var trained = new TextClassifier?[groups.Count];
        Parallel.For(0, groups.Count, g =>
        {
            var matters = groups[g].Select(e => e.Matter).Distinct().Count();
            trained[g] = matters < 2 ? null : TextClassifier.Train(groups[g].Select(e => (e.Text, e.Matter)).ToList(), options with { CalibrationShare = groups[g].Count() >= 50 ? options.CalibrationShare : 0 });
        });

        for (var g = 0; g < groups.Count; g++)
        {
            if (trained[g] is { } model)
            {
                within[groups[g].Key] = model;
            }
            else
            {
                only[groups[g].Key] = groups[g].First().Matter;
            }
        }

        return new MatterClassifier(categoryModel, within, only);
    }

    /// <summary>
    /// The <paramref name="top"/> matters over the <paramref name="categoriesToSearch"/> likeliest categories. Given
    /// <paramref name="subCategoryOf"/> (a matter's code to its sub-category), also the three likeliest sub-categories:
    /// the middle level of the list, surer than a matter when the matters of one sub-category read alike. A
    /// sub-category lies within one category: two categories' matters never map to the same sub-category.
    /// </summary>
    public MatterPrediction Predict(string text, int top = 3, int categoriesToSearch = 2, bool explain = false, Func<string, string?>? subCategoryOf = null)
    {
        // Every part of the model reads the same n-grams: look them up once.
        var counts = categories.Resolve(text);
        try
        {
            var categoryPrediction = categories.Predict(text, counts.Features, counts.Counts, top: categoriesToSearch, explain: explain);
            if (categoryPrediction.Top.Count == 0)
            {
                return new MatterPrediction([], [], []);
            }

            var scores = new List<MatterScore>();
            var subCategories = subCategoryOf is null ? null : new Dictionary<string, double>(StringComparer.Ordinal);
            void AddToSubCategory(string matter, double probability)
            {
                if (subCategories is not null && subCategoryOf!(matter) is { } subCategory)
                {
                    subCategories[subCategory] = subCategories.GetValueOrDefault(subCategory) + probability;
                }
            }

            foreach (var category in categoryPrediction.Top)
            {
                // A matter is no likelier than its category, nor is a sub-category (it lies within one category): once
                // a category is less likely than the last of the best found so far, neither it nor any after it can
                // change the answer, so its matters are not scored. Most requests need one category's model, not two.
                if (prune && OutOfReach(category.Probability, scores, top, subCategories))
                {
                    break;
                }

                if (onlyMatter.TryGetValue(category.Label, out var single))
                {
                    scores.Add(new MatterScore(single, category.Label, category.Probability, category.Probability));
                    AddToSubCategory(single, category.Probability);
                    continue;
                }

                if (!withinCategory.TryGetValue(category.Label, out var model))
                {
                    continue;
                }

                // Sub-categories need every matter's probability; the matters alone only the top few.
                var matters = PredictWithin(text, category.Label, model, counts, subCategories is null ? top : model.Labels.Count).Top;
                for (var i = 0; i < matters.Count; i++)
                {
                    var probability = category.Probability * matters[i].Probability;
                    if (i < top)
                    {
                        scores.Add(new MatterScore(matters[i].Label, category.Label, probability, category.Probability));
                    }

                    AddToSubCategory(matters[i].Label, probability);
                }
            }

            var best = scores.OrderByDescending(s => s.Probability).Take(top).ToList();
            var explanation = explain && best.Count > 0 && withinCategory.TryGetValue(best[0].Category, out var bestModel)
                ? bestModel.Predict(text, 1, explain: true).Explanation
                : categoryPrediction.Explanation;
            return new MatterPrediction(best, categoryPrediction.Top, explanation)
            {
                SubCategories = subCategories is null ? [] : subCategories.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(3).Select(p => new LabelScore(p.Key, p.Value)).ToList(),
            };
        }
        finally
        {
            counts.Return();
        }
    }

    private static bool OutOfReach(double probability, List<MatterScore> scores, int top, Dictionary<string, double>? subCategories)
    {
        var likelierMatters = 0;
        foreach (var score in scores)
        {
            if (score.Probability > probability)
            {
                likelierMatters++;
            }
        }

        if (likelierMatters < top)
        {
            return false;
        }

        return subCategories is null || subCategories.Values.Count(sum => sum > probability) >= 3;
    }

    /// <summary>A category's matters, from the category model's features of the text mapped to the matter model's own.</summary>
    private Classification PredictWithin(string text, string category, TextClassifier model, TextClassifier.FeatureCounts counts, int top)
    {
        if (!sharedModel.TryGetValue(category, out var m))
        {
            return model.Predict(text, top);
        }

        var known = counts.Features;
        var local = ArrayPool<int>.Shared.Rent(Math.Max(known.Length, 1));
        var localCounts = ArrayPool<float>.Shared.Rent(Math.Max(known.Length, 1));
        try
        {
            var n = 0;
            var bit = 1UL << m;
            var below = bit - 1;
            var all = counts.Counts;
            for (var k = 0; k < known.Length; k++)
            {
                var posting = postings[known[k]];
                if ((posting.Models & bit) != 0)
                {
                    local[n] = postingFeature[posting.Start + BitOperations.PopCount(posting.Models & below)];
                    localCounts[n++] = all[k];
                }
            }

            return model.Predict(text, local.AsSpan(0, n), localCounts.AsSpan(0, n), top);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(local);
            ArrayPool<float>.Shared.Return(localCounts);
        }
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes(Magic));
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(FormatVersion);
        void Model(TextClassifier model)
        {
            var bytes = model.ToBytes();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        Model(categories);
        writer.Write(withinCategory.Count);
        foreach (var (category, model) in withinCategory)
        {
            writer.Write(category);
            Model(model);
        }

        writer.Write(onlyMatter.Count);
        foreach (var (category, matter) in onlyMatter)
        {
            writer.Write(category);
            writer.Write(matter);
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>Reads a model; each part carries its own checksum, so corruption anywhere is refused.</summary>
    public static MatterClassifier Load(byte[] data) => Load(data, fast: true);

    /// <summary>
    /// As <see cref="Load(byte[])"/>; without the shared feature index, the dense rows and the pruning of categories
    /// out of reach, to check that the model predicts the same with and without them.
    /// </summary>
    internal static MatterClassifier Load(byte[] data, bool fast)
    {
        if (data.Length < Magic.Length + 4 || !data.AsSpan(0, Magic.Length).SequenceEqual(Encoding.ASCII.GetBytes(Magic)))
        {
            throw new ModelFormatException("Not a Suban routing model.");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(Magic.Length));
        if (version != FormatVersion)
        {
            throw new ModelFormatException($"The routing model is format version {version}; this build reads version {FormatVersion}. Retrain it.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(data, Magic.Length + 4, data.Length - Magic.Length - 4), Encoding.UTF8);
            TextClassifier Model()
            {
                var length = reader.ReadInt32();
                if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                {
                    throw new ModelFormatException("The routing model is truncated.");
                }

                return TextClassifier.Load(reader.ReadBytes(length), allowDense: fast);
            }

            var categoryModel = Model();
            var within = new Dictionary<string, TextClassifier>();
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                within[reader.ReadString()] = Model();
            }

            var only = new Dictionary<string, string>();
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                only[reader.ReadString()] = reader.ReadString();
            }

            return new MatterClassifier(categoryModel, within, only, fast);
        }
        catch (EndOfStreamException)
        {
            throw new ModelFormatException("The routing model is truncated.");
        }
    }
}
