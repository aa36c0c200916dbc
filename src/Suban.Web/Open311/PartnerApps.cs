using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Open311;

/// <summary>An app registered to post requests through Open311. Only a hash of its key is kept.</summary>
public sealed class PartnerApp
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>SHA-256 of the api_key, hex: a stolen table yields no usable key.</summary>
    public required string ApiKeyHash { get; set; }

    public bool IsActive { get; set; }

    public DateTime CreatedAt { get; set; }
}

public sealed record PartnerInput(string? Name);

/// <summary>The key is in this answer and nowhere else: it cannot be read again, only replaced by a new app.</summary>
public sealed record PartnerRegistered(int Id, string Name, string ApiKey, DateTimeOffset CreatedAt);

internal static class PartnerApps
{
    private const int MaxName = 100;

    public static string Hash(string apiKey) => ApiKeys.Hash(apiKey);

    /// <summary>The active app holding <paramref name="apiKey"/>, if any.</summary>
    public static async Task<PartnerApp?> FindAsync(SubanDb db, string? apiKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            return null;
        }

        var hash = Hash(apiKey.Trim());
        return await db.PartnerApps.AsNoTracking().FirstOrDefaultAsync(p => p.ApiKeyHash == hash && p.IsActive, cancellationToken);
    }

    public static IEndpointRouteBuilder MapPartnerApps(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/partners", RegisterAsync)
            .WithTags("Open311")
            .WithSummary("Register a partner app for Open311; answers with its api_key, once.")
            .Produces<PartnerRegistered>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .RequireAuthorization(policy => policy.RequireRole(Roles.Administrator));
        return routes;
    }

    private static async Task<IResult> RegisterAsync(PartnerInput input, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return Problems.Field("name", $"Name the app (1 to {MaxName} characters).");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var apiKey = ApiKeys.New();
        var app = new PartnerApp { Name = name, ApiKeyHash = Hash(apiKey), IsActive = true, CreatedAt = now };
        db.PartnerApps.Add(app);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = now, UserId = actor.UserId, Action = "partner.register", Subject = $"partners/{app.Id}", Detail = name });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/partners/{app.Id}", new PartnerRegistered(app.Id, app.Name, apiKey, Requests.RequestViews.Utc(now)));
    }
}
