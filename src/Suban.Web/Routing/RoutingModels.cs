using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Suban.Core.Catalogue;
using Suban.Core.Routing;
using Suban.Web.Catalogue;
using Suban.Web.Data;

namespace Suban.Web.Routing;

public sealed record ActiveModel(int Version, double Threshold, double CategoryThreshold, MatterClassifier Classifier);

public sealed record TrainingReport(int Version, int Examples, int Corrections, double ValidationAccuracy, double Threshold, double PrecisionAtThreshold, double AutomaticShare, double CategoryThreshold, double CategoryShare, double Seconds);

/// <summary>
/// The model in use, swapped without a restart: each instance looks for a newer version in the database now and then
/// and loads it; a model that fails to load is logged and the previous one stays.
/// </summary>
internal sealed class RoutingModels(IServiceScopeFactory scopes, TimeProvider clock, IOptions<RoutingOptions> options, ILogger<RoutingModels> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile ActiveModel? active;
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;

    public async Task<ActiveModel?> GetAsync(CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() - checkedAt < options.Value.ReloadEvery)
        {
            return active;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            checkedAt = clock.GetUtcNow();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            var newest = await db.RoutingModels.MaxAsync(m => (int?)m.Version, cancellationToken);
            if (newest is null || newest == active?.Version)
            {
                return active;
            }

            var row = await db.RoutingModels.AsNoTracking().SingleAsync(m => m.Version == newest, cancellationToken);
            try
            {
                active = new ActiveModel(row.Version, row.Threshold, row.CategoryThreshold, MatterClassifier.Load(row.Content));
                logger.LogInformation("Routing model {Version} in use", row.Version);
            }
            catch (ModelFormatException e)
            {
                logger.LogError(e, "Routing model {Version} could not be loaded; keeping {Current}", row.Version, active?.Version);
            }

            return active;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forget the last check, so the next request sees a model just trained.</summary>
    public void Refresh() => checkedAt = DateTimeOffset.MinValue;
}

/// <summary>
/// Trains from the list's names, keywords and example phrasings plus every request whose matter a dispatcher set or
/// confirmed. One phrasing per matter is held out first to choose the automatic-dispatch threshold (the lowest
/// probability at which precision stays at the target), then the model is trained on everything.
/// </summary>
internal sealed class RoutingTrainer(SubanDb db, CatalogueStore catalogue, TimeProvider clock, IOptions<RoutingOptions> options, ILogger<RoutingTrainer> logger)
{
    public async Task<TrainingReport?> TrainAsync(CancellationToken cancellationToken)
    {
        if (await catalogue.CurrentAsync(cancellationToken) is not ({ } catalogueVersion, { } snapshot))
        {
            return null;
        }

        var started = clock.GetTimestamp();
        var matters = snapshot.Active.ToDictionary(m => m.Code);
        var fromList = matters.Values.SelectMany(m => Phrasings(m).Select(text => (Text: text, m.Category, Matter: m.Code, Held: false))).ToList();

        // One example phrasing per matter, held out for the threshold (the matter keeps its name and keywords).
        var held = new List<(string Text, string Category, string Matter)>();
        foreach (var m in matters.Values.Where(m => m.Examples.Count >= 2))
        {
            held.Add((m.Examples[^1], m.Category, m.Code));
        }

        var confirmed = await db.Requests.AsNoTracking()
            .Where(r => r.MatterConfirmed && r.MatterCode != null)
            .OrderByDescending(r => r.Id)
            .Take(200_000)
            .Select(r => new { r.Title, r.Description, r.MatterCode })
            .ToListAsync(cancellationToken);
        var history = confirmed
            .Select(r => snapshot.Current(r.MatterCode!) is { } m ? (Text: $"{r.Title} {r.Description}", m.Category, Matter: m.Code) : default)
            .Where(e => e.Text is not null)
            .ToList();
        var corrections = await db.RoutingCorrections.CountAsync(cancellationToken);

        var heldSet = held.Select(h => (h.Text, h.Matter)).ToHashSet();
        var all = fromList.Select(e => (e.Text, e.Category, e.Matter)).Concat(history).ToList();
        var validationModel = await Task.Run(() => MatterClassifier.Train(all.Where(e => !heldSet.Contains((e.Text, e.Matter))).ToList()), cancellationToken);
        var predictions = held.Select(h => (Truth: h.Matter, TruthCategory: h.Category, Prediction: validationModel.Predict(h.Text, top: 1))).ToList();
        var (threshold, precision, share) = Evaluation.ChooseThreshold(predictions.Select(p => (p.Prediction.Best?.Probability ?? 0, p.Prediction.Best?.Code == p.Truth)).ToList(), options.Value.TargetPrecision);
        var (categoryThreshold, _, categoryShare) = Evaluation.ChooseThreshold(predictions.Select(p => (p.Prediction.Categories.FirstOrDefault()?.Probability ?? 0, p.Prediction.Categories.FirstOrDefault()?.Label == p.TruthCategory)).ToList(), options.Value.TargetPrecision);
        var accuracy = predictions.Count == 0 ? 0 : predictions.Count(p => p.Prediction.Best?.Code == p.Truth) / (double)predictions.Count;

        var model = await Task.Run(() => MatterClassifier.Train(all), cancellationToken);
        var version = (await db.RoutingModels.MaxAsync(m => (int?)m.Version, cancellationToken) ?? 0) + 1;
        var seconds = clock.GetElapsedTime(started).TotalSeconds;
        var report = new TrainingReport(version, all.Count, corrections, accuracy, threshold, precision, share, categoryThreshold, categoryShare, seconds);
        db.RoutingModels.Add(new RoutingModel
        {
            Version = version,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            CatalogueVersion = catalogueVersion,
            ExampleCount = all.Count,
            CorrectionCount = corrections,
            Threshold = threshold,
            CategoryThreshold = categoryThreshold,
            Metrics = JsonSerializer.Serialize(report),
            Content = model.ToBytes(),
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Trained routing model {Version} on {Examples} examples in {Seconds:F1} s: validation accuracy {Accuracy:F3}, threshold {Threshold:F3} keeps precision {Precision:F3} on {Share:P0}",
            version, all.Count, seconds, accuracy, threshold, precision, share);
        return report;
    }

    public static IEnumerable<string> Phrasings(Matter matter) =>
        matter.Examples.Append(matter.Name).Append(string.Join(" ", matter.Keywords)).Where(t => !string.IsNullOrWhiteSpace(t));
}
