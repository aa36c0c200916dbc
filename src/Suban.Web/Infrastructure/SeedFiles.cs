namespace Suban.Web.Infrastructure;

/// <summary>Where the project's own data files are: data/ beside the app, or <c>Seed:DataPath</c>.</summary>
internal sealed class SeedFiles(IConfiguration configuration)
{
    private readonly string root = configuration["Seed:DataPath"] is { Length: > 0 } configured
        ? configured
        : System.IO.Path.Combine(AppContext.BaseDirectory, "data");

    public string Path(params string[] parts) => System.IO.Path.Combine([root, .. parts]);
}
