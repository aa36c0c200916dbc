using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Requests;

/// <summary>
/// Which requests an actor may see: a citizen their own; staff those whose dispatching platform or an active
/// assignment lies in their unit's subtree; administrators and the platform itself all.
/// </summary>
internal static class Visibility
{
    public static async Task<IQueryable<ServiceRequest>> VisibleTo(this IQueryable<ServiceRequest> requests, SubanDb db, Actor actor, CancellationToken cancellationToken)
    {
        if (actor.IsSystem || actor.IsIn(Roles.Administrator))
        {
            return requests;
        }

        if (actor.IsStaff && actor.Unit is { } unit)
        {
            if (unit.ParentId is null)
            {
                return requests;
            }

            var prefix = unit.Path;
            var unitIds = await db.Units.Where(u => u.Path.StartsWith(prefix)).Select(u => u.Id).ToListAsync(cancellationToken);
            return requests.Where(r => unitIds.Contains(r.PlatformUnitId) || r.Assignments.Any(a => a.IsActive && unitIds.Contains(a.UnitId)));
        }

        if (actor.IsIn(Roles.Citizen) && actor.UserId is { } userId)
        {
            return requests.Where(r => r.CitizenUserId == userId);
        }

        return requests.Where(_ => false);
    }
}
