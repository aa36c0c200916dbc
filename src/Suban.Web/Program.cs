using Suban.Web;
using Suban.Web.Infrastructure;
using Suban.Web.Routing;

// The evaluation verbs read files named on their command line, and their own data from beside the app: they run in
// the directory they were typed in, not in the project's folder where `dotnet run` starts them.
if (Suban.Web.Duplicates.DuplicateCommand.IsCommand(args) || Suban.Web.Places.ResolveCommand.IsCommand(args) || RoutingCommands.IsCommand(args))
{
    Directory.SetCurrentDirectory(CommandLine.InvocationDirectory());
}

if (Suban.Web.Duplicates.DuplicateCommand.IsCommand(args))
{
    return Suban.Web.Duplicates.DuplicateCommand.Run(args, Console.Out);
}

if (Suban.Web.Places.ResolveCommand.IsCommand(args))
{
    return Suban.Web.Places.ResolveCommand.Run(args, Console.Out);
}

if (RoutingCommands.IsCommand(args))
{
    return RoutingCommands.Run(args, Console.Out);
}

// `import FILE [--dry-run]` takes its settings from the environment and appsettings, not from its arguments.
var builder = WebApplication.CreateBuilder(Suban.Web.Integration.ImportCommand.IsCommand(args) ? [] : args);
builder.AddSuban();

var app = builder.Build();
if (args.FirstOrDefault() is "schema")
{
    // Development aid: prints the schema EF expects, to write the next migration script against (docs/adr/0001).
    Console.WriteLine(app.SchemaScript());
    return 0;
}

await app.InitializeDatabaseAsync();
if (Suban.Web.Integration.ImportCommand.IsCommand(args))
{
    return await Suban.Web.Integration.ImportCommand.RunAsync(app, args, Console.Out);
}

app.UseSuban();
app.Run();
return 0;

public partial class Program;
