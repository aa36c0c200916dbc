namespace Suban.Web.Infrastructure;

/// <summary>
/// Where a command was typed. <c>dotnet run --project src/Suban.Web</c> starts the app in the project's folder (the
/// Web SDK sets RunWorkingDirectory), so <c>--data ../shared/…</c> typed at the repository's root would be read from
/// src/Suban.Web. The shell that typed it keeps its own directory in PWD, which the app inherits: the command-line
/// verbs read relative paths from there.
/// </summary>
public static class CommandLine
{
    /// <summary>The shell's directory when it says so and it exists, else the process's own.</summary>
    public static string InvocationDirectory(string? shellDirectory, string currentDirectory) =>
        !string.IsNullOrEmpty(shellDirectory) && Path.IsPathFullyQualified(shellDirectory) && Directory.Exists(shellDirectory)
            ? shellDirectory
            : currentDirectory;

    public static string InvocationDirectory() => InvocationDirectory(Environment.GetEnvironmentVariable("PWD"), Environment.CurrentDirectory);

    /// <summary><paramref name="path"/> as the person who typed it meant it.</summary>
    public static string FullPath(string path) => Path.GetFullPath(path, InvocationDirectory());
}
