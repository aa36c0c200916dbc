using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Accounts;

public sealed record StaffInput(string? UserName, string? Password, string? DisplayName, string? UnitCode, IReadOnlyList<string>? Roles, bool IsUnitHead = false);

public sealed record RolesInput(IReadOnlyList<string>? Roles);

public sealed record UserView(string Id, string UserName, string? DisplayName, UnitRef? Unit, IReadOnlyList<string> Roles, bool IsUnitHead);

/// <summary>Administrators make staff accounts, put them in a unit and give them roles. Citizens register themselves.</summary>
internal static class UserAdmin
{
    public static IEndpointRouteBuilder MapUserAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/users").WithTags("Accounts").RequireAuthorization(p => p.RequireRole(Roles.Administrator));
        group.MapGet("/", ListAsync).WithSummary("Staff accounts with their unit and roles (citizens are not listed).");
        group.MapPost("/", CreateAsync).WithSummary("Make a staff account in a unit with its roles.");
        group.MapPut("/{id}/roles", SetRolesAsync).WithSummary("Replace a staff account's roles.");
        return routes;
    }

    public static async Task<List<UserView>> StaffAsync(SubanDb db, CancellationToken cancellationToken)
    {
        var staffRoles = Roles.Staff;
        var rows = await db.Users.AsNoTracking()
            .Where(u => u.UnitId != null)
            .OrderBy(u => u.UserName)
            .Select(u => new
            {
                u.Id,
                u.UserName,
                u.DisplayName,
                u.IsUnitHead,
                Unit = db.Units.Where(x => x.Id == u.UnitId).FirstOrDefault(),
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, r => r.Id, (_, r) => r.Name!).ToList(),
            })
            .Take(1000)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new UserView(r.Id, r.UserName!, r.DisplayName, r.Unit is null ? null : RequestViews.Ref(r.Unit), r.Roles.Where(staffRoles.Contains).Order().ToList(), r.IsUnitHead)).ToList();
    }

    private static async Task<IResult> ListAsync(SubanDb db, CancellationToken cancellationToken) => TypedResults.Ok(await StaffAsync(db, cancellationToken));

    private static IResult? CheckRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            return Problems.Field("roles", $"Give at least one role: {string.Join(", ", Roles.Staff)}.");
        }

        return roles.FirstOrDefault(r => !Roles.Staff.Contains(r)) is { } unknown
            ? Problems.Field("roles", $"'{unknown}' is not a staff role: {string.Join(", ", Roles.Staff)}.")
            : null;
    }

    private static async Task<IResult> CreateAsync(StaffInput input, SubanDb db, UserManager<User> users, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.UserName) || input.UserName.Trim().Length > 64)
        {
            return Problems.Field("userName", "A user name of 1 to 64 characters.");
        }

        if (CheckRoles(input.Roles) is { } bad)
        {
            return bad;
        }

        var unit = string.IsNullOrWhiteSpace(input.UnitCode) ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == input.UnitCode.Trim(), cancellationToken);
        if (unit is null)
        {
            return Problems.Field("unitCode", $"No unit has the code '{input.UnitCode}'.");
        }

        if (string.IsNullOrEmpty(input.Password))
        {
            return Problems.Field("password", "'password' is required.");
        }

        var user = new User { UserName = input.UserName.Trim(), DisplayName = input.DisplayName?.Trim(), UnitId = unit.Id, IsUnitHead = input.IsUnitHead };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            return created.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                ? Problems.Conflict("An account with this user name exists already.")
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "userName"] = created.Errors.Select(e => e.Description).ToArray() }, type: ProblemTypes.Validation);
        }

        await users.AddToRolesAsync(user, input.Roles!.Distinct());
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "user.create", Subject = $"users/{user.Id}", Detail = $"{unit.Code}: {string.Join(",", input.Roles!)}" });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/users/{user.Id}", new UserView(user.Id, user.UserName, user.DisplayName, RequestViews.Ref(unit), input.Roles!.Distinct().Order().ToList(), user.IsUnitHead));
    }

    private static async Task<IResult> SetRolesAsync(string id, RolesInput input, SubanDb db, UserManager<User> users, ActorAccessor actors, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CheckRoles(input.Roles) is { } bad)
        {
            return bad;
        }

        var user = await users.FindByIdAsync(id);
        if (user is null || user.UnitId is null)
        {
            return Problems.NotFound("id", "No staff account has this id.");
        }

        var current = await users.GetRolesAsync(user);
        await users.RemoveFromRolesAsync(user, current.Where(Roles.Staff.Contains));
        await users.AddToRolesAsync(user, input.Roles!.Distinct());
        await users.UpdateSecurityStampAsync(user);
        var actor = await actors.GetAsync(cancellationToken);
        db.AuditEntries.Add(new Catalogue.AuditEntry { At = clock.GetUtcNow().UtcDateTime, UserId = actor.UserId, Action = "user.roles", Subject = $"users/{user.Id}", Detail = string.Join(",", input.Roles!) });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
