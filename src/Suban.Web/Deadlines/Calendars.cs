using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Suban.Core.Deadlines;
using Suban.Web.Data;
using Suban.Web.Infrastructure;

namespace Suban.Web.Deadlines;

/// <summary>
/// The working calendar from the database, cached for a short while: an administrator's edit reaches this
/// instance at once and the others within <see cref="Freshness"/>.
/// </summary>
internal sealed class Calendars(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim gate = new(1, 1);
    private (WorkingCalendar Calendar, DateTimeOffset LoadedAt)? cached;

    public async Task<WorkingCalendar> GetAsync(CancellationToken cancellationToken = default)
    {
        if (cached is { } hit && clock.GetUtcNow() - hit.LoadedAt < Freshness)
        {
            return hit.Calendar;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (cached is { } again && clock.GetUtcNow() - again.LoadedAt < Freshness)
            {
                return again.Calendar;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SubanDb>();
            var days = await db.CalendarEntries.AsNoTracking().Select(e => new CalendarDay(e.Date, e.Kind, e.Name)).ToListAsync(cancellationToken);
            var calendar = new WorkingCalendar(days);
            cached = (calendar, clock.GetUtcNow());
            return calendar;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Invalidate() => cached = null;
}

/// <summary>Loads the announced years shipped in data/calendar/ for every year the database does not have yet.</summary>
internal sealed class CalendarSeeder(SubanDb db, SeedFiles files, TimeProvider clock, ILogger<CalendarSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        var folder = files.Path("calendar");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var years = (await db.CalendarEntries.Select(e => e.Date).ToListAsync(cancellationToken)).Select(d => d.Year).ToHashSet();
        foreach (var path in Directory.GetFiles(folder, "cn-*.csv").Order())
        {
            var days = Read(path);
            if (days.Count == 0 || years.Contains(days[0].Date.Year))
            {
                continue;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            db.CalendarEntries.AddRange(days.Select(d => new CalendarEntry { Date = d.Date, Kind = d.Kind, Name = d.Name, UpdatedAt = now }));
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Loaded the {Year} working calendar ({Count} days)", days[0].Date.Year, days.Count);
        }
    }

    /// <summary>Rows <c>date,kind,name</c> with kind <c>holiday</c> or <c>workday</c>.</summary>
    public static List<CalendarDay> Read(string path) =>
        Csv.Read(path)
            .Select(row => new CalendarDay(
                DateOnly.ParseExact(row["date"], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                row["kind"] == "workday" ? DayKind.Workday : DayKind.Holiday,
                row.GetValueOrDefault("name") is { Length: > 0 } name ? name : null))
            .ToList();
}
