using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Catalogue;
using Suban.Core.Lifecycle;
using Suban.Core.Routing;
using Suban.Web.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;
using Suban.Web.Requests;

namespace Suban.Web.Routing;

public sealed record Suggestion(string Code, string Name, string Category, double Probability);

/// <summary>
/// Routes a request just taken in: matches its text to a matter, and when the model is confident (or the citizen
/// chose a matter the text does not contradict) and the place names a unit, dispatches it as the platform itself;
/// otherwise it waits for a dispatcher with the top suggestions. Either way the timeline says what was decided,
/// with the model version and confidence.
/// </summary>
internal sealed class RoutingService(
    SubanDb db,
    RoutingModels models,
    CatalogueStore catalogue,
    OrganisationMaps organisation,
    RequestWorkflow workflow,
    IOptions<RoutingOptions> options,
    ILogger<RoutingService> logger)
{
    public async Task<IReadOnlyList<Suggestion>> SuggestAsync(string text, CancellationToken cancellationToken)
    {
        if (await models.GetAsync(cancellationToken) is not { } model || await catalogue.CurrentAsync(cancellationToken) is not (_, { } snapshot))
        {
            return [];
        }

        return Suggestions(model.Classifier.Predict(text, top: 3), snapshot);
    }

    public async Task RouteAsync(long requestId, CancellationToken cancellationToken)
    {
        var request = await db.Requests.Include(r => r.Assignments).FirstAsync(r => r.Id == requestId, cancellationToken);
        var model = await models.GetAsync(cancellationToken);
        var current = await catalogue.CurrentAsync(cancellationToken);
        if (current is not ({ } version, { } snapshot))
        {
            return;
        }

        var prediction = model?.Classifier.Predict($"{request.Title} {request.Description}", top: 3, subCategoryOf: code => snapshot.Current(code) is { } m ? $"{m.Category} › {m.SubCategory}" : null);
        var suggestions = prediction is null ? [] : Suggestions(prediction, snapshot);
        Matter? matter = null;
        RoutingOutcome outcome;
        if (request.MatterCode is { } chosen && snapshot.Current(chosen) is { } chosenMatter)
        {
            var categoryProbability = prediction?.Categories.FirstOrDefault(c => c.Label == chosenMatter.Category)?.Probability ?? 0;
            var disputed = prediction?.Best is { } best && best.Probability >= model!.Threshold && best.Category != chosenMatter.Category && categoryProbability < options.Value.DisputeBelow;
            outcome = disputed ? RoutingOutcome.CitizenChoiceDisputed : RoutingOutcome.CitizenChoice;
            matter = disputed ? null : chosenMatter;
        }
        else if (prediction?.Best is { } best && model is not null)
        {
            outcome = best.Probability >= model.Threshold ? RoutingOutcome.Automatic
                : prediction.Categories[0].Probability >= model.CategoryThreshold && request.DistrictCode is not null && snapshot.Current(best.Code)?.LeadLevel != Level.City ? RoutingOutcome.CategoryForwarded
                : RoutingOutcome.Review;
            matter = outcome == RoutingOutcome.Automatic ? snapshot.Current(best.Code) : null;
        }
        else
        {
            outcome = RoutingOutcome.Unrouted;
        }

        request.RoutingOutcome = outcome;
        request.RoutingModelVersion = model?.Version;
        request.RoutingConfidence = prediction?.Best?.Probability;
        request.RoutingSuggestions = JsonSerializer.Serialize(suggestions, CatalogueJson.Options);
        if (matter is not null)
        {
            request.MatterCode = matter.Code;
            request.CatalogueVersion = version;
        }

        var modelText = model is null ? "无模型"
            : prediction?.Best is { } top ? $"模型 v{model.Version}，{Confidence(top.Probability, model.Threshold)}"
            : $"模型 v{model.Version}，置信度 —";
        var decision = matter is null ? null : Responsibility.Decide(matter, request.DistrictCode, request.StreetCode, await organisation.GetAsync(cancellationToken));

        Outcome result;
        if (decision is { LeadUnitCode: { } lead })
        {
            var codes = decision.CoUnitCodes.Append(lead).Append(decision.PlatformUnitCode).ToList();
            var units = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code)).ToDictionaryAsync(u => u.Code, cancellationToken);
            var note = $"智能派单（{modelText}）：事项「{matter!.Name}」。{string.Join("；", decision.Reasons)}";
            result = await workflow.ApplyAsync(Actor.System, request, RequestAction.Dispatch, note, (r, now) =>
            {
                r.PlatformUnitId = units[decision.PlatformUnitCode].Id;
                r.LeadUnitId = units[lead].Id;
                r.Assignments.Add(new RequestAssignment { UnitId = units[lead].Id, IsLead = true, IsActive = true, AssignedAt = now });
                r.Assignments.AddRange(decision.CoUnitCodes.Select(c => new RequestAssignment { UnitId = units[c].Id, IsLead = false, IsActive = true, AssignedAt = now }));
                return null;
            }, cancellationToken: cancellationToken);
        }
        else if (decision is not null && decision.PlatformUnitCode != (await organisation.GetAsync(cancellationToken)).CityCode)
        {
            var platform = await db.Units.AsNoTracking().FirstAsync(u => u.Code == decision.PlatformUnitCode, cancellationToken);
            var note = $"智能分拨（{modelText}）：事项「{matter!.Name}」转{platform.Name}分拨。{string.Join("；", decision.Reasons)}";
            result = await workflow.ApplyAsync(Actor.System, request, RequestAction.Forward, note, (r, _) =>
            {
                r.PlatformUnitId = platform.Id;
                return null;
            }, cancellationToken: cancellationToken);
        }
        else if (outcome == RoutingOutcome.CategoryForwarded)
        {
            // A confident category with an uncertain matter: the district platform of the place dispatches it.
            var district = await db.Units.AsNoTracking().FirstAsync(u => u.Code == request.DistrictCode, cancellationToken);
            var hint = string.Join("、", suggestions.Select(s => $"{s.Name}（{s.Probability.ToString("P0", CultureInfo.InvariantCulture)}）"));
            var note = $"智能分拨（{modelText}）：类别「{prediction!.Categories[0].Label}」（{prediction.Categories[0].Probability.ToString("P0", CultureInfo.InvariantCulture)}），事项待定，转{district.Name}分拨。{SubCategoryHint(prediction)}建议事项：{hint}";
            result = await workflow.ApplyAsync(Actor.System, request, RequestAction.Forward, note, (r, _) =>
            {
                r.PlatformUnitId = district.Id;
                return null;
            }, cancellationToken: cancellationToken);
        }
        else
        {
            var why = outcome switch
            {
                RoutingOutcome.CitizenChoiceDisputed => "市民所选事项与诉求内容明显不符，",
                RoutingOutcome.Unrouted => "暂无可用模型或内容无法识别，",
                _ when matter is not null => "诉求地点未能确定，",
                _ => "置信度不足，",
            };
            var hint = suggestions.Count == 0 ? "" : $"{SubCategoryHint(prediction)}建议事项：{string.Join("、", suggestions.Select(s => $"{s.Name}（{s.Probability.ToString("P0", CultureInfo.InvariantCulture)}）"))}";
            result = await workflow.ApplyAsync(Actor.System, request, RequestAction.Route, $"{why}转人工复核（{modelText}）。{hint}", cancellationToken: cancellationToken);
        }

        if (result is not Outcome.Done)
        {
            logger.LogWarning("Routing request {RequestId} ended as {Outcome}", requestId, result.GetType().Name);
        }
    }

    /// <summary>
    /// "置信度 0.64，自动派单阈值 0.97": the confidence beside the threshold it was held to, each with as many decimals
    /// as it takes to tell them apart (0.99993 and 0.99995 both read "1.00" with two).
    /// </summary>
    internal static string Confidence(double probability, double threshold)
    {
        string Shown(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);
        var decimals = 2;
        while (decimals < 6 && probability != threshold && Shown(probability, decimals) == Shown(threshold, decimals))
        {
            decimals++;
        }

        return $"置信度 {Shown(probability, decimals)}，自动派单阈值 {Shown(threshold, decimals)}";
    }

    /// <summary>The likeliest sub-category, when the model is clearly surer of it than of any matter: where to look first.</summary>
    private static string SubCategoryHint(MatterPrediction? prediction) =>
        prediction?.SubCategories.FirstOrDefault() is { } sub && sub.Probability >= (prediction.Best?.Probability ?? 0) + 0.1
            ? $"子类「{sub.Label}」（{sub.Probability.ToString("P0", CultureInfo.InvariantCulture)}）；"
            : "";

    private static List<Suggestion> Suggestions(MatterPrediction prediction, CatalogueSnapshot snapshot) =>
        prediction.Top
            .Select(s => snapshot.Current(s.Code) is { } m ? new Suggestion(m.Code, m.Name, m.Category, Math.Round(s.Probability, 4)) : null)
            .OfType<Suggestion>()
            .ToList();
}
