using Microsoft.EntityFrameworkCore;
using Suban.Core.Lifecycle;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

public sealed class DemoTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DemoCity_SpreadsAcrossStatesChannelsAndDistricts_WithLegalTimelines(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider, new Dictionary<string, string>
        {
            ["Demo:Seed"] = "true",
            ["Demo:Password"] = "Demo-password-1",
            ["Demo:Requests"] = "600",
        });

        var requests = await app.WithDbAsync(db => db.Requests.AsNoTracking().Include(r => r.Events).ToListAsync());
        requests.Count.ShouldBe(600);
        requests.Select(r => r.State).Distinct().ShouldBe(Enum.GetValues<RequestState>(), ignoreOrder: true);
        requests.Select(r => r.Channel).Distinct().Count().ShouldBeGreaterThanOrEqualTo(6);
        requests.Select(r => r.TrackingNumber).Distinct().Count().ShouldBe(600);
        requests.ShouldAllBe(r => r.SubmittedAt <= app.Clock.GetUtcNow().UtcDateTime && r.SubmittedAt >= app.Clock.GetUtcNow().UtcDateTime.AddDays(-90));
        requests.ShouldAllBe(r => !r.Description.Contains("{place}"));

        // Every timeline is one the lifecycle table allows, step by step, ending in the request's state.
        foreach (var request in requests)
        {
            var events = request.Events.OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
            events[0].Action.ShouldBe(RequestAction.Submit);
            var state = RequestLifecycle.Initial;
            foreach (var step in events.Skip(1))
            {
                var decision = RequestLifecycle.Decide(state, step.Action, step.ActorRole);
                decision.IsAllowed.ShouldBeTrue($"{request.TrackingNumber}: {state} {step.Action} by {step.ActorRole}");
                state = decision.Transition!.To;
                step.ToState.ShouldBe(state);
            }

            state.ShouldBe(request.State, request.TrackingNumber);
        }

        // Every district appears, and a demo account per role exists.
        var districts = await app.WithDbAsync(db => db.Requests.Select(r => r.AddressText!.Substring(3, 3)).Distinct().CountAsync());
        districts.ShouldBeGreaterThanOrEqualTo(9);
        var demoUsers = await app.WithDbAsync(db => db.Users.CountAsync(u => u.IsDemo));
        demoUsers.ShouldBe(Suban.Web.Demo.DemoSeeder.Accounts.Count);

        // The timelines' clocks: every open request has a running one, finished late ones are on the record, and
        // the league table has units to rank.
        await app.WithDbAsync(async db =>
        {
            var open = new[] { RequestState.Submitted, RequestState.Dispatched, RequestState.InProgress, RequestState.Returned, RequestState.Reopened, RequestState.Replied };
            var openWithoutClock = await db.Requests.CountAsync(r => open.Contains(r.State) && !db.Clocks.Any(c => c.RequestId == r.Id && c.Status == Core.Deadlines.ClockStatus.Running));
            openWithoutClock.ShouldBe(0);
            (await db.OverdueRecords.CountAsync()).ShouldBeGreaterThan(0);
            (await db.Clocks.CountAsync(c => c.Kind == Core.Deadlines.ClockKind.Handling && c.Status == Core.Deadlines.ClockStatus.Stopped && !c.Overdue)).ShouldBeGreaterThan(0);
        });
        var league = await app.WithServiceAsync<Deadlines.LeagueTable, Deadlines.League>(t =>
            t.ComputeAsync(Deadlines.Period.Containing(Deadlines.PeriodKind.Year, Core.Deadlines.WorkingCalendar.LocalDate(app.Clock.GetUtcNow().UtcDateTime)), CancellationToken.None));
        league.Rows.Count.ShouldBeGreaterThan(10);

        // The hotspot desk has something to show: night work near 岗厦村, rubbish back at 莲花一村.
        var hotspots = await app.WithServiceAsync<Web.Catalogue.CatalogueStore, Web.Hotspots.HotspotReport>(catalogue => app.WithDbAsync(db =>
            Web.Hotspots.HotspotReport.LoadAsync(db, Web.Infrastructure.Actor.System, catalogue, new Web.Hotspots.HotspotOptions(), app.Clock.GetUtcNow().UtcDateTime, CancellationToken.None)));
        var hotspot = hotspots.Hotspots.ShouldHaveSingleItem();
        (hotspot.Area, hotspot.MatterCode, hotspot.Level, hotspot.People).ShouldBe(("440304004", "03.01.002", Core.Hotspots.HotspotLevel.Hotspot, 6));
        hotspots.Recurrences.ShouldContain(r => r.Area == "440304009" && r.MatterCode == "08.04.002");
        requests.Where(r => r.StreetCode != null).Count().ShouldBe(600);
    }
}
