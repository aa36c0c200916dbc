using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Intake;
using Suban.Web.Requests;

namespace Suban.Web.Accounts;

public sealed record LoginInput(string? UserName, string? Password);

public sealed record RefreshInput(string? RefreshToken);

public sealed record RegisterInput(string? Phone, string? Password, string? DisplayName);

public sealed record Me(string UserName, string? DisplayName, IReadOnlyList<string> Roles, UnitRef? Unit);

/// <summary>
/// Sign-in on Identity's own token and cookie handlers. Only what Suban needs: citizens register themselves;
/// staff accounts are made by administrators.
/// </summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth").WithTags("Accounts");

        // Anyone. Bearer token by default; ?useCookies=true for pages.
        group.MapPost("/login", LoginAsync).AllowAnonymous().WithSummary("Sign in; answers with a bearer token, or sets a cookie.");
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous().WithSummary("Trade a refresh token for a new access token.");
        group.MapPost("/register", RegisterAsync).AllowAnonymous().WithSummary("A citizen opens an account with a phone number.");

        // Any signed-in user.
        group.MapPost("/logout", async (SignInManager<User> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.NoContent();
        }).RequireAuthorization();
        group.MapGet("/me", MeAsync).RequireAuthorization().WithSummary("Who the caller is: roles and unit.");
        return routes;
    }

    private static async Task<IResult> LoginAsync(LoginInput input, bool? useCookies, SignInManager<User> signIn, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(input.UserName))
        {
            return Problems.Field("userName", "'userName' is required.");
        }

        if (string.IsNullOrEmpty(input.Password))
        {
            return Problems.Field("password", "'password' is required.");
        }

        var user = await signIn.UserManager.FindByNameAsync(input.UserName.Trim());
        if (user is { IsDemo: true } && environment.IsProduction())
        {
            return Unauthorized();
        }

        signIn.AuthenticationScheme = useCookies == true ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
        var result = await signIn.PasswordSignInAsync(input.UserName.Trim(), input.Password, isPersistent: useCookies == true, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            return Unauthorized(result.IsLockedOut ? "Too many failed attempts; try again later." : null);
        }

        // The sign-in handler has written the token (or the cookie) already.
        return TypedResults.Empty;
    }

    private static async Task<IResult> RefreshAsync(RefreshInput input, SignInManager<User> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(input.RefreshToken))
        {
            return Problems.Field("refreshToken", "'refreshToken' is required.");
        }

        var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(input.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires
            || clock.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
        {
            return Unauthorized("The refresh token is not valid.");
        }

        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }

    private static async Task<IResult> RegisterAsync(RegisterInput input, UserManager<User> users)
    {
        if (string.IsNullOrWhiteSpace(input.Phone) || !SubmitValidation.IsPhone(input.Phone))
        {
            return Problems.Field("phone", "A phone number is the account name: 7 to 15 digits.");
        }

        if (string.IsNullOrEmpty(input.Password))
        {
            return Problems.Field("password", "'password' is required.");
        }

        var phone = new string(input.Phone.Where(char.IsAsciiDigit).ToArray());
        var user = new User { UserName = phone, PhoneNumber = phone, DisplayName = input.DisplayName?.Trim() };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            if (created.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName)))
            {
                return Problems.Conflict("An account with this phone number exists already.");
            }

            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["password"] = created.Errors.Select(e => e.Description).ToArray() },
                type: ProblemTypes.Validation);
        }

        await users.AddToRoleAsync(user, Roles.Citizen);
        return TypedResults.Created("/api/v1/auth/me", new { userName = phone });
    }

    private static async Task<IResult> MeAsync(ActorAccessor actors, SubanDb db, CancellationToken cancellationToken)
    {
        var actor = await actors.GetAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == actor.UserId, cancellationToken);
        return TypedResults.Ok(new Me(user.UserName!, user.DisplayName, actor.RoleNames, actor.Unit is null ? null : RequestViews.Ref(actor.Unit)));
    }

    private static IResult Unauthorized(string? detail = null) =>
        TypedResults.Problem(detail ?? "Wrong user name or password.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", type: ProblemTypes.Forbidden);
}
