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

        var signature = MinHash.FromBytes(own.Signature);
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
        return routes;
    }
}
