using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Routing;

public sealed record ClassifyInput(string? Text);

internal static class RoutingEndpoints
{
    private const int MaxText = 10_000;

    public static IEndpointRouteBuilder MapRouting(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/routing").WithTags("Routing");

        // Staff: suggestions while a call-taker types, or for a dispatcher's second look.
        group.MapPost("/classify", async Task<IResult> (ClassifyInput input, RoutingService routing, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(input.Text))
                {
                    return Problems.Field("text", "Send the text to classify.");
                }

                if (input.Text.Length > MaxText)
                {
                    return Problems.Field("text", $"At most {MaxText} characters.");
                }

                return TypedResults.Ok(await routing.SuggestAsync(input.Text, ct));
            })
            .RequireAuthorization(p => p.RequireRole(Roles.Staff))
            .WithSummary("The likeliest matters for a text, with calibrated probabilities.");

        group.MapGet("/models", async (SubanDb db, CancellationToken ct) =>
            {
                var models = await db.RoutingModels.AsNoTracking().OrderByDescending(m => m.Version).Take(20)
                    .Select(m => new { m.Version, m.CreatedAt, m.CatalogueVersion, m.ExampleCount, m.CorrectionCount, m.Threshold, m.Metrics })
                    .ToListAsync(ct);
                return TypedResults.Ok(models.Select(m => new { m.Version, createdAt = new DateTimeOffset(m.CreatedAt, TimeSpan.Zero), m.CatalogueVersion, m.ExampleCount, m.CorrectionCount, m.Threshold, metrics = m.Metrics is null ? (JsonElement?)null : JsonDocument.Parse(m.Metrics).RootElement.Clone() }));
            })
            .RequireAuthorization(p => p.RequireRole(Roles.Staff))
            .WithSummary("The trained models, newest first, with their validation figures.");

        // Administrators and supervisors: retrain now (corrections are also picked up on the schedule).
        // The training runs to the end even if the caller leaves (it stops only with the app), one at a time across
        // instances (the worker's lock).
        group.MapPost("/train", async Task<IResult> (RoutingWorker worker, IHostApplicationLifetime lifetime) =>
            {
                var (busy, report) = await worker.TrainNowAsync(lifetime.ApplicationStopping);
                return busy ? Problems.Conflict("A model is being trained already; its result will be in use in a moment.")
                    : report is null ? Problems.Conflict("There is no responsibility list to train from.")
                    : TypedResults.Ok(report);
            })
            .RequireAuthorization(p => p.RequireRole(Roles.Administrator, Roles.Supervisor))
            .WithSummary("Train a new model from the list and the dispatchers' corrections, and put it in use.");
        return routes;
    }
}
