using System.Collections.Concurrent;
using System.Diagnostics;

namespace Suban.Web.Tests.Support;

/// <summary>Front-end packages the tests use (the npm open311 client, axe-core), fetched with npm ci on first use.</summary>
public static class Npm
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Prepared = new();

    /// <summary>The folder tests/Suban.Web.Tests/<paramref name="name"/>, its packages installed from its lock file.</summary>
    public static Task<string> FolderAsync(string name, string marker) =>
        Prepared.GetOrAdd(name, _ => new Lazy<Task<string>>(() => PrepareAsync(name, marker))).Value;

    private static async Task<string> PrepareAsync(string name, string marker)
    {
        var dir = Find(name);
        if (!File.Exists(Path.Combine(dir, "node_modules", marker)))
        {
            var (code, output, error) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], dir, TimeSpan.FromMinutes(5));
            code.ShouldBe(0, $"npm ci in {dir} failed: {output}\n{error}");
        }

        return dir;
    }

    private static string Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Suban.Web.Tests", name);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/Suban.Web.Tests/{name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The repository's root folder (where docs/ lives).</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Suban.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Suban.slnx not found above " + AppContext.BaseDirectory);
    }

    public static async Task<(int Code, string Output, string Error)> RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in {timeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
