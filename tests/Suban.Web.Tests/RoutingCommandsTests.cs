using System.Text;
using System.Text.Json;
using Suban.Web.Routing;

namespace Suban.Web.Tests;

/// <summary>
/// The command-line verbs a city uses to train and measure a model on its own tickets: <c>train</c>, <c>eval</c>,
/// <c>cv</c>, on JSON Lines written from the demo list's phrasings (label = category), and what they say to bad input.
/// </summary>
public sealed class RoutingCommandsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("suban-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Every matter's phrasings with its category; the last phrasing of each matter goes to the test file.</summary>
    private (string Train, string Test, int Labels) WriteData()
    {
        var train = new StringBuilder();
        var test = new StringBuilder();
        var labels = new HashSet<string>();
        foreach (var line in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "data", "catalogue"), "*.jsonl").SelectMany(File.ReadLines).Where(l => l.Length > 0))
        {
            using var matter = JsonDocument.Parse(line);
            var category = matter.RootElement.GetProperty("category").GetString()!;
            var examples = matter.RootElement.GetProperty("examples").EnumerateArray().Select(e => e.GetString()!).ToList();
            labels.Add(category);
            for (var i = 0; i < examples.Count; i++)
            {
                // Titles and bodies both: the verbs read either field, and join them when both are there.
                var record = i % 2 == 0 ? (object)new { title = examples[i], label = category } : new { title = "", body = examples[i], label = category };
                (i == examples.Count - 1 && examples.Count > 1 ? test : train).AppendLine(JsonSerializer.Serialize(record));
            }
        }

        var trainPath = Path.Combine(folder, "train.jsonl");
        var testPath = Path.Combine(folder, "test.jsonl");
        File.WriteAllText(trainPath, train.ToString());
        File.WriteAllText(testPath, test.ToString());
        return (trainPath, testPath, labels.Count);
    }

    private static (int Code, string[] Lines) Run(params string[] args)
    {
        var output = new StringWriter();
        var code = RoutingCommands.Run(args, output);
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static double MacroF1(string[] lines)
    {
        lines[^1].ShouldStartWith("macro-F1 ");
        return double.Parse(lines[^1]["macro-F1 ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void TrainThenEval_ReportsEveryFigure_AndEndsWithMacroF1()
    {
        var (train, test, labels) = WriteData();
        var model = Path.Combine(folder, "model.bin");

        var (trained, trainLines) = Run("train", "--data", train, "--out", model);
        trained.ShouldBe(0);
        trainLines.Single().ShouldContain($"{labels} labels");
        File.Exists(model).ShouldBeTrue();

        var (evaluated, lines) = Run("eval", "--model", model, "--data", test);
        evaluated.ShouldBe(0);
        lines.ShouldContain(l => l.StartsWith("accuracy ", StringComparison.Ordinal));
        lines.ShouldContain("label\tprecision\trecall\tf1\tsupport");
        lines.ShouldContain("confusion (rows: true, columns: predicted)");
        lines.ShouldContain(l => l.StartsWith("latency p50 ", StringComparison.Ordinal) && l.Contains("p99"));
        lines.ShouldContain(l => l.StartsWith("calibration error (ECE, 10 bins) 0.", StringComparison.Ordinal));

        // Phrasings the model never saw, in a citizen's words: far better than the 1-in-N of guessing.
        MacroF1(lines).ShouldBeGreaterThan(3.0 / labels);
    }

    [Fact]
    public void CrossValidate_ReportsTheAutomaticShare_AndMacroF1()
    {
        var (train, test, labels) = WriteData();

        var (code, lines) = Run("cv", "--data", train, "--extra", test, "--folds", "3");
        code.ShouldBe(0);
        lines[0].ShouldStartWith("3-fold cross-validation on ");
        var automatic = lines.Single(l => l.StartsWith("automatic dispatch at precision ≥ 0.95: share ", StringComparison.Ordinal));
        automatic.ShouldContain("chosen on the other folds");
        lines.ShouldContain(l => l.StartsWith("calibration error (ECE, 10 bins) 0.", StringComparison.Ordinal));
        MacroF1(lines).ShouldBeGreaterThan(3.0 / labels);
    }

    [Fact]
    public void BadInput_ClearError_ExitCode2()
    {
        var bad = Path.Combine(folder, "bad.jsonl");
        File.WriteAllText(bad, "{\"title\":\"路灯不亮\",\"label\":\"市政\"}\n{\"title\":\"没有标签\"}\n");
        var errors = new StringWriter();
        int Fails(params string[] args) => RoutingCommands.Run(args, new StringWriter(), errors);

        Fails("train", "--data", bad, "--out", Path.Combine(folder, "m.bin")).ShouldBe(2);
        errors.ToString().ShouldContain("bad.jsonl:2");

        var corrupt = Path.Combine(folder, "corrupt.bin");
        File.WriteAllBytes(corrupt, Encoding.ASCII.GetBytes("SUBANCLS not really a model"));
        Fails("eval", "--model", corrupt, "--data", bad).ShouldBe(2);
        errors.ToString().ShouldContain("model");

        Fails("train", "--data").ShouldBe(2);
        Fails("cv").ShouldBe(2);
        errors.ToString().ShouldContain("--data is required");
    }

    [Fact]
    public void RelativePaths_AreReadFromWhereTheCommandWasTyped()
    {
        // `dotnet run --project src/Suban.Web` starts in the project's folder; the shell's PWD says where it was typed.
        var typedIn = Directory.CreateDirectory(Path.Combine(folder, "repo")).FullName;
        var projectFolder = Directory.CreateDirectory(Path.Combine(typedIn, "src", "Suban.Web")).FullName;
        var invocation = Suban.Web.Infrastructure.CommandLine.InvocationDirectory(typedIn, projectFolder);
        invocation.ShouldBe(typedIn);
        Path.GetFullPath("../shared/data/x.jsonl", invocation).ShouldBe(Path.GetFullPath(Path.Combine(folder, "shared", "data", "x.jsonl")));

        // No PWD (a service, Windows), a relative one, or one that is gone: the process's own directory.
        Suban.Web.Infrastructure.CommandLine.InvocationDirectory(null, projectFolder).ShouldBe(projectFolder);
        Suban.Web.Infrastructure.CommandLine.InvocationDirectory("repo", projectFolder).ShouldBe(projectFolder);
        Suban.Web.Infrastructure.CommandLine.InvocationDirectory(Path.Combine(folder, "gone"), projectFolder).ShouldBe(projectFolder);
    }
}
