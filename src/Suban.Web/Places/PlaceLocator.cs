using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Places;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Places;

/// <summary>Boundaries a city imported (GeoJSON), per level: districts or streets.</summary>
public sealed class BoundaryImport
{
    public int Id { get; set; }

    public required string Level { get; set; }

    public required string GeoJson { get; set; }

    public DateTime ImportedAt { get; set; }
}

public sealed record LocatedPlace(string? DistrictCode, string? StreetCode, PlaceConfidence Confidence, IReadOnlyList<string> Candidates, string Reason, string Source);

/// <summary>
/// Where a request happens: from the address text through the gazetteer, and from coordinates through the imported
/// boundaries. Coordinates decide the district when the text does not; the text names the street unless street
/// boundaries were imported.
/// </summary>
internal sealed class PlaceLocator(SeedFiles files)
{
    private readonly Lazy<AddressResolver> resolver = new(() => new AddressResolver(ResolveCommand.LoadGazetteer(files.Path())));
    // Reference-typed, so a reader on another thread sees a whole pair or the previous one, never half of each.
    private volatile LoadedBoundaries? districts;
    private volatile LoadedBoundaries? streets;

    private sealed record LoadedBoundaries(int Id, BoundarySet Set);

    public AddressResolver Resolver => resolver.Value;

    public async Task<LocatedPlace> LocateAsync(SubanDb db, string? address, double? latitude, double? longitude, CancellationToken cancellationToken)
    {
        var text = Resolver.Resolve(address);
        if (latitude is not { } lat || longitude is not { } lon)
        {
            return View(text, "address");
        }

        var districtSet = await BoundariesAsync(db, "district", cancellationToken);
        var streetSet = await BoundariesAsync(db, "street", cancellationToken);
        var streetByPoint = streetSet?.Locate(lon, lat);
        var districtByPoint = districtSet?.Locate(lon, lat);
        if (streetByPoint is not null && Resolver.Gazetteer.Streets.TryGetValue(streetByPoint, out var street))
        {
            return new LocatedPlace(street.DistrictCode, street.Code, PlaceConfidence.Street, [], $"coordinates lie in {street.Name}", "coordinates");
        }

        if (districtByPoint is null)
        {
            return View(text, "address");
        }

        // The point settles the district; the text may still name a street in it.
        return text.StreetCode is { } s && text.DistrictCode == districtByPoint
            ? View(text, "address+coordinates")
            : new LocatedPlace(districtByPoint, null, PlaceConfidence.District, [], "coordinates lie in the district", "coordinates");
    }

    private static LocatedPlace View(PlaceResolution r, string source) => new(r.DistrictCode, r.StreetCode, r.Confidence, r.Candidates, r.Reason, source);

    private async Task<BoundarySet?> BoundariesAsync(SubanDb db, string level, CancellationToken cancellationToken)
    {
        var latest = await db.BoundaryImports.Where(b => b.Level == level).OrderByDescending(b => b.Id).Select(b => (int?)b.Id).FirstOrDefaultAsync(cancellationToken);
        if (latest is null)
        {
            return null;
        }

        var cached = level == "district" ? districts : streets;
        if (cached is not null && cached.Id == latest)
        {
            return cached.Set;
        }

        var json = await db.BoundaryImports.Where(b => b.Id == latest).Select(b => b.GeoJson).SingleAsync(cancellationToken);
        var set = Boundaries.Parse(json, "code");
        if (level == "district")
        {
            districts = new LoadedBoundaries(latest.Value, set);
        }
        else
        {
            streets = new LoadedBoundaries(latest.Value, set);
        }

        return set;
    }
}

internal static class PlaceEndpoints
{
    public static IEndpointRouteBuilder MapPlaces(this IEndpointRouteBuilder routes)
    {
        // Staff: what the platform makes of an address or a point.
        routes.MapGet("/api/v1/places/resolve", async (string? address, double? latitude, double? longitude, SubanDb db, PlaceLocator places, CancellationToken ct) =>
                TypedResults.Ok(await places.LocateAsync(db, address, latitude, longitude, ct)))
            .WithTags("Places")
            .WithSummary("Resolve an address and/or coordinates to a district and street, saying how sure it is.")
            .RequireAuthorization(p => p.RequireRole(Roles.Staff));

        // Administrators: a city's own boundaries, as a GeoJSON FeatureCollection whose features carry a "code" property.
        routes.MapPost("/api/v1/places/boundaries/{level}", ImportAsync)
            .WithTags("Places")
            .WithSummary("Import district or street boundaries (GeoJSON, a 'code' property per feature).")
            .RequireAuthorization(p => p.RequireRole(Roles.Administrator));

        // Anyone: the boundaries in force, for maps (the citizen picks a place on them; the dashboard colours them).
        routes.MapGet("/api/v1/places/boundaries/{level}", async (string level, SubanDb db, CancellationToken ct) =>
                level is not ("district" or "street")
                    ? Problems.Field("level", "district or street.")
                    : await db.BoundaryImports.AsNoTracking().Where(b => b.Level == level).OrderByDescending(b => b.Id).Select(b => b.GeoJson).FirstOrDefaultAsync(ct) is { } json
                        ? Results.Text(json, "application/geo+json; charset=utf-8")
                        : Problems.NotFound("level", $"No {level} boundaries have been imported."))
            .WithTags("Places")
            .WithSummary("The latest imported district or street boundaries, as GeoJSON.")
            .AllowAnonymous();
        return routes;
    }

    private static async Task<IResult> ImportAsync(string level, HttpRequest http, SubanDb db, PlaceLocator places, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (level is not ("district" or "street"))
        {
            return Problems.Field("level", "district or street.");
        }

        using var reader = new StreamReader(http.Body);
        var json = await reader.ReadToEndAsync(cancellationToken);
        BoundarySet set;
        try
        {
            set = Boundaries.Parse(json, "code");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Problems.Field("body", e.Message);
        }

        var known = level == "district" ? places.Resolver.Gazetteer.Districts.Keys : places.Resolver.Gazetteer.Streets.Keys;
        var unknown = set.Codes.Where(c => !known.Contains(c)).ToList();
        if (unknown.Count > 0)
        {
            return Problems.Field("body", $"Features name {level} codes the organisation does not have: {string.Join(", ", unknown.Take(10))}.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        db.BoundaryImports.Add(new BoundaryImport { Level = level, GeoJson = json, ImportedAt = now });
        db.AuditEntries.Add(new AuditEntry { At = now, UserId = actor.UserId, Action = "boundaries.import", Subject = $"boundaries/{level}", Detail = $"{set.Codes.Count} features" });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new { level, features = set.Codes.Count });
    }
}
