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

    public async Task<List<DuplicateCandidate>> CandidatesAsync(ServiceRequest request, Actor actor, CancellationToken cancellationToken) =>
        (await CandidatesAsync([request], actor, cancellationToken))[request.Id];

    /// <summary>Each request's likely duplicates, for a whole desk in a few queries rather than a few per card.</summary>
    public async Task<Dictionary<long, List<DuplicateCandidate>>> CandidatesAsync(IReadOnlyList<ServiceRequest> requests, Actor actor, CancellationToken cancellationToken)
    {
        var ids = requests.Select(r => r.Id).ToList();
        var signatures = await db.Set<RequestSignature>().AsNoTracking()
            .Where(s => ids.Contains(s.RequestId))
            .ToDictionaryAsync(s => s.RequestId, s => MinHash.FromBytes(s.Signature), cancellationToken);
        var probes = requests.DistinctBy(r => r.Id).Where(r => signatures.ContainsKey(r.Id)).Select(r => (Request: r, Signature: signatures[r.Id])).ToList();
        var found = await CandidatesAsync(probes, actor, cancellationToken);
        var byId = probes.Select((p, i) => (p.Request.Id, Found: found[i])).ToDictionary(p => p.Id, p => p.Found);
        return requests.DistinctBy(r => r.Id).ToDictionary(r => r.Id, r => byId.GetValueOrDefault(r.Id) ?? []);
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
        return (await CandidatesAsync([(draft, signature)], actor, cancellationToken))[0];
    }

    /// <summary>
    /// For each probe, the open requests visible to <paramref name="actor"/> that share a band key with it, were
    /// submitted within the window, are in the same place and similar enough. One query finds the candidates of
    /// every probe (by band key); the rules are then applied per probe.
    /// </summary>
    private async Task<List<List<DuplicateCandidate>>> CandidatesAsync(IReadOnlyList<(ServiceRequest Request, ulong[] Signature)> probes, Actor actor, CancellationToken cancellationToken)
    {
        if (probes.Count == 0)
        {
            return [];
        }

        var probeKeys = probes.Select(p => Hasher.BandKeys(p.Signature).ToHashSet()).ToList();
        var keys = probeKeys.SelectMany(k => k).Distinct().ToList();
        var from = probes.Min(p => p.Request.SubmittedAt) - Rules.Window;
        var to = probes.Max(p => p.Request.SubmittedAt) + Rules.Window;
        // The band-key index first (an index look-up per key), then the requests it names.
        var sharing = await db.Set<RequestBandKey>().AsNoTracking()
            .Where(k => keys.Contains(k.Key))
            .Select(k => new { k.RequestId, k.Key })
            .ToListAsync(cancellationToken);
        var keysOf = sharing.GroupBy(k => k.RequestId).ToDictionary(g => g.Key, g => g.Select(k => k.Key).ToList());
        var ids = keysOf.Keys.ToList();
        var visible = await db.Requests.AsNoTracking().VisibleTo(db, actor, cancellationToken);
        var candidates = await visible
            .Where(r => ids.Contains(r.Id)
                && r.State != RequestState.Closed && r.State != RequestState.Cancelled
                && r.SubmittedAt >= from && r.SubmittedAt <= to)
            .Select(r => new
            {
                r.Id, r.TrackingNumber, r.Title, r.State, r.StreetCode, r.DistrictCode, r.Latitude, r.Longitude, r.SubmittedAt,
                Signature = db.Set<RequestSignature>().Where(s => s.RequestId == r.Id).Select(s => s.Signature).First(),
            })
            .ToListAsync(cancellationToken);
        var decoded = candidates.Select(c => (Row: c, Signature: MinHash.FromBytes(c.Signature), Keys: keysOf[c.Id])).ToList();

        return probes.Select((probe, p) =>
        {
            var request = probe.Request;
            return decoded
                .Where(c => c.Row.Id != request.Id
                    && c.Row.SubmittedAt >= request.SubmittedAt - Rules.Window && c.Row.SubmittedAt <= request.SubmittedAt + Rules.Window
                    && c.Keys.Any(probeKeys[p].Contains))
                .Select(c =>
                {
                    var metres = request.Latitude is { } lat && request.Longitude is { } lon && c.Row.Latitude is { } clat && c.Row.Longitude is { } clon
                        ? DuplicateRules.Metres(lat, lon, clat, clon)
                        : (double?)null;
                    var samePlace = metres is { } m ? m <= Rules.MaxMetres
                        : request.StreetCode is not null ? c.Row.StreetCode == request.StreetCode
                        : request.DistrictCode is null || c.Row.DistrictCode == request.DistrictCode;
                    var similarity = MinHash.Similarity(probe.Signature, c.Signature);
                    return samePlace && similarity >= Rules.MinSimilarity
                        ? new DuplicateCandidate(c.Row.TrackingNumber, c.Row.Title, c.Row.State, Math.Round(similarity, 3), c.Row.StreetCode, metres is null ? null : Math.Round(metres.Value), RequestViews.Utc(c.Row.SubmittedAt))
                        : null;
                })
                .OfType<DuplicateCandidate>()
                .OrderByDescending(c => c.Similarity)
                .ThenBy(c => c.SubmittedAt) // the first report first: it is the natural master
                .ThenBy(c => c.TrackingNumber, StringComparer.Ordinal)
                .Take(10)
                .ToList();
        }).ToList();
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
