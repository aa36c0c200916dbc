using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Catalogue;

public sealed record MatterSummary(string Code, string Name, bool HasInstantAnswer);

public sealed record SubCategoryView(string Name, IReadOnlyList<MatterSummary> Matters);

public sealed record CategoryView(string Name, IReadOnlyList<SubCategoryView> SubCategories);

public sealed record CatalogueView(int Version, IReadOnlyList<CategoryView> Categories);

public sealed record SearchHit(string Code, string Category, string SubCategory, string Name);

public sealed record EditInput(
    string? Op,
    string? Code,
    Matter? Matter,
    string? Name,
    string? Category,
    string? SubCategory,
    string? Into);

public sealed record ChangeInput(DateTimeOffset? EffectiveAt, string? Note, IReadOnlyList<EditInput>? Operations);

public sealed record ImportReport(bool DryRun, int Rows, IReadOnlyList<FileRowError> Errors, IReadOnlyList<MatterChange> Changes, int? Version);

internal static class CatalogueEndpoints
{
    private static readonly string[] Editors = [Roles.CatalogueEditor, Roles.Administrator];

    public static IEndpointRouteBuilder MapCatalogue(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/catalogue").WithTags("Catalogue");

        // Anyone, signed in or not: citizens pick a matter when they submit.
        group.MapGet("/", BrowseAsync).AllowAnonymous().WithSummary("The list as a tree (category → sub-category → matter), or matters matching q.");
        group.MapGet("/matters/{code}", MatterAsync).AllowAnonymous().WithSummary("One matter with its units, limits and phrasings.");

        // Any signed-in user.
        group.MapGet("/versions", async (CatalogueStore store, CancellationToken ct) => TypedResults.Ok(await store.VersionsAsync(ct)))
            .RequireAuthorization().WithSummary("Every version with its effective time.");
        group.MapGet("/diff", DiffAsync).RequireAuthorization().WithSummary("What changed between two versions.");
        group.MapGet("/export", ExportAsync).RequireAuthorization().WithSummary("The whole list as CSV or Excel (format=csv|xlsx).");

        // The list's editors (编办) and administrators.
        group.MapPost("/changes", ChangeAsync).RequireAuthorization(p => p.RequireRole(Editors))
            .WithSummary("Add, update, rename, move, merge or retire matters: one new version, effective now or later.");
        group.MapPost("/import", ImportAsync).RequireAuthorization(p => p.RequireRole(Editors)).DisableAntiforgery()
            .WithSummary("Replace the whole list from CSV or Excel (matters left out are retired); dryRun=true reports only.");
        routes.MapGet("/api/v1/audit", AuditAsync).WithTags("Catalogue").RequireAuthorization(p => p.RequireRole(Editors))
            .WithSummary("The audit trail, newest first.");
        return routes;
    }

    private static async Task<IResult> BrowseAsync(string? q, int? version, CatalogueStore store, CancellationToken cancellationToken)
    {
        if (await SnapshotAsync(store, version, cancellationToken) is not ({ } number, { } snapshot))
        {
            return Problems.NotFound("version", "No such version of the list.");
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim();
            var hits = snapshot.Active
                .Where(m => m.Name.Contains(term, StringComparison.OrdinalIgnoreCase) || m.Keywords.Any(k => k.Contains(term, StringComparison.OrdinalIgnoreCase) || term.Contains(k, StringComparison.OrdinalIgnoreCase)) || m.SubCategory.Contains(term, StringComparison.OrdinalIgnoreCase))
                .Take(50)
                .Select(m => new SearchHit(m.Code, m.Category, m.SubCategory, m.Name))
                .ToList();
            return TypedResults.Ok(hits);
        }

        var categories = snapshot.Active
            .GroupBy(m => m.Category)
            .Select(c => new CategoryView(c.Key, c.GroupBy(m => m.SubCategory)
                .Select(s => new SubCategoryView(s.Key, s.Select(m => new MatterSummary(m.Code, m.Name, m.InstantAnswer is not null)).ToList()))
                .ToList()))
            .ToList();
        return TypedResults.Ok(new CatalogueView(number, categories));
    }

    private static async Task<IResult> MatterAsync(string code, int? version, CatalogueStore store, CancellationToken cancellationToken)
    {
        if (await SnapshotAsync(store, version, cancellationToken) is not (_, { } snapshot))
        {
            return Problems.NotFound("version", "No such version of the list.");
        }

        return snapshot[code] is { } matter ? TypedResults.Ok(matter) : Problems.NotFound("code", $"No matter has the code '{code}'.");
    }

    private static async Task<IResult> DiffAsync(int? from, int? to, CatalogueStore store, CancellationToken cancellationToken)
    {
        if (from is null || await store.SnapshotAsync(from.Value, cancellationToken) is not { } before)
        {
            return Problems.Field("from", "Name a version that exists.");
        }

        if (to is null || await store.SnapshotAsync(to.Value, cancellationToken) is not { } after)
        {
            return Problems.Field("to", "Name a version that exists.");
        }

        return TypedResults.Ok(CatalogueDiff.Between(before.Matters, after.Matters));
    }

