using Suban.Core.Lifecycle;

namespace Suban.Web.Infrastructure;

internal static class AuthorizationExtensions
{
    /// <summary>Lets in exactly the roles the lifecycle table names for <paramref name="action"/>.</summary>
    public static RouteHandlerBuilder AllowRolesOf(this RouteHandlerBuilder builder, RequestAction action)
    {
        var roles = RequestLifecycle.RolesFor(action).Where(r => r != Role.System).Select(FromLifecycle).ToArray();
        return builder.RequireAuthorization(policy => policy.RequireRole(roles));
    }

    public static string FromLifecycle(Role role) => role switch
    {
        Role.Citizen => Roles.Citizen,
        Role.CallTaker => Roles.CallTaker,
        Role.Dispatcher => Roles.Dispatcher,
        Role.Handler => Roles.Handler,
        Role.Supervisor => Roles.Supervisor,
        Role.Analyst => Roles.Analyst,
        Role.CatalogueEditor => Roles.CatalogueEditor,
        Role.Administrator => Roles.Administrator,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "The platform itself signs in as no one."),
    };
}
