using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Integration;

/// <summary>
/// A unit's own case system, acting on the unit's requests through the API with its own key. It signs in as a
/// service account of the unit with the handler role, so it is held to exactly the rules of the unit workbench.
/// </summary>
public sealed class DepartmentSystem
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public int UnitId { get; set; }

    /// <summary>The service account it acts as (no password: it cannot sign in any other way).</summary>
    public required string UserId { get; set; }

    /// <summary>SHA-256 of the key, hex.</summary>
    public required string ApiKeyHash { get; set; }

    public bool IsActive { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A department system's own id for one of Suban's requests: one per system and request, both ways.</summary>
public sealed class ExternalCase
{
    public long Id { get; set; }

    public int SystemId { get; set; }

    public long RequestId { get; set; }

    public required string ExternalId { get; set; }

    public DateTime LinkedAt { get; set; }
}

public sealed record SystemInput(string? Name, string? UnitCode);

/// <summary>The key is in this answer only; it cannot be read again.</summary>
public sealed record SystemRegistered(int Id, string Name, string UnitCode, string ApiKey, DateTimeOffset CreatedAt);

public sealed record SystemView(int Id, string Name, string UnitCode, string UnitName, bool IsActive, DateTimeOffset CreatedAt);

public sealed record LinkInput(string? TrackingNumber, string? ExternalId);

public sealed record LinkView(string TrackingNumber, string ExternalId, DateTimeOffset LinkedAt);

/// <summary>Authenticates <c>X-Api-Key</c> as the department system's service account.</summary>
internal sealed class SystemKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SubanDb db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SystemKey";
    public const string Header = "X-Api-Key";
    public const string SystemClaim = "suban:system";

    /// <summary>The default scheme: a key header goes to <see cref="Scheme"/>, anything else to Identity's bearer/cookie.</summary>
    public const string Selector = "Suban";

    /// <summary>The name under which Identity registers its combined bearer-and-cookie scheme.</summary>
    public const string IdentityScheme = "Identity.BearerAndApplication";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers[Header].ToString();
        if (string.IsNullOrWhiteSpace(key))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiKeys.Hash(key.Trim());
        var system = await db.DepartmentSystems.AsNoTracking().FirstOrDefaultAsync(s => s.ApiKeyHash == hash && s.IsActive, Context.RequestAborted);
        if (system is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, system.UserId),
                new Claim(ClaimTypes.Name, system.Name),
                new Claim(ClaimTypes.Role, Roles.Handler),
                new Claim(SystemClaim, system.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

internal static class DepartmentSystems
{
    private const int MaxName = 100;
    private const int MaxExternalId = 100;
    private const string CasesPrefix = "/api/v1/systems/cases/";

    public static int? SystemId(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(SystemKeyHandler.SystemClaim), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>
    /// Lets a system address a request by its own id: <c>/api/v1/systems/cases/{externalId}/…</c> becomes
    /// <c>/api/v1/requests/{trackingNumber}/…</c> before routing, so every workbench endpoint, with its rules, answers.
    /// </summary>
    public static IApplicationBuilder UseExternalCaseIds(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path.Value;
        if (path is null || !path.StartsWith(CasesPrefix, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        if (SystemId(context.User) is not { } systemId)
        {
            await Problems.Forbidden("Only a department system, with its API key, addresses requests by its own ids.").ExecuteAsync(context);
            return;
        }

        var rest = path[CasesPrefix.Length..];
        var slash = rest.IndexOf('/');
        var externalId = Uri.UnescapeDataString(slash < 0 ? rest : rest[..slash]);
        var db = context.RequestServices.GetRequiredService<SubanDb>();
        var trackingNumber = await db.ExternalCases.AsNoTracking()
            .Where(c => c.SystemId == systemId && c.ExternalId == externalId)
            .Join(db.Requests, c => c.RequestId, r => r.Id, (c, r) => r.TrackingNumber)
            .FirstOrDefaultAsync(context.RequestAborted);
        if (trackingNumber is null)
        {
            await Problems.NotFound("externalId", $"No request is linked to the external id '{externalId}'; link it with POST /api/v1/systems/links.").ExecuteAsync(context);
            return;
        }

        context.Request.Path = "/api/v1/requests/" + trackingNumber + (slash < 0 ? "" : rest[slash..]);
        await next(context);
    });

    public static IEndpointRouteBuilder MapDepartmentSystems(this IEndpointRouteBuilder routes)
    {
        // Administrators register systems and hand over their keys.
        var admin = routes.MapGroup("/api/v1/systems").WithTags("Integration").RequireAuthorization(p => p.RequireRole(Roles.Administrator));
        admin.MapPost("/", RegisterAsync).WithSummary("Register a unit's case system; answers with its API key, once.");
        admin.MapGet("/", ListAsync).WithSummary("The registered department systems.");
        admin.MapDelete("/{id:int}", DeactivateAsync).WithSummary("Switch a system off: its key stops working at once.");

        // Department systems themselves (API key): link their own case ids to requests of their unit.
        routes.MapPost("/api/v1/systems/links", LinkAsync)
            .WithTags("Integration")
            .WithSummary("Link the system's own case id to a request of its unit; then /api/v1/systems/cases/{externalId}/… works.")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(SystemKeyHandler.SchemeName).RequireClaim(SystemKeyHandler.SystemClaim));
        return routes;
    }

    private static async Task<IResult> RegisterAsync(SystemInput input, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return Problems.Field("name", $"Name the system (1 to {MaxName} characters).");
        }

        var unit = string.IsNullOrWhiteSpace(input.UnitCode) ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == input.UnitCode.Trim(), cancellationToken);
        if (unit is null)
        {
            return Problems.Field("unitCode", $"No unit has the code '{input.UnitCode}'.");
        }

        var actor = await actors.GetAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var apiKey = ApiKeys.New("sk_");
        var account = new User { UserName = "system-" + Guid.NewGuid().ToString("N")[..12], DisplayName = name, UnitId = unit.Id, SecurityStamp = Guid.NewGuid().ToString("N") };
        account.NormalizedUserName = account.UserName.ToUpperInvariant();
        db.Users.Add(account);
        var system = new DepartmentSystem { Name = name, UnitId = unit.Id, UserId = account.Id, ApiKeyHash = ApiKeys.Hash(apiKey), IsActive = true, CreatedAt = now };
        db.DepartmentSystems.Add(system);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = now, UserId = actor.UserId, Action = "system.register", Subject = $"systems/{system.Id}", Detail = $"{name} ({unit.Code})" });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/systems/{system.Id}", new SystemRegistered(system.Id, name, unit.Code, apiKey, Requests.RequestViews.Utc(now)));
    }

    private static async Task<IResult> ListAsync(SubanDb db, CancellationToken cancellationToken)
    {
        var systems = await db.DepartmentSystems.AsNoTracking()
            .Join(db.Units, s => s.UnitId, u => u.Id, (s, u) => new { s, u.Code, u.Name })
            .OrderBy(x => x.s.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(systems.Select(x => new SystemView(x.s.Id, x.s.Name, x.Code, x.Name, x.s.IsActive, Requests.RequestViews.Utc(x.s.CreatedAt))).ToList());
    }

    private static async Task<IResult> DeactivateAsync(int id, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var system = await db.DepartmentSystems.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (system is null)
        {
            return Problems.NotFound("id", $"No department system has the id {id}.");
        }

        system.IsActive = false;
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "system.deactivate", Subject = $"systems/{id}", Detail = system.Name });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> LinkAsync(LinkInput input, HttpContext http, SubanDb db, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        var externalId = input.ExternalId?.Trim();
        if (string.IsNullOrEmpty(externalId) || externalId.Length > MaxExternalId || externalId.Contains('/'))
        {
            return Problems.Field("externalId", $"The system's own case id: 1 to {MaxExternalId} characters, no '/'.");
        }

        if (string.IsNullOrWhiteSpace(input.TrackingNumber))
        {
            return Problems.Field("trackingNumber", "'trackingNumber' is required.");
        }

        var systemId = SystemId(http.User)!.Value;
        var actor = await actors.GetAsync(cancellationToken);
        var visible = await Requests.Visibility.VisibleTo(db.Requests.AsNoTracking(), db, actor, cancellationToken);
        var request = await visible.Where(r => r.TrackingNumber == input.TrackingNumber.Trim()).Select(r => new { r.Id, r.TrackingNumber }).FirstOrDefaultAsync(cancellationToken);
        if (request is null)
        {
            return Problems.NotFound("trackingNumber", $"No request '{input.TrackingNumber}' is visible to this system's unit.");
        }

        var existing = await db.ExternalCases.AsNoTracking()
            .Where(c => c.SystemId == systemId && (c.ExternalId == externalId || c.RequestId == request.Id))
            .ToListAsync(cancellationToken);
        if (existing.FirstOrDefault(c => c.ExternalId == externalId && c.RequestId == request.Id) is { } same)
        {
            return TypedResults.Ok(new LinkView(request.TrackingNumber, same.ExternalId, Requests.RequestViews.Utc(same.LinkedAt)));
        }

        if (existing.Count > 0)
        {
            return Problems.Conflict(existing.Any(c => c.ExternalId == externalId)
                ? $"The external id '{externalId}' is linked to another request already."
                : $"The request {request.TrackingNumber} is linked to another external id already.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        db.ExternalCases.Add(new ExternalCase { SystemId = systemId, RequestId = request.Id, ExternalId = externalId, LinkedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent link of the same id or request won the race.
            return Problems.Conflict("The external id or the request was linked concurrently; read the link again.");
        }

        return TypedResults.Created($"/api/v1/systems/cases/{Uri.EscapeDataString(externalId)}", new LinkView(request.TrackingNumber, externalId, Requests.RequestViews.Utc(now)));
    }
}