    private static async Task<IResult> ExportAsync(string? format, int? version, CatalogueStore store, CancellationToken cancellationToken)
    {
        if (await SnapshotAsync(store, version, cancellationToken) is not ({ } number, { } snapshot))
        {
            return Problems.NotFound("version", "No such version of the list.");
        }

        return (format ?? "csv").ToLowerInvariant() switch
        {
            "csv" => TypedResults.File(CatalogueFile.ToCsv(snapshot.Matters), "text/csv; charset=utf-8", $"responsibility-list-v{number}.csv"),
            "xlsx" => TypedResults.File(CatalogueFile.ToXlsx(snapshot.Matters), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"responsibility-list-v{number}.xlsx"),
            _ => Problems.Field("format", "csv or xlsx."),
        };
    }

    private static async Task<IResult> ChangeAsync(ChangeInput input, CatalogueStore store, ActorAccessor actors, CancellationToken cancellationToken)
    {
        if (input.Operations is not { Count: > 0 } operations)
        {
            return Problems.Field("operations", "Send at least one operation.");
        }

        var edits = new List<CatalogueEdit>();
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var field = $"operations[{i}]";
            CatalogueEdit? edit = op.Op switch
            {
                "add" when op.Matter is not null => new CatalogueEdit.Add(op.Matter),
                "update" when op.Matter is not null => new CatalogueEdit.Update(op.Matter),
                "rename" when op.Code is not null => new CatalogueEdit.Rename(op.Code, op.Name ?? ""),
                "move" when op.Code is not null => new CatalogueEdit.Move(op.Code, op.Category ?? "", op.SubCategory ?? ""),
                "merge" when op.Code is not null => new CatalogueEdit.Merge(op.Code, op.Into ?? ""),
                "retire" when op.Code is not null => new CatalogueEdit.Retire(op.Code),
                _ => null,
            };
            if (edit is null)
            {
                return Problems.Field($"{field}.op", "op is add or update (with matter), or rename, move, merge or retire (with code).");
            }

            edits.Add(edit);
        }

        var latest = await store.LatestNumberAsync(cancellationToken);
        var current = await store.SnapshotAsync(latest ?? 0, cancellationToken) ?? new CatalogueSnapshot([]);
        var (next, errors) = current.Apply(edits);
        if (next is null)
        {
            return TypedResults.ValidationProblem(
                errors.GroupBy(e => $"operations[{e.Index}].{e.Field}").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                type: ProblemTypes.Validation);
        }

        var actor = await actors.GetAsync(cancellationToken);
        var number = await store.SaveAsync(next, input.EffectiveAt?.UtcDateTime, input.Note, "catalogue.change", actor.UserId, cancellationToken);
        return TypedResults.Ok(new { version = number, changes = CatalogueDiff.Between(current.Matters, next.Matters) });
    }

    private static async Task<IResult> ImportAsync(HttpRequest http, bool? dryRun, CatalogueStore store, ActorAccessor actors, CancellationToken cancellationToken)
    {
        if (!http.HasFormContentType)
        {
            return Problems.Field("file", "Send the list as multipart/form-data with a 'file' part (.csv or .xlsx).");
        }

        var form = await http.ReadFormAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { } file)
        {
            return Problems.Field("file", "Send the list in a part named 'file'.");
        }

        List<Matter> matters;
        List<FileRowError> errors;
        try
        {
            await using var stream = file.OpenReadStream();
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            buffer.Position = 0;
            (matters, errors) = file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase)
                ? CatalogueFile.FromXlsx(buffer)
                : CatalogueFile.FromCsv(buffer);
        }
        catch (Exception e) when (e is InvalidDataException or DocumentFormat.OpenXml.Packaging.OpenXmlPackageException or FileFormatException or IOException)
        {
            return Problems.Field("file", $"The file could not be read: {e.Message}");
        }

        var latest = await store.LatestNumberAsync(cancellationToken);
        var current = await store.SnapshotAsync(latest ?? 0, cancellationToken) ?? new CatalogueSnapshot([]);

        // Codes are never reused: a matter the file leaves out is retired, not deleted.
        var imported = matters.Select(m => m.Code).ToHashSet();
        var next = new CatalogueSnapshot(matters.Concat(current.Matters.Where(m => !imported.Contains(m.Code)).Select(m => m with { Retired = true })));
        var changes = CatalogueDiff.Between(current.Matters, next.Matters);
        int? version = null;
        if (dryRun != true && errors.Count == 0 && changes.Count > 0)
        {
            var actor = await actors.GetAsync(cancellationToken);
            version = await store.SaveAsync(next, null, $"导入 {file.FileName}", "catalogue.import", actor.UserId, cancellationToken);
        }

        var report = new ImportReport(dryRun == true, matters.Count + errors.Select(e => e.Row).Distinct().Count(), errors, changes, version);
        return errors.Count > 0 && dryRun != true
            ? TypedResults.UnprocessableEntity(report)
            : TypedResults.Ok(report);
    }

    private static async Task<IResult> AuditAsync(string? subject, int? take, SubanDb db, CancellationToken cancellationToken)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(subject))
        {
            query = query.Where(a => a.Subject.StartsWith(subject));
        }

        var entries = await query.OrderByDescending(a => a.Id).Take(Math.Clamp(take ?? 100, 1, 1000))
            .Select(a => new { at = new DateTimeOffset(a.At, TimeSpan.Zero), a.Action, a.Subject, a.Detail, a.UserId })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(entries);
    }

    private static async Task<(int, CatalogueSnapshot)?> SnapshotAsync(CatalogueStore store, int? version, CancellationToken cancellationToken)
    {
        if (version is { } number)
        {
            return await store.SnapshotAsync(number, cancellationToken) is { } snapshot ? (number, snapshot) : null;
        }

        return await store.CurrentAsync(cancellationToken);
    }
}
