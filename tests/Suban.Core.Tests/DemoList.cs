using System.Text.Json;
using System.Text.Json.Serialization;
using Suban.Core.Catalogue;

namespace Suban.Core.Tests;

/// <summary>The project's own responsibility list (data/catalogue), found from the test binary upwards.</summary>
internal static class DemoList
{
    public static List<Matter> Matters()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "data", "catalogue")))
        {
            dir = dir.Parent;
        }

        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        return Directory.GetFiles(Path.Combine(dir!.FullName, "data", "catalogue"), "*.jsonl")
            .SelectMany(File.ReadLines).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Matter>(l, options)!)
            .ToList();
    }
}
