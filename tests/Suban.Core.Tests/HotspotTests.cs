using Suban.Core.Hotspots;

namespace Suban.Core.Tests;

public sealed class HotspotTests
{
    private static readonly DateTime Now = new(2026, 11, 30, 4, 0, 0, DateTimeKind.Utc);
    private static readonly HotspotRules Rules = new(TimeSpan.FromDays(7), TimeSpan.FromDays(28));

    private static IEnumerable<HotspotSample> Samples(string area, string matter, int people, int perPerson = 1, double daysAgo = 1, long firstId = 1) =>
        Enumerable.Range(0, people * perPerson).Select(i => new HotspotSample(firstId + i, area, matter, Now.AddDays(-daysAgo).AddHours(-i), $"p{i % people}"));

    [Theory]
    [InlineData(2, 0, null)]
    [InlineData(3, 0, HotspotLevel.EarlyWarning)]
    [InlineData(4, 0, HotspotLevel.EarlyWarning)]
    [InlineData(5, 0, HotspotLevel.Hotspot)]
    [InlineData(9, 0, HotspotLevel.Hotspot)]
    // 20 in four weeks expects 5 a week: 9 is less than twice that, 10 is twice.
    [InlineData(9, 20, null)]
    [InlineData(10, 20, HotspotLevel.Hotspot)]
    public void Find_PeopleInTheWindowAgainstTheBaseline_DecideTheLevel(int people, int baseline, HotspotLevel? level)
    {
        var found = HotspotDetector.Find(Samples("440304004", "03.01.002", people), [new BaselineCount("440304004", "03.01.002", baseline)], Now, Rules);
        if (level is null)
        {
            found.ShouldBeEmpty();
            return;
        }

        var hotspot = found.ShouldHaveSingleItem();
        hotspot.Level.ShouldBe(level.Value);
        hotspot.Count.ShouldBe(people);
        hotspot.People.ShouldBe(people);
        hotspot.Expected.ShouldBe(baseline / 4.0);
        hotspot.Ids.Count.ShouldBe(people);
    }

    [Fact]
    public void Find_OnePersonCallingAgainAndAgain_IsNotAHotspot()
    {
        HotspotDetector.Find(Samples("440304004", "03.01.002", people: 2, perPerson: 6), [], Now, Rules).ShouldBeEmpty();

        var three = HotspotDetector.Find(Samples("440304004", "03.01.002", people: 3, perPerson: 3), [], Now, Rules).ShouldHaveSingleItem();
        three.Count.ShouldBe(9);
        three.People.ShouldBe(3);
        three.Level.ShouldBe(HotspotLevel.EarlyWarning);
    }

    [Fact]
    public void Find_OtherPlacesMattersAndTimes_AreCountedApart()
    {
        var samples = Samples("440304004", "03.01.002", 3)
            .Concat(Samples("440304009", "03.01.002", 2, firstId: 100))
            .Concat(Samples("440304004", "08.05.001", 2, firstId: 200))
            .Concat(Samples("440304004", "03.01.002", 5, daysAgo: 9, firstId: 300)) // before the window
            .Concat(Samples("440304004", "03.01.002", 5, daysAgo: -1, firstId: 400)); // after "now"
        var hotspot = HotspotDetector.Find(samples, [], Now, Rules).ShouldHaveSingleItem();
        hotspot.Ids.ShouldBe([3, 2, 1]);
        hotspot.FirstAt.ShouldBe(Now.AddDays(-1).AddHours(-2));
        hotspot.LastAt.ShouldBe(Now.AddDays(-1));
    }

    [Fact]
    public void Find_OrdersHotspotsBeforeWarnings_ThenTheMostUnusual()
    {
        var samples = Samples("A", "m", 4)
            .Concat(Samples("B", "m", 6, firstId: 100))
            .Concat(Samples("C", "m", 12, firstId: 200));
        var found = HotspotDetector.Find(samples, [new BaselineCount("C", "m", 20)], Now, Rules);
        found.Select(h => h.Area).ShouldBe(["B", "C", "A"]);
        found[0].Score.ShouldBe(6);
        found[1].Score.ShouldBe(Math.Round((12 - 5) / Math.Sqrt(5), 2));
        found[2].Level.ShouldBe(HotspotLevel.EarlyWarning);
    }

