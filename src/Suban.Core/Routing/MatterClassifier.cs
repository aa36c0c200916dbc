using System.Buffers.Binary;
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

    private MatterClassifier(TextClassifier categories, Dictionary<string, TextClassifier> withinCategory, Dictionary<string, string> onlyMatter)
    {
        this.categories = categories;
        this.withinCategory = withinCategory;
        this.onlyMatter = onlyMatter;
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
    /// the middle level of the list, surer than a matter when the matters of one sub-category read alike.
    /// </summary>
    public MatterPrediction Predict(string text, int top = 3, int categoriesToSearch = 2, bool explain = false, Func<string, string?>? subCategoryOf = null)
    {
        // Every part of the model reads the same n-grams: hash the text once.
        var hashes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(categories.HashesOf(text));
        var categoryPrediction = categories.Predict(text, hashes, top: categoriesToSearch, explain: explain);
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
            var shared = model.SharesFeaturesWith(categories) ? hashes : default;
            var matters = model.Predict(text, shared, subCategories is null ? top : model.Labels.Count).Top;
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
    public static MatterClassifier Load(byte[] data)
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

                return TextClassifier.Load(reader.ReadBytes(length));
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

            return new MatterClassifier(categoryModel, within, only);
        }
        catch (EndOfStreamException)
        {
            throw new ModelFormatException("The routing model is truncated.");
        }
    }
}
