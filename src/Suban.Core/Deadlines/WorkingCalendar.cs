namespace Suban.Core.Deadlines;

/// <summary>How a day departs from the weekly pattern (Monday–Friday working, weekends off).</summary>
public enum DayKind
{
    /// <summary>A public holiday or a rest day moved by the State Council's arrangement: no work.</summary>
    Holiday,

    /// <summary>A make-up working day (调休上班) on a weekend.</summary>
    Workday,
}

/// <summary>One announced exception to the weekly pattern.</summary>
public sealed record CalendarDay(DateOnly Date, DayKind Kind, string? Name);

/// <summary>Office hours on a working day (Shenzhen's government offices: 9:00–12:00 and 14:00–18:00).</summary>
public sealed record OfficeHours(TimeOnly MorningStart, TimeOnly MorningEnd, TimeOnly AfternoonStart, TimeOnly AfternoonEnd)
{
    public static OfficeHours Default { get; } = new(new(9, 0), new(12, 0), new(14, 0), new(18, 0));

    public TimeSpan PerDay => (MorningEnd - MorningStart) + (AfternoonEnd - AfternoonStart);

    public IEnumerable<(TimeOnly Start, TimeOnly End)> Spans()
    {
        yield return (MorningStart, MorningEnd);
        yield return (AfternoonStart, AfternoonEnd);
    }
}

/// <summary>
/// The working calendar of the city: weekends off, announced holidays off, announced make-up days on. All times
/// in and out are UTC; days are counted in China Standard Time (UTC+8, no daylight saving).
/// </summary>
/// <remarks>
/// Working-day limits follow the rule of Chinese administrative procedure: the day a period starts is not counted,
/// and the period ends at the close (24:00) of its last working day. So a 3-working-day limit starting on a
/// Thursday ends at midnight after the following Tuesday.
/// </remarks>
public sealed class WorkingCalendar
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    private readonly Dictionary<DateOnly, CalendarDay> exceptions;

    public WorkingCalendar(IEnumerable<CalendarDay> exceptions, OfficeHours? hours = null)
    {
        this.exceptions = [];
        foreach (var day in exceptions)
        {
            this.exceptions[day.Date] = day;
        }

        Hours = hours ?? OfficeHours.Default;
    }

    /// <summary>Weekends only; for tests and cities without announcements.</summary>
    public static WorkingCalendar WeekendsOnly { get; } = new([]);

    public OfficeHours Hours { get; }

    public IReadOnlyCollection<CalendarDay> Exceptions => exceptions.Values;

    public static DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(utc + Offset);

    public static DateTime LocalTime(DateTime utc) => utc + Offset;

    /// <summary>The UTC instant of a local (UTC+8) date and time.</summary>
    public static DateTime ToUtc(DateOnly day, TimeOnly time) =>
        DateTime.SpecifyKind(day.ToDateTime(time) - Offset, DateTimeKind.Utc);

    public bool IsWorkingDay(DateOnly day)
    {
        if (exceptions.TryGetValue(day, out var exception))
        {
            return exception.Kind == DayKind.Workday;
        }

        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    public string? NameOf(DateOnly day) => exceptions.TryGetValue(day, out var exception) ? exception.Name : null;

    /// <summary>The end (24:00 local) of the <paramref name="days"/>-th working day after the local day of
    /// <paramref name="startUtc"/>; zero days is the end of the start day itself.</summary>
    public DateTime AddWorkingDays(DateTime startUtc, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var day = LocalDate(startUtc);
        for (var counted = 0; counted < days;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }

        return ToUtc(day.AddDays(1), TimeOnly.MinValue);
    }

    /// <summary>Working days <c>d</c> with local(<paramref name="fromUtc"/>) &lt; d ≤ local(<paramref name="toUtc"/>):
    /// how many working days a suspension took out of a working-day clock.</summary>
    public int WorkingDaysBetween(DateTime fromUtc, DateTime toUtc)
    {
        var count = 0;
        for (var day = LocalDate(fromUtc).AddDays(1); day <= LocalDate(toUtc); day = day.AddDays(1))
        {
            count += IsWorkingDay(day) ? 1 : 0;
        }

        return count;
    }

    /// <summary>The instant when <paramref name="hours"/> of office time have passed from <paramref name="startUtc"/>.</summary>
    public DateTime AddWorkingHours(DateTime startUtc, TimeSpan hours)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, TimeSpan.Zero);
        if (hours == TimeSpan.Zero)
        {
            // Nothing to add (a suspension that took no office time): a due time at 12:00 or 18:00 must not move.
            return startUtc;
        }

        var local = LocalTime(startUtc);
        var day = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        var left = hours;

        // 400 years of days is a bound no real limit reaches; it keeps a bad calendar from looping forever.
        for (var guard = 0; guard < 146_000; guard++, day = day.AddDays(1), time = TimeOnly.MinValue)
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }

            foreach (var (start, end) in Hours.Spans())
            {
                var from = time > start ? time : start;
                if (from >= end)
                {
                    continue;
                }

                var available = end - from;
                if (left <= available)
                {
                    // A limit that ends exactly at a closing time ends then, not at the next opening.
                    return ToUtc(day, TimeOnly.MinValue).Add(from.ToTimeSpan() + left);
                }

                left -= available;
            }
        }

        throw new InvalidOperationException("The calendar has no working hours.");
    }

    /// <summary>Office time between two instants (zero when <paramref name="toUtc"/> is not later).</summary>
    public TimeSpan WorkingHoursBetween(DateTime fromUtc, DateTime toUtc)
    {
        var total = TimeSpan.Zero;
        if (toUtc <= fromUtc)
        {
            return total;
        }

        var from = LocalTime(fromUtc);
        var to = LocalTime(toUtc);
        for (var day = DateOnly.FromDateTime(from); day <= DateOnly.FromDateTime(to); day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }

            foreach (var (start, end) in Hours.Spans())
            {
                var spanStart = day.ToDateTime(start);
                var spanEnd = day.ToDateTime(end);
                var a = spanStart > from ? spanStart : from;
                var b = spanEnd < to ? spanEnd : to;
                if (b > a)
                {
                    total += b - a;
                }
            }
        }

        return total;
    }
}
