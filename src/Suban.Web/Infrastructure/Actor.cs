using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Core.Organisation;
using Suban.Web.Data;

namespace Suban.Web.Infrastructure;

/// <summary>Who is calling, with the unit they belong to; loaded once per HTTP request.</summary>
public sealed record Actor(string? UserId, IReadOnlyList<string> RoleNames, Unit? Unit)
{
    public static readonly Actor Anonymous = new(null, [], null);

    /// <summary>The platform itself: automatic dispatch, workers.</summary>
    public static readonly Actor System = new(null, ["system"], null);

    public bool IsSystem => ReferenceEquals(this, System);

    public bool IsAuthenticated => UserId is not null;

    public bool IsIn(string role) => RoleNames.Contains(role);

    public bool IsStaff => RoleNames.Any(Roles.Staff.Contains);

    /// <summary>Whether the unit of <paramref name="path"/> is the actor's unit or lies below it.</summary>
    public bool Covers(string path) => Unit is not null && path.StartsWith(Unit.Path, StringComparison.Ordinal);

    /// <summary>The first of the actor's roles that the table lets take <paramref name="action"/>.</summary>
    public Role? RoleFor(RequestAction action)
    {
        if (IsSystem)
        {
            return Role.System;
        }

        var allowed = RequestLifecycle.RolesFor(action);
        foreach (var name in RoleNames)
        {
            var role = Roles.ToLifecycle(name);
            if (allowed.Contains(role))
            {
                return role;
            }
        }

        return null;
    }
}

internal sealed class ActorAccessor(IHttpContextAccessor http, SubanDb db)
{
    private Actor? actor;

    public async Task<Actor> GetAsync(CancellationToken cancellationToken = default)
    {
        if (actor is not null)
        {
            return actor;
        }

        var principal = http.HttpContext?.User;
        var userId = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (principal?.Identity?.IsAuthenticated != true || userId is null)
        {
            return actor = Actor.Anonymous;
        }

        var unitId = await db.Users.Where(u => u.Id == userId).Select(u => u.UnitId).FirstOrDefaultAsync(cancellationToken);
        var unit = unitId is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, cancellationToken);
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => c.Value).Where(Roles.All.Contains).ToList();
        return actor = new Actor(userId, roles, unit);
    }
}
