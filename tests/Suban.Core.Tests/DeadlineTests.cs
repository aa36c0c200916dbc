using System.Globalization;
using Suban.Core.Deadlines;

namespace Suban.Core.Tests;

/// <summary>
/// Deadlines against the real State Council calendars in data/calendar. Every expected value was counted by hand
/// on a printed calendar; times in the tables are local (UTC+8) and "24:00" of a day is written as 00:00 of the next.
/// </summary>
public sealed class DeadlineTests
{
    private static readonly WorkingCalendar China = LoadCalendar();

    private static WorkingCalendar LoadCalendar()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "data", "calendar")))
        {
            directory = directory.Parent;
        }

        directory.ShouldNotBeNull("no data/calendar above the test binaries");
        var days = new List<CalendarDay>();
        foreach (var file in Directory.GetFiles(Path.Combine(directory.FullName, "data", "calendar"), "cn-*.csv"))
        {
            foreach (var line in File.ReadLines(file).Skip(1).Where(l => l.Length > 0))
            {
                var fields = line.Split(',', 3);
                var kind = fields[1] switch
                {
                    "holiday" => DayKind.Holiday,
                    "workday" => DayKind.Workday,
                    _ => throw new InvalidDataException($"{file}: unknown kind in '{line}'"),
                };
                days.Add(new CalendarDay(DateOnly.ParseExact(fields[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), kind, fields[2]));
            }
        }

        return new WorkingCalendar(days);
    }

    /// <summary>A local (UTC+8) "yyyy-MM-dd HH:mm" as the UTC instant the calendar works with.</summary>
    private static DateTime At(string local)
    {
        var time = DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return WorkingCalendar.ToUtc(DateOnly.FromDateTime(time), TimeOnly.FromDateTime(time));
    }

    private static DateOnly Day(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public void ToUtc_LocalMorning_IsEightHoursEarlier()
    {
        At("2026-03-09 08:00").ShouldBe(new DateTime(2026, 3, 9, 0, 0, 0, DateTimeKind.Utc));
        At("2026-03-09 07:00").ShouldBe(new DateTime(2026, 3, 8, 23, 0, 0, DateTimeKind.Utc));
        At("2026-03-09 07:00").Kind.ShouldBe(DateTimeKind.Utc);
        WorkingCalendar.LocalDate(new DateTime(2026, 3, 8, 16, 0, 0, DateTimeKind.Utc)).ShouldBe(Day("2026-03-09"));
    }

    [Theory]
    [InlineData(2025)]
    [InlineData(2026)]
    public void CalendarFile_EachYear_MakeUpDaysOnWeekendsAnd248WorkingDays(int year)
    {
        var days = China.Exceptions.Where(d => d.Date.Year == year).ToList();

        days.ShouldNotBeEmpty();
        days.Where(d => d.Kind == DayKind.Workday)
            .ShouldAllBe(d => d.Date.DayOfWeek == DayOfWeek.Saturday || d.Date.DayOfWeek == DayOfWeek.Sunday);
        days.ShouldAllBe(d => !string.IsNullOrWhiteSpace(d.Name));
        China.WorkingDaysBetween(At($"{year - 1}-12-31 12:00"), At($"{year}-12-31 12:00")).ShouldBe(248);
    }

    [Theory]
    [InlineData("2026-03-11", true)] // an ordinary Wednesday
    [InlineData("2026-03-14", false)] // an ordinary Saturday
    [InlineData("2026-03-15", false)] // an ordinary Sunday
    [InlineData("2025-01-01", false)] // 元旦, a Wednesday, no make-up day
    [InlineData("2025-01-25", false)] // Saturday before the make-up Sunday
    [InlineData("2025-01-26", true)] // Sunday, 春节调休上班
    [InlineData("2025-01-28", false)] // 除夕, Tuesday
    [InlineData("2025-02-01", false)] // Saturday inside 春节
    [InlineData("2025-02-04", false)] // 初七, Tuesday, last day off
    [InlineData("2025-02-05", true)]
    [InlineData("2025-02-08", true)] // Saturday, 春节调休上班
    [InlineData("2025-02-09", false)]
    [InlineData("2025-04-27", true)] // Sunday, 劳动节调休上班
    [InlineData("2025-05-05", false)] // Monday, 劳动节
    [InlineData("2025-06-02", false)] // Monday, 端午节
    [InlineData("2025-09-28", true)] // Sunday, 国庆节、中秋节调休上班
    [InlineData("2025-10-08", false)] // Wednesday, last day of the 8-day block
    [InlineData("2025-10-09", true)]
    [InlineData("2025-10-11", true)] // Saturday, make-up
    [InlineData("2026-01-02", false)] // Friday, 元旦
    [InlineData("2026-01-04", true)] // Sunday, 元旦调休上班
    [InlineData("2026-02-14", true)] // Saturday, 春节调休上班
    [InlineData("2026-02-15", false)]
    [InlineData("2026-02-23", false)] // Monday, last day of 春节
    [InlineData("2026-02-24", true)]
    [InlineData("2026-02-28", true)] // Saturday, 春节调休上班
    [InlineData("2026-04-06", false)] // Monday, 清明节
    [InlineData("2026-05-09", true)] // Saturday, 劳动节调休上班
    [InlineData("2026-06-19", false)] // Friday, 端午节
    [InlineData("2026-09-20", true)] // Sunday, 国庆节调休上班
    [InlineData("2026-09-25", false)] // Friday, 中秋节
    [InlineData("2026-10-07", false)] // Wednesday, 国庆节
    [InlineData("2026-10-08", true)]
    [InlineData("2026-10-10", true)] // Saturday, make-up
    public void IsWorkingDay_RealCalendar_FollowsArrangement(string day, bool working) =>
        China.IsWorkingDay(Day(day)).ShouldBe(working);

    [Fact]
    public void NameOf_ListedAndUnlistedDays_NameOrNull()
    {
        China.NameOf(Day("2026-02-14")).ShouldBe("春节调休上班");
        China.NameOf(Day("2025-10-03")).ShouldBe("国庆节、中秋节");
        China.NameOf(Day("2026-03-11")).ShouldBeNull();
    }

    [Theory]
    // start (local), working days, due (local; 00:00 is 24:00 of the day before)
    [InlineData("2026-03-09 09:00", 1, "2026-03-11 00:00")] // Monday is not counted: ends with Tuesday
    [InlineData("2026-03-12 10:00", 3, "2026-03-18 00:00")] // Thursday + 3: Fri, Mon, Tue
    [InlineData("2026-03-13 16:00", 1, "2026-03-17 00:00")] // Friday over the weekend: Monday
    [InlineData("2026-03-12 23:30", 1, "2026-03-14 00:00")] // late Thursday: Friday
    [InlineData("2026-03-13 07:00", 1, "2026-03-17 00:00")] // local Friday though the UTC date is Thursday
    [InlineData("2026-03-09 15:30", 0, "2026-03-10 00:00")] // zero: end of the start day
    [InlineData("2026-03-14 10:00", 0, "2026-03-15 00:00")] // zero on a Saturday: still the end of that day
    [InlineData("2025-01-24 10:00", 3, "2025-02-06 00:00")] // Fri: Sun 1/26 (make-up), Mon 1/27, then 春节 to Wed 2/5
    [InlineData("2025-02-05 10:00", 3, "2025-02-09 00:00")] // Wed: Thu, Fri, Sat 2/8 (make-up)
    [InlineData("2026-02-12 10:00", 3, "2026-02-25 00:00")] // Thu: Fri 2/13, Sat 2/14 (make-up), Tue 2/24
    [InlineData("2026-02-13 10:00", 3, "2026-02-26 00:00")] // Fri: Sat 2/14 (make-up), Tue 2/24, Wed 2/25
    [InlineData("2026-02-13 10:00", 10, "2026-03-06 00:00")] // ... 2/26, 2/27, Sat 2/28 (make-up), 3/2 – 3/5
    [InlineData("2026-02-14 10:00", 1, "2026-02-25 00:00")] // from the make-up Saturday: Tue 2/24
    [InlineData("2025-09-26 10:00", 5, "2025-10-11 00:00")] // Fri: Sun 9/28 (make-up), 9/29, 9/30, then Thu 10/9, Fri 10/10
    [InlineData("2025-09-26 10:00", 6, "2025-10-12 00:00")] // ... and Sat 10/11 (make-up)
    [InlineData("2026-09-23 10:00", 5, "2026-10-09 00:00")] // Wed: Thu 9/24, (中秋) 9/28, 9/29, 9/30, (国庆) Thu 10/8
    [InlineData("2026-09-18 10:00", 3, "2026-09-23 00:00")] // Fri: Sun 9/20 (make-up), Mon, Tue
    [InlineData("2025-12-31 10:00", 1, "2026-01-05 00:00")] // across the year: 元旦 1/1 – 1/3, Sun 1/4 (make-up)
    [InlineData("2025-02-01 10:00", 1, "2025-02-06 00:00")] // start on a 春节 Saturday: Wed 2/5
    [InlineData("2026-10-01 10:00", 2, "2026-10-10 00:00")] // start on 国庆节: Thu 10/8, Fri 10/9
    public void AddWorkingDays_StartDayNotCounted_EndsAtMidnightAfterLastDay(string start, int days, string due) =>
        China.AddWorkingDays(At(start), days).ShouldBe(At(due));

    [Fact]
    public void AddWorkingDays_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => China.AddWorkingDays(At("2026-03-09 10:00"), -1));

    [Theory]
    [InlineData("2026-03-09 10:00", "2026-03-11 10:00", 2)] // Mon → Wed: Tue, Wed
    [InlineData("2026-03-09 10:00", "2026-03-09 17:00", 0)] // same day
    [InlineData("2026-03-13 17:00", "2026-03-15 20:00", 0)] // Fri → Sun
    [InlineData("2026-03-13 17:00", "2026-03-16 09:00", 1)] // Fri → Mon
    [InlineData("2026-03-11 10:00", "2026-03-09 10:00", 0)] // backwards
    [InlineData("2026-02-13 10:00", "2026-02-25 10:00", 3)] // Sat 2/14 (make-up), Tue 2/24, Wed 2/25
    [InlineData("2025-09-30 10:00", "2025-10-11 10:00", 3)] // Thu 10/9, Fri 10/10, Sat 10/11 (make-up)
    public void WorkingDaysBetween_Range_CountsWorkingDaysAfterStartThroughEnd(string from, string to, int expected) =>
        China.WorkingDaysBetween(At(from), At(to)).ShouldBe(expected);

    [Theory]
    // start (local), office hours, end (local)
    [InlineData("2026-03-09 09:30", 2.0, "2026-03-09 11:30")] // within the morning
    [InlineData("2026-03-09 11:00", 2.0, "2026-03-09 15:00")] // across lunch
    [InlineData("2026-03-09 10:00", 2.0, "2026-03-09 12:00")] // exactly to noon: not 14:00
    [InlineData("2026-03-09 15:00", 3.0, "2026-03-09 18:00")] // exactly to closing: not 9:00 next day
    [InlineData("2026-03-09 09:00", 7.0, "2026-03-09 18:00")] // one whole day
    [InlineData("2026-03-09 09:00", 8.0, "2026-03-10 10:00")]
    [InlineData("2026-03-09 17:00", 2.0, "2026-03-10 10:00")] // across the end of the day
    [InlineData("2026-03-09 10:15", 0.5, "2026-03-09 10:45")]
    [InlineData("2026-03-13 16:00", 4.0, "2026-03-16 11:00")] // Friday over the weekend
    [InlineData("2026-03-14 10:00", 2.0, "2026-03-16 11:00")] // from a Saturday
    [InlineData("2026-04-03 17:00", 3.0, "2026-04-07 11:00")] // over 清明节 (Sat 4/4 – Mon 4/6)
    [InlineData("2026-02-13 17:00", 8.0, "2026-02-14 18:00")] // 1 h Friday, 7 h on the make-up Saturday
    [InlineData("2026-02-13 17:00", 9.0, "2026-02-24 10:00")] // ... then over 春节
    [InlineData("2026-03-09 07:00", 1.0, "2026-03-09 10:00")] // before opening
    [InlineData("2026-03-09 12:30", 1.0, "2026-03-09 15:00")] // at lunch
    [InlineData("2026-03-09 20:00", 1.0, "2026-03-10 10:00")] // after closing
    [InlineData("2026-03-09 10:00", 0.0, "2026-03-09 10:00")]
    [InlineData("2026-03-13 18:00", 0.0, "2026-03-13 18:00")] // zero from a closing time stays there
    public void AddWorkingHours_Cases_CountsOnlyOfficeHours(string start, double hours, string end)
    {
        China.AddWorkingHours(At(start), TimeSpan.FromHours(hours)).ShouldBe(At(end));
        China.WorkingHoursBetween(At(start), At(end)).ShouldBe(TimeSpan.FromHours(hours));
    }

    [Theory]
    [InlineData("2026-03-09 11:00", "2026-03-09 15:00", 2.0)]
    [InlineData("2026-03-09 12:15", "2026-03-09 13:45", 0.0)] // inside lunch
    [InlineData("2026-03-13 16:00", "2026-03-16 11:00", 4.0)]
    [InlineData("2026-03-09 08:00", "2026-03-09 19:00", 7.0)]
    [InlineData("2026-02-13 09:00", "2026-02-25 09:00", 21.0)] // Fri, Sat 2/14 (make-up), Tue 2/24
    [InlineData("2026-03-09 15:00", "2026-03-09 11:00", 0.0)] // backwards
    public void WorkingHoursBetween_Range_OfficeTime(string from, string to, double hours) =>
        China.WorkingHoursBetween(At(from), At(to)).ShouldBe(TimeSpan.FromHours(hours));

    [Fact]
    public void AddWorkingHours_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => China.AddWorkingHours(At("2026-03-09 10:00"), TimeSpan.FromHours(-1)));

    [Theory]
    [InlineData(ClockBasis.Elapsed, 24.0, "2026-03-13 10:00", "2026-03-14 10:00")]
    [InlineData(ClockBasis.Elapsed, 1.5, "2026-03-13 10:00", "2026-03-13 11:30")]
    [InlineData(ClockBasis.WorkingHours, 8.0, "2026-03-13 10:00", "2026-03-16 11:00")] // 6 h Friday, 2 h Monday
    [InlineData(ClockBasis.WorkingHours, 2.0, "2026-02-13 17:00", "2026-02-14 10:00")] // make-up Saturday
    [InlineData(ClockBasis.WorkingDays, 3.0, "2026-03-12 10:00", "2026-03-18 00:00")]
    [InlineData(ClockBasis.WorkingDays, 3.0, "2026-02-13 10:00", "2026-02-26 00:00")]
    [InlineData(ClockBasis.WorkingDays, 1.0, "2026-03-09 00:00", "2026-03-11 00:00")] // a start at midnight opens Monday
    public void DueFrom_EachBasis_Due(ClockBasis basis, double amount, string start, string due) =>
        new TimeLimit(basis, amount).DueFrom(At(start), China).ShouldBe(At(due));

    [Fact]
    public void Factories_EachBasis_BasisAndAmount()
    {
        TimeLimit.Hours(2).ShouldBe(new TimeLimit(ClockBasis.Elapsed, 2));
        TimeLimit.WorkingHours(4).ShouldBe(new TimeLimit(ClockBasis.WorkingHours, 4));
        TimeLimit.WorkingDays(5).ShouldBe(new TimeLimit(ClockBasis.WorkingDays, 5));
    }

    [Theory]
    [InlineData(ClockBasis.WorkingDays, "2026-03-14 00:00", 2.0, "2026-03-18 00:00")] // end of Friday + Mon, Tue
    [InlineData(ClockBasis.WorkingDays, "2026-02-14 00:00", 2.0, "2026-02-25 00:00")] // end of Fri 2/13 + Sat 2/14, Tue 2/24
    [InlineData(ClockBasis.WorkingDays, "2026-03-14 00:00", 0.0, "2026-03-14 00:00")]
    [InlineData(ClockBasis.WorkingHours, "2026-03-13 18:00", 2.0, "2026-03-16 11:00")]
    [InlineData(ClockBasis.Elapsed, "2026-03-13 18:00", 2.0, "2026-03-13 20:00")]
    public void Extend_EachBasis_MovesDueLater(ClockBasis basis, string due, double amount, string extended) =>
        TimeLimit.Extend(basis, At(due), amount, China).ShouldBe(At(extended));

    [Theory]
    // basis, due, paused, resumed, new due (all local)
    [InlineData(ClockBasis.Elapsed, "2026-03-13 18:00", "2026-03-09 10:00", "2026-03-09 13:30", "2026-03-13 21:30")]
    [InlineData(ClockBasis.Elapsed, "2026-03-13 18:00", "2026-03-09 10:00", "2026-03-09 10:00", "2026-03-13 18:00")]
    [InlineData(ClockBasis.WorkingHours, "2026-03-13 18:00", "2026-03-09 11:00", "2026-03-09 15:00", "2026-03-16 11:00")] // 2 office hours
    [InlineData(ClockBasis.WorkingHours, "2026-03-13 18:00", "2026-03-06 18:30", "2026-03-09 08:30", "2026-03-13 18:00")] // over a weekend
    [InlineData(ClockBasis.WorkingHours, "2026-03-13 12:00", "2026-03-09 12:00", "2026-03-09 14:00", "2026-03-13 12:00")] // over lunch
    [InlineData(ClockBasis.WorkingDays, "2026-03-18 00:00", "2026-03-13 18:00", "2026-03-15 20:00", "2026-03-18 00:00")] // over a weekend
    [InlineData(ClockBasis.WorkingDays, "2026-03-13 00:00", "2026-03-09 10:00", "2026-03-11 10:00", "2026-03-17 00:00")] // Mon → Wed: 2 days
    [InlineData(ClockBasis.WorkingDays, "2026-02-14 00:00", "2026-02-12 10:00", "2026-02-24 10:00", "2026-02-26 00:00")] // 3 days over 春节
    [InlineData(ClockBasis.WorkingDays, "2026-03-13 00:00", "2026-03-11 10:00", "2026-03-09 10:00", "2026-03-13 00:00")] // backwards
    public void Resume_EachBasis_AddsTimeThatWouldHaveCounted(ClockBasis basis, string due, string paused, string resumed, string expected) =>
        TimeLimit.Resume(basis, At(due), At(paused), At(resumed), China).ShouldBe(At(expected));

    [Theory]
    [InlineData("2026-03-09 10:00", "2026-03-09 20:00", 0.8, "2026-03-09 18:00")]
    [InlineData("2026-03-12 10:00", "2026-03-18 00:00", 0.8, "2026-03-16 21:12")] // 134 h × 0.8 = 107 h 12 min
    [InlineData("2026-03-09 10:00", "2026-03-09 20:00", 1.5, "2026-03-09 20:00")] // clamped to the due time
    [InlineData("2026-03-09 10:00", "2026-03-09 20:00", -1.0, "2026-03-09 10:00")] // clamped to the start
    public void WarnAt_Share_PointInSpan(string start, string due, double share, string warn) =>
        TimeLimit.WarnAt(At(start), At(due), share).ShouldBe(At(warn));

    [Theory]
    [InlineData("2026-03-09 17:59", Warning.None)]
    [InlineData("2026-03-09 18:00", Warning.Yellow)]
    [InlineData("2026-03-09 19:59", Warning.Yellow)]
    [InlineData("2026-03-09 20:00", Warning.Red)]
    [InlineData("2026-03-10 09:00", Warning.Red)]
    public void WarningAt_Boundaries_Colour(string now, Warning expected) =>
        TimeLimit.WarningAt(At(now), At("2026-03-09 18:00"), At("2026-03-09 20:00")).ShouldBe(expected);

    [Fact]
    public void WarningAt_OneTickBeforeDue_Yellow() =>
        TimeLimit.WarningAt(At("2026-03-09 20:00").AddTicks(-1), At("2026-03-09 18:00"), At("2026-03-09 20:00")).ShouldBe(Warning.Yellow);

    private static readonly DateTime WarnTime = At("2026-03-09 18:00");
    private static readonly DateTime DueTime = At("2026-03-09 20:00");
    private static readonly DateTime EscalateTime = At("2026-03-10 20:00");

    private static LadderStep Advance(int step, DateTime now) => ReminderLadder.Advance(step, WarnTime, DueTime, EscalateTime, now);

    [Fact]
    public void Advance_BeforeWarn_Nothing() =>
        ShouldBeStep(Advance(0, WarnTime.AddMinutes(-1)), 0, null, [], false, WarnTime);

    [Fact]
    public void Advance_AtWarnThenAgain_SendsUnitOnce()
    {
        var first = Advance(0, WarnTime);
        ShouldBeStep(first, 1, ReminderLevel.Unit, [], false, DueTime);

        ShouldBeStep(Advance(first.Step, WarnTime), 1, null, [], false, DueTime);
    }

    [Fact]
    public void Advance_AtDue_SendsHeadAndRecordsOverdue() =>
        ShouldBeStep(Advance(1, DueTime), 2, ReminderLevel.Head, [], true, EscalateTime);

    [Fact]
    public void Advance_AtEscalate_SendsPlatform() =>
        ShouldBeStep(Advance(2, EscalateTime), 3, ReminderLevel.Platform, [], false, null);

    [Fact]
    public void Advance_CatchUpFarPastEscalate_SendsPlatformOnlySkipsUnitAndHead() =>
        ShouldBeStep(Advance(0, EscalateTime.AddDays(30)), 3, ReminderLevel.Platform, [ReminderLevel.Unit, ReminderLevel.Head], true, null);

    [Fact]
    public void Advance_FromWarnJustBeforeEscalate_SendsHeadSkipsNothing() =>
        ShouldBeStep(Advance(1, EscalateTime.AddTicks(-1)), 2, ReminderLevel.Head, [], true, EscalateTime);

    [Fact]
    public void Advance_LadderDone_Nothing() =>
        ShouldBeStep(Advance(3, EscalateTime.AddDays(60)), 3, null, [], false, null);

    private static void ShouldBeStep(LadderStep actual, int step, ReminderLevel? send, ReminderLevel[] skipped, bool recordOverdue, DateTime? nextCheck)
    {
        actual.Step.ShouldBe(step);
        actual.Send.ShouldBe(send);
        actual.Skipped.ShouldBe(skipped);
        actual.RecordOverdue.ShouldBe(recordOverdue);
        actual.NextCheck.ShouldBe(nextCheck);
    }
}
