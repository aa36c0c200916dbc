using System.Diagnostics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Suban.Core.Catalogue;
using Suban.Core.Routing;

// dotnet run -c Release --project bench/Suban.Benchmarks            all benchmarks
// dotnet run -c Release --project bench/Suban.Benchmarks -- --filter '*Predict*'
// dotnet run -c Release --project bench/Suban.Benchmarks -- deadlines [--rows 1000000] [--due 20000] [--postgres CONNSTRING]
// dotnet run -c Release --project bench/Suban.Benchmarks -- import [--rows 100000] [--postgres CONNSTRING]
// dotnet run -c Release --project bench/Suban.Benchmarks -- desk [--requests 3000] [--passes 30] [--postgres CONNSTRING]
if (args.FirstOrDefault() == "import")
{
    return await Suban.Benchmarks.ImportLoad.RunAsync(args[1..]);
}

if (args.FirstOrDefault() == "desk")
{
    return await Suban.Benchmarks.DeskLoad.RunAsync(args[1..]);
}

if (args.FirstOrDefault() == "deadlines")
{
    return await Suban.Benchmarks.DeadlineLoad.RunAsync(args[1..]);
}

var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
if (!Data.HasSharedMessages)
{
    Console.WriteLine("../shared/data/civic-messages is absent: the training benchmark on real messages is skipped.");
    args = [.. args, "--filter", "*RoutingBenchmarks*"];
}

BenchmarkSwitcher.FromAssembly(typeof(RoutingBenchmarks).Assembly).Run(args, config);
return 0;

/// <summary>Prediction against the full demo responsibility list, as intake does it for every request.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class RoutingBenchmarks
{
    // About 300 characters, the length of a typical request's title and description.
    private const string Request =
        "我们小区旁边的工地最近一个月几乎每天晚上都在施工，过了晚上十点还在打桩和浇筑混凝土，噪音特别大，家里老人和小孩都睡不着觉。" +
        "之前打过电话给物业，物业说管不了，也去工地门口找过负责人，对方说有夜间施工许可证但一直拿不出来。请问夜间施工到底有没有审批，" +
        "谁来管？希望相关部门尽快到现场核查，如果没有许可请责令停止夜间施工，有许可也请督促他们采取降噪措施，不要影响周边居民正常休息。" +
        "地址在福田区福田街道福华三路附近，工地围挡上写着某某建设集团。谢谢！";

    private MatterClassifier model = null!;
    private Func<string, string?> subCategoryOf = null!;

    [GlobalSetup]
    public void Setup()
    {
        var matters = Data.Catalogue();
        var subCategories = matters.ToDictionary(m => m.Code, m => $"{m.Category} › {m.SubCategory}");
        subCategoryOf = code => subCategories.GetValueOrDefault(code);
        model = MatterClassifier.Train(matters.SelectMany(m => m.Examples.Append(m.Name).Append(string.Join(" ", m.Keywords)).Select(t => (t, m.Category, m.Code))).ToList());
    }

    [Benchmark]
    public MatterPrediction PredictMatter() => model.Predict(Request, top: 3);

    /// <summary>As intake routes a request: the sub-categories too, which need every matter of a searched category.</summary>
    [Benchmark]
    public MatterPrediction PredictMatterAndSubCategories() => model.Predict(Request, top: 3, subCategoryOf: subCategoryOf);
}

/// <summary>Training on 10,000 real messages (titles and full messages), as the target asks.</summary>
public class TrainingBenchmarks
{
    private List<(string Text, string Label)> messages = null!;

    [GlobalSetup]
    public void Setup() => messages = Data.SharedMessages().Take(10_000).ToList();

    [Benchmark]
    [IterationCount(3)]
    [WarmupCount(1)]
    public TextClassifier Train10000Messages() => TextClassifier.Train(messages);
}

internal static class Data
{
    private static readonly string Root = FindRoot();

    /// <summary>The repository's root folder.</summary>
    public static string RootFolder => Root;

    /// <summary>The seed data copied next to the binary by the Web project, else the repository's own.</summary>
    public static string SeedFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data");
            if (Directory.Exists(Path.Combine(candidate, "organisation")))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "data");
    }

    public static bool HasSharedMessages => File.Exists(Path.Combine(Root, "..", "shared", "data", "civic-messages", "train-titles.jsonl"));

    public static List<Matter> Catalogue()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        return Directory.GetFiles(Path.Combine(Root, "data", "catalogue"), "*.jsonl")
            .SelectMany(File.ReadLines).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Matter>(l, options)!)
            .ToList();
    }

    public static IEnumerable<(string Text, string Label)> SharedMessages()
    {
        var folder = Path.Combine(Root, "..", "shared", "data", "civic-messages");
        foreach (var file in new[] { "train-titles.jsonl", "train-bodies.jsonl" })
        {
            foreach (var line in File.ReadLines(Path.Combine(folder, file)))
            {
                using var json = JsonDocument.Parse(line);
                var text = json.RootElement.TryGetProperty("title", out var t) ? t.GetString() : json.RootElement.GetProperty("body").GetString();
                yield return (text!, json.RootElement.GetProperty("label").GetString()!);
            }
        }

        // Top up to 10,000 with the same titles again if the shared files hold fewer.
        foreach (var line in File.ReadLines(Path.Combine(folder, "train-titles.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            yield return (json.RootElement.GetProperty("title").GetString()! + "。", json.RootElement.GetProperty("label").GetString()!);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Suban.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
