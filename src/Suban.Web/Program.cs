using Suban.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddSuban();

var app = builder.Build();
if (args.FirstOrDefault() is "schema")
{
    // Development aid: prints the schema EF expects, to write the next migration script against (docs/adr/0001).
    Console.WriteLine(app.SchemaScript());
    return;
}

await app.InitializeDatabaseAsync();
app.UseSuban();
app.Run();

public partial class Program;
