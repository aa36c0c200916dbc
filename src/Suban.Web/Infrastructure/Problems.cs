using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Suban.Web.Infrastructure;

/// <summary>Stable <c>type</c> URIs, so clients can tell problems apart without parsing prose.</summary>
public static class ProblemTypes
{
    public const string Validation = "https://suban.dev/problems/validation";
    public const string IllegalTransition = "https://suban.dev/problems/illegal-transition";
    public const string Conflict = "https://suban.dev/problems/conflict";
    public const string NotFound = "https://suban.dev/problems/not-found";
    public const string Forbidden = "https://suban.dev/problems/forbidden";
    public const string BadRequest = "https://suban.dev/problems/bad-request";
    public const string Unexpected = "https://suban.dev/problems/unexpected";
}

public static class Problems
{
    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, type: ProblemTypes.Validation);

    public static ProblemHttpResult NotFound(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", type: ProblemTypes.NotFound,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static ProblemHttpResult Conflict(string detail, string type = ProblemTypes.Conflict, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", type: type, extensions: extensions);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", type: ProblemTypes.Forbidden);
}

/// <summary>
/// The one place faults become responses. Bad input that slipped past the handlers (malformed JSON, wrong
/// content type, body too large) is a 4xx naming the field; anything else is a 500 with the trace id only.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled fault on {Method} {Path}", http.Request.Method, http.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Unexpected error",
                Type = ProblemTypes.Unexpected,
            };
        }

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (FindJsonException(bad) is { } json)
        {
            var field = JsonField(json.Path);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [json.Path is null or "$" ? "The body is not valid JSON." : $"The value of '{field}' is not valid."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more validation errors occurred.",
                Type = ProblemTypes.Validation,
            };
        }

        // "Failed to bind parameter "int? Page" from "x"." names the parameter: report it as the field.
        var parameter = System.Text.RegularExpressions.Regex.Match(bad.Message, "parameter \"(?:[^\"]* )?(\\w+)\"");
        if (bad.StatusCode == StatusCodes.Status400BadRequest && parameter.Success)
        {
            var field = JsonNamingPolicy.CamelCase.ConvertName(parameter.Groups[1].Value);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [$"The value of '{field}' is not valid."] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more validation errors occurred.",
                Type = ProblemTypes.Validation,
            };
        }

        return new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode switch
            {
                StatusCodes.Status415UnsupportedMediaType => "Unsupported content type",
                StatusCodes.Status413PayloadTooLarge => "Body too large",
                _ => "Bad request",
            },
            Detail = bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? "Send the body as application/json."
                : bad.Message,
            Type = ProblemTypes.BadRequest,
        };
    }

    private static JsonException? FindJsonException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.contact.phone" → "contact.phone"; "$" → "body".</summary>
    internal static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
