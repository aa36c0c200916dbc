using Microsoft.EntityFrameworkCore;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Organisation;

public sealed record UnitView(string Code, string Name, UnitKind Kind, string? ParentCode, string? DistrictCode);

internal static class UnitEndpoints
{
    public static IEndpointRouteBuilder MapUnits(this IEndpointRouteBuilder routes)
    {
        // Any signed-in user: the organisation is public knowledge, and dispatchers pick from it.
        routes.MapGet("/api/v1/units", async (string? kind, string? parentCode, SubanDb db, CancellationToken cancellationToken) =>
            {
                if (!QueryValues.TryEnum<UnitKind>(kind, "kind", out var wantedKind, out var problem))
                {
                    return problem!;
                }

                var query = db.Units.AsNoTracking();
                if (wantedKind is { } k)
                {
                    query = query.Where(u => u.Kind == k);
                }

                if (!string.IsNullOrWhiteSpace(parentCode))
                {
                    query = query.Where(u => db.Units.Any(p => p.Id == u.ParentId && p.Code == parentCode));
                }

                var units = await query.OrderBy(u => u.Path)
                    .Select(u => new UnitView(u.Code, u.Name, u.Kind, db.Units.Where(p => p.Id == u.ParentId).Select(p => p.Code).FirstOrDefault(), u.DistrictCode))
                    .ToListAsync(cancellationToken);
                return (IResult)TypedResults.Ok(units);
            })
            .WithTags("Organisation")
            .WithSummary("The unit tree, optionally by kind or parent.")
            .RequireAuthorization();
        return routes;
    }
}
