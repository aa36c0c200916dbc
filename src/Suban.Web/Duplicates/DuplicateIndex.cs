using Microsoft.EntityFrameworkCore;
using Suban.Core.Duplicates;
using Suban.Core.Lifecycle;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Duplicates;

/// <summary>A request's MinHash signature, kept to estimate its similarity to candidates.</summary>
public sealed class RequestSignature
{
    public long RequestId { get; set; }

    public required byte[] Signature { get; set; }
}

/// <summary>One band key of a request's signature: the index that finds candidates without a scan.</summary>
public sealed class RequestBandKey
{
    public long Id { get; set; }

    public long Key { get; set; }

    public long RequestId { get; set; }
}

public sealed record DuplicatePreviewInput(string? Title, string? Description, string? Address, double? Latitude, double? Longitude);

public sealed record DuplicateCandidate(string TrackingNumber, string Title, RequestState State, double Similarity, string? StreetCode, double? Metres, DateTimeOffset SubmittedAt);

/// <summary>Indexes every request taken in, and finds open requests that are very likely the same problem.</summary>
internal sealed class DuplicateIndex(SubanDb db)
{
    private static readonly MinHash Hasher = new();
    private static readonly DuplicateRules Rules = new();

    public void Add(ServiceRequest request)
    {
        if (Hasher.Signature($"{request.Title} {request.Description}") is not { } signature)
        {
            return;
        }

        db.Add(new RequestSignature { RequestId = request.Id, Signature = MinHash.ToBytes(signature) });
        foreach (var key in Hasher.BandKeys(signature).Distinct())
        {
            db.Add(new RequestBandKey { Key = key, RequestId = request.Id });
        }
    }

    public async Task<List<DuplicateCandidate>> CandidatesAsync(ServiceRequest request, Actor actor, CancellationToken cancellationToken)
    {
        var own = await db.Set<RequestSignature>().AsNoTracking().FirstOrDefaultAsync(s => s.RequestId == request.Id, cancellationToken);
        if (own is null)
        {
            return [];
        }

        return await CandidatesAsync(MinHash.FromBytes(own.Signature), request, actor, cancellationToken);
    }

    /// <summary>
    /// Open requests very likely the same as a text not yet taken in (the call-taker's console asks while the
    /// caller speaks): the same signature, index and rules as for a request.
    /// </summary>
    public async Task<List<DuplicateCandidate>> PreviewAsync(string text, string? districtCode, string? streetCode, double? latitude, double? longitude, DateTime now, Actor actor, CancellationToken cancellationToken)
    {
        if (Hasher.Signature(text) is not { } signature)
        {
            return [];
        }

        var draft = new ServiceRequest
        {
            TrackingNumber = "",
            Title = "",
            Description = text,
            ContactPhone = "",
            SubmittedAt = now,
            DistrictCode = districtCode,
            StreetCode = streetCode,
            Latitude = latitude,
            Longitude = longitude,
        };
        return await CandidatesAsync(signature, draft, actor, cancellationToken);
    }

    private async Task<List<DuplicateCandidate>> CandidatesAsync(ulong[] signature, ServiceRequest request, Actor actor, CancellationToken cancellationToken)
    {
        var keys = Hasher.BandKeys(signature).ToList();
        var from = request.SubmittedAt - Rules.Window;
        var to = request.SubmittedAt + Rules.Window;
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var candidates = await visible
            .Where(r => r.Id != request.Id
                && r.State != RequestState.Closed && r.State != RequestState.Cancelled
                && r.SubmittedAt >= from && r.SubmittedAt <= to
                && db.Set<RequestBandKey>().Any(k => k.RequestId == r.Id && keys.Contains(k.Key)))
            .Select(r => new
            {
                r.TrackingNumber, r.Title, r.State, r.StreetCode, r.DistrictCode, r.Latitude, r.Longitude, r.SubmittedAt,
                Signature = db.Set<RequestSignature>().Where(s => s.RequestId == r.Id).Select(s => s.Signature).First(),
            })
            .Take(200)
            .ToListAsync(cancellationToken);

        return candidates
            .Select(c =>
            {
                var metres = request.Latitude is { } lat && request.Longitude is { } lon && c.Latitude is { } clat && c.Longitude is { } clon
                    ? DuplicateRules.Metres(lat, lon, clat, clon)
                    : (double?)null;
                var samePlace = metres is { } m ? m <= Rules.MaxMetres
                    : request.StreetCode is not null ? c.StreetCode == request.StreetCode
                    : request.DistrictCode is null || c.DistrictCode == request.DistrictCode;
                var similarity = MinHash.Similarity(signature, MinHash.FromBytes(c.Signature));
                return samePlace && similarity >= Rules.MinSimilarity
                    ? new DuplicateCandidate(c.TrackingNumber, c.Title, c.State, Math.Round(similarity, 3), c.StreetCode, metres is null ? null : Math.Round(metres.Value), RequestViews.Utc(c.SubmittedAt))
                    : null;
            })
            .OfType<DuplicateCandidate>()
            .OrderByDescending(c => c.Similarity)
            .Take(10)
            .ToList();
    }
}

internal static class DuplicateEndpoints
{
    public static IEndpointRouteBuilder MapDuplicates(this IEndpointRouteBuilder routes)
    {
        // Staff: open requests very likely about the same problem, for the dispatcher to merge.
        routes.MapGet("/api/v1/requests/{trackingNumber}/duplicates", async Task<IResult> (string trackingNumber, SubanDb db, ActorAccessor actors, DuplicateIndex index, CancellationToken ct) =>
            {
                var actor = await actors.GetAsync(ct);
                var query = await db.Requests.AsNoTracking().VisibleTo(db, actor, ct);
                if (await query.FirstOrDefaultAsync(r => r.TrackingNumber == trackingNumber, ct) is not { } request)
                {
                    return Problems.NotFound("trackingNumber", "No request with this tracking number is visible to you.");
                }

                return TypedResults.Ok(await index.CandidatesAsync(request, actor, ct));
            })
            .WithTags("Duplicates")
            .WithSummary("Open requests with similar text, in the same street or within 500 m, submitted within 7 days.")
            .RequireAuthorization(p => p.RequireRole(Roles.Staff));

        // Call-takers and dispatchers: the same question for a text being typed, before it is a request.
        routes.MapPost("/api/v1/duplicates/preview", async Task<IResult> (DuplicatePreviewInput input, SubanDb db, ActorAccessor actors, DuplicateIndex index, Places.PlaceLocator places, TimeProvider clock, CancellationToken ct) =>
            {
                var text = $"{input.Title} {input.Description}".Trim();
                if (text.Length == 0)
                {
                    return Problems.Field("description", "Send the text typed so far.");
                }

                if (text.Length > 20_000)
                {
                    return Problems.Field("description", "At most 20,000 characters.");
                }

                var place = await places.LocateAsync(db, input.Address, input.Latitude, input.Longitude, ct);
                var actor = await actors.GetAsync(ct);
                return TypedResults.Ok(await index.PreviewAsync(text, place.DistrictCode, place.StreetCode, input.Latitude, input.Longitude, clock.GetUtcNow().UtcDateTime, actor, ct));
            })
            .WithTags("Duplicates")
            .WithSummary("Open requests very likely the same as a text not yet submitted (the call-taker's duplicate hints).")
            .RequireAuthorization(p => p.RequireRole(Roles.CallTaker, Roles.Dispatcher));
        return routes;
    }
}
