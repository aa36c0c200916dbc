using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Catalogue;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Catalogue;

/// <summary>Snapshots by version number, shared by every request: a version never changes once written.</summary>
internal sealed class CatalogueCache
{
    public ConcurrentDictionary<int, CatalogueSnapshot> Snapshots { get; } = new();
}

public sealed record VersionView(int Number, DateTimeOffset EffectiveAt, DateTimeOffset CreatedAt, string? Note);

/// <summary>Reads versions of the responsibility list and writes new ones from editors' changes.</summary>
internal sealed class CatalogueStore(SubanDb db, CatalogueCache cache, TimeProvider clock)
{
    // Stored for people to read: Chinese as is.
    private static readonly JsonSerializerOptions AuditJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The version in force now: the newest whose effective time has come.</summary>
    public async Task<(int Number, CatalogueSnapshot Snapshot)?> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var number = await db.CatalogueVersions.Where(v => v.EffectiveAt <= now).MaxAsync(v => (int?)v.Number, cancellationToken);
        return number is null ? null : (number.Value, await SnapshotAsync(number.Value, cancellationToken) ?? throw new InvalidOperationException());
    }

    public async Task<CatalogueSnapshot?> SnapshotAsync(int number, CancellationToken cancellationToken = default)
    {
        if (cache.Snapshots.TryGetValue(number, out var cached))
        {
            return cached;
        }

        var versionId = await db.CatalogueVersions.Where(v => v.Number == number).Select(v => (int?)v.Id).FirstOrDefaultAsync(cancellationToken);
        if (versionId is null)
        {
            return null;
        }

        var entries = await db.CatalogueEntries.AsNoTracking().Where(e => e.VersionId == versionId).ToListAsync(cancellationToken);
        return cache.Snapshots.GetOrAdd(number, new CatalogueSnapshot(entries.Select(e => e.ToMatter())));
    }

    public async Task<int?> LatestNumberAsync(CancellationToken cancellationToken = default) =>
        await db.CatalogueVersions.MaxAsync(v => (int?)v.Number, cancellationToken);

    public Task<List<VersionView>> VersionsAsync(CancellationToken cancellationToken = default) =>
        db.CatalogueVersions.AsNoTracking().OrderByDescending(v => v.Number)
            .Select(v => new VersionView(v.Number, new DateTimeOffset(v.EffectiveAt, TimeSpan.Zero), new DateTimeOffset(v.CreatedAt, TimeSpan.Zero), v.Note))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Writes <paramref name="next"/> as a new version after the newest one, with its audit entry, in one
    /// transaction. The version number is unique, so two editors saving at once cannot both take it.
    /// </summary>
    public async Task<int> SaveAsync(CatalogueSnapshot next, DateTime? effectiveAt, string? note, string action, string? userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var latest = await LatestNumberAsync(cancellationToken);
        var previous = latest is { } l ? await SnapshotAsync(l, cancellationToken) : null;
        var changes = previous is null ? [] : CatalogueDiff.Between(previous.Matters, next.Matters);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var version = new CatalogueVersion { Number = (latest ?? 0) + 1, EffectiveAt = effectiveAt ?? now, CreatedAt = now, CreatedByUserId = userId, Note = note };
        db.CatalogueVersions.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        db.CatalogueEntries.AddRange(next.Matters.Select(m => CatalogueEntry.From(m, version.Id)));
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            UserId = userId,
            Action = action,
            Subject = $"catalogue/{version.Number}",
            Detail = JsonSerializer.Serialize(new
            {
                note,
                effectiveAt = version.EffectiveAt,
                added = changes.Where(c => c.Kind == ChangeKind.Added).Select(c => c.Code),
                removed = changes.Where(c => c.Kind == ChangeKind.Removed).Select(c => c.Code),
                changed = changes.Where(c => c.Kind == ChangeKind.Changed).Select(c => new { c.Code, c.Fields }),
            }, AuditJson),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        cache.Snapshots[version.Number] = next;
        return version.Number;
    }
}

/// <summary>Loads data/catalogue/*.jsonl as version 1 on an empty database.</summary>
internal sealed class CatalogueSeeder(SubanDb db, CatalogueStore store, SeedFiles files, ILogger<CatalogueSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (await db.CatalogueVersions.AnyAsync(cancellationToken))
        {
            return;
        }

        var matters = Directory.GetFiles(files.Path("catalogue"), "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Matter>(l, CatalogueJson.Options)!)
            .ToList();
        var errors = new List<EditError>();
        for (var i = 0; i < matters.Count; i++)
        {
            CatalogueSnapshot.Validate(matters[i], i, errors);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The shipped responsibility list is invalid: {string.Join("; ", errors.Take(5).Select(e => $"{matters[e.Index].Code} {e.Field}: {e.Message}"))}");
        }

        await store.SaveAsync(new CatalogueSnapshot(matters), DateTime.UnixEpoch, "初始职责清单", "catalogue.seed", null, cancellationToken);
        logger.LogInformation("Seeded the responsibility list: {Matters} matters", matters.Count);
    }
}

public static class CatalogueJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
