using Suban.Web;
using Suban.Web.Routing;

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

var builder = WebApplication.CreateBuilder(args);
builder.AddSuban();

var app = builder.Build();
if (args.FirstOrDefault() is "schema")
{
    // Development aid: prints the schema EF expects, to write the next migration script against (docs/adr/0001).
    Console.WriteLine(app.SchemaScript());
    return 0;
}

await app.InitializeDatabaseAsync();
app.UseSuban();
app.Run();
return 0;

public partial class Program;