    [Fact]
    public void Find_TheCentreIsTheMeanOfTheRequestsWithCoordinates()
    {
        var samples = Samples("A", "m", 3).ToList();
        samples[0] = samples[0] with { Latitude = 22.5, Longitude = 114.0 };
        samples[1] = samples[1] with { Latitude = 22.6, Longitude = 114.2 };
        var hotspot = HotspotDetector.Find(samples, [], Now, Rules).ShouldHaveSingleItem();
        hotspot.Latitude!.Value.ShouldBe(22.55, 1e-9);
        hotspot.Longitude!.Value.ShouldBe(114.1, 1e-9);
    }

    [Theory]
    [InlineData(0, 28, 3, 5, 2.0, "window")]
    [InlineData(7, 0, 3, 5, 2.0, "baseline")]
    [InlineData(7, 28, 1, 5, 2.0, "two people")]
    [InlineData(7, 28, 4, 3, 2.0, "as many people")]
    [InlineData(7, 28, 3, 5, 0.5, "ratio")]
    [InlineData(7, 28, 3, 5, 2.0, null)]
    public void Rules_OutOfRange_SayWhich(int windowDays, int baselineDays, int warning, int hotspot, double ratio, string? problem)
    {
        var valid = new HotspotRules(TimeSpan.FromDays(windowDays), TimeSpan.FromDays(baselineDays), warning, hotspot, ratio).IsValid(out var message);
        valid.ShouldBe(problem is null);
        if (problem is not null)
        {
            message.ShouldNotBeNull().ShouldContain(problem);
        }
    }

    private static HotspotSample New(long id, string area, string matter, double daysAgo, double? lat = null, double? lon = null) =>
        new(id, area, matter, Now.AddDays(-daysAgo), $"p{id}", lat, lon);

    private static ResolvedSample Resolved(long id, string area, string matter, double daysAgo, double? lat = null, double? lon = null) =>
        new(id, area, matter, Now.AddDays(-daysAgo), lat, lon);

    [Fact]
    public void Recurrence_SameMatterAndPlaceAfterItWasResolved_IsFound_WithTheLatestEarlierOne()
    {
        var found = RecurrenceFinder.Find(
            [New(10, "S1", "m", daysAgo: 2)],
            [Resolved(1, "S1", "m", daysAgo: 60), Resolved(2, "S1", "m", daysAgo: 30), Resolved(3, "S1", "m", daysAgo: 1)],
            TimeSpan.FromDays(90),
            300);
        var recurrence = found.ShouldHaveSingleItem();
        recurrence.EarlierId.ShouldBe(2); // 3 was resolved after the new one came in
        recurrence.After.ShouldBe(TimeSpan.FromDays(28));
        recurrence.Metres.ShouldBeNull();
    }

    [Theory]
    [InlineData("S2", "m", 30, null, false)] // another street
    [InlineData("S1", "n", 30, null, false)] // another matter
    [InlineData("S1", "m", 95, null, false)] // resolved too long ago
    [InlineData("S1", "m", 30, 0.001, true)] // ~110 m apart
    [InlineData("S1", "m", 30, 0.01, false)] // ~1.1 km apart: the same street, not the same place
    public void Recurrence_OnlyTheSameMatterPlaceAndRecentEnough(string area, string matter, double resolvedDaysAgo, double? apart, bool found)
    {
        var recent = New(10, "S1", "m", daysAgo: 2, lat: 22.54, lon: 114.05);
        var earlier = Resolved(1, area, matter, resolvedDaysAgo, lat: apart is null ? null : 22.54 + apart, lon: apart is null ? null : 114.05);
        var result = RecurrenceFinder.Find([recent], [earlier], TimeSpan.FromDays(90), 300);
        result.Count.ShouldBe(found ? 1 : 0);
        if (found && apart is not null)
        {
            result[0].Metres!.Value.ShouldBe(111, 1);
        }
    }

    [Fact]
    public void Recurrence_TheRequestItself_IsNotItsOwnRecurrence()
    {
        RecurrenceFinder.Find([New(10, "S1", "m", daysAgo: 2)], [Resolved(10, "S1", "m", daysAgo: 5)], TimeSpan.FromDays(90), 300).ShouldBeEmpty();
    }
}
