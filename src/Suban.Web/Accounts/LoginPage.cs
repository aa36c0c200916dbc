using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Suban.Web.Data;

namespace Suban.Web.Accounts;

/// <summary>Cookie sign-in for the pages. Plain HTML form with an antiforgery token; returns only to local pages.</summary>
internal static class LoginPage
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder routes)
    {
        // Anyone.
        routes.MapGet("/login", (HttpContext http, string? returnUrl, IAntiforgery antiforgery) => Form(http, antiforgery, returnUrl, null))
            .AllowAnonymous().ExcludeFromDescription();
        routes.MapPost("/login", SignInAsync).AllowAnonymous().ExcludeFromDescription();
        routes.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<User> signIn) =>
            {
                await antiforgery.ValidateRequestAsync(http);
                await signIn.SignOutAsync();
                return Results.Redirect("/catalogue");
            })
            .RequireAuthorization().ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<User> signIn, IHostEnvironment environment)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.BadRequest();
        }

        var form = await http.Request.ReadFormAsync();
        var userName = form["userName"].ToString().Trim();
        var returnUrl = form["returnUrl"].ToString();
        var user = userName.Length == 0 ? null : await signIn.UserManager.FindByNameAsync(userName);
        if (user is null || (user.IsDemo && environment.IsProduction()))
        {
            return Form(http, antiforgery, returnUrl, "用户名或密码错误");
        }

        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var result = await signIn.PasswordSignInAsync(user, form["password"].ToString(), isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            return Form(http, antiforgery, returnUrl, result.IsLockedOut ? "尝试次数过多，请稍后再试" : "用户名或密码错误");
        }

        return Results.LocalRedirect(Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/catalogue");
    }

    private static IResult Form(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var alert = error is null ? "" : $"<p role=\"alert\">{Encoder.Encode(error)}</p>";
        var html = $$"""
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>登录 · 速办</title>
            <style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:24rem;margin:3rem auto;padding:1rem}input{display:block;width:100%;padding:.5rem;margin:.25rem 0 1rem}button{padding:.5rem 1rem}input:focus,button:focus{outline:3px solid #f9a825}</style></head>
            <body><main><h1>登录速办</h1>{{alert}}
            <form method="post" action="/login">
            <input type="hidden" name="{{Encoder.Encode(tokens.FormFieldName)}}" value="{{Encoder.Encode(tokens.RequestToken ?? "")}}">
            <input type="hidden" name="returnUrl" value="{{Encoder.Encode(returnUrl ?? "")}}">
            <label for="userName">用户名</label><input id="userName" name="userName" autocomplete="username" required>
            <label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button>登录</button></form></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: error is null ? 200 : 401);
    }
}
