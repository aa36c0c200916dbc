using Microsoft.EntityFrameworkCore;
using Suban.Core.Catalogue;
using Suban.Core.Organisation;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Places;
using Suban.Web.Requests;

namespace Suban.Web.Catalogue;

public sealed record ResponsibilityView(string MatterCode, string MatterName, int CatalogueVersion, LocatedPlace? Place, UnitDecision Decision);

/// <summary>The organisation as the responsibility rules see it; units change rarely, so it is read once.</summary>
internal sealed class OrganisationMaps(IServiceScopeFactory scopes)
{
    // Read once per process: units change with a release of the organisation data, not at run time.
    private volatile OrganisationMap? map;

    public async Task<OrganisationMap> GetAsync(CancellationToken cancellationToken)
    {
        if (map is not null)
        {
            return map;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
        var units = await db.Units.AsNoTracking().ToListAsync(cancellationToken);
        var root = units.Single(u => u.ParentId is null);
        return map = new OrganisationMap(
            root.Code,
            units.ToDictionary(u => u.Code, u => u.Name),
            units.Where(u => u.Kind == UnitKind.StreetOffice).ToDictionary(u => u.Code, u => u.DistrictCode!));
    }
}

internal static class ResponsibilityEndpoints
{
    public static IEndpointRouteBuilder MapResponsibility(this IEndpointRouteBuilder routes)
    {
        // Staff: who must handle a request, and why, by the matter's rules.
        routes.MapGet("/api/v1/requests/{trackingNumber}/responsibility", ForRequestAsync)
            .WithTags("Catalogue")
            .WithSummary("Explain which units the request's matter and place lead to, under the list version it was routed with.")
            .RequireAuthorization(p => p.RequireRole(Roles.Staff));
        routes.MapGet("/api/v1/responsibility", PreviewAsync)
            .WithTags("Catalogue")
            .WithSummary("Explain which units a matter and a place would lead to, under the list in force.")
            .RequireAuthorization(p => p.RequireRole(Roles.Staff));
        return routes;
    }

    private static async Task<IResult> ForRequestAsync(string trackingNumber, SubanDb db, ActorAccessor actors, CatalogueStore catalogue, OrganisationMaps organisation, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var query = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        if (await query.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, cancellationToken) is not { } request)
        {
            return Problems.NotFound("trackingNumber", "No request with this tracking number is visible to you.");
        }

        if (request.MatterCode is null || request.CatalogueVersion is null || await catalogue.SnapshotAsync(request.CatalogueVersion.Value, cancellationToken) is not { } snapshot || snapshot[request.MatterCode] is not { } matter)
        {
            return Problems.Conflict("The request has no matter yet; a dispatcher sets one when dispatching.");
        }

        var place = new LocatedPlace(request.DistrictCode, request.StreetCode, Core.Places.PlaceConfidence.None, [], "as resolved at intake", "request");
        var decision = Responsibility.Decide(matter, request.DistrictCode, request.StreetCode, await organisation.GetAsync(cancellationToken));
        return TypedResults.Ok(new ResponsibilityView(matter.Code, matter.Name, request.CatalogueVersion.Value, place, decision));
    }

    private static async Task<IResult> PreviewAsync(string? matterCode, string? address, double? latitude, double? longitude, SubanDb db, CatalogueStore catalogue, PlaceLocator places, OrganisationMaps organisation, CancellationToken cancellationToken)
    {
        if (await catalogue.CurrentAsync(cancellationToken) is not ({ } version, { } snapshot) || string.IsNullOrWhiteSpace(matterCode) || snapshot.Current(matterCode) is not { } matter)
        {
            return Problems.Field("matterCode", "Name a matter in force.");
        }

        var place = await places.LocateAsync(db, address, latitude, longitude, cancellationToken);
        var decision = Responsibility.Decide(matter, place.DistrictCode, place.StreetCode, await organisation.GetAsync(cancellationToken));
        return TypedResults.Ok(new ResponsibilityView(matter.Code, matter.Name, version, place, decision));
    }
}
