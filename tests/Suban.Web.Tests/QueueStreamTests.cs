using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Suban.Web.Tests.Support;

namespace Suban.Web.Tests;

/// <summary>
/// The dispatcher's desk listens to <c>/api/v1/queue/stream</c>: an event whenever a request enters or leaves the
/// platform's queue, and only keep-alives otherwise.
/// </summary>
public sealed class QueueStreamTests
{
    /// <summary>Reads the stream in the background (a cancelled read would abort it) and queues the events' data.</summary>
    private sealed class Stream : IDisposable
    {
        private readonly StreamReader reader;
        private readonly System.Threading.Channels.Channel<int> events = System.Threading.Channels.Channel.CreateUnbounded<int>();
        private readonly CancellationTokenSource stop = new();

        public Stream(StreamReader reader)
        {
            this.reader = reader;
            _ = Task.Run(PumpAsync);
        }

        private async Task PumpAsync()
        {
            try
            {
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line == "event: queue" && await reader.ReadLineAsync(stop.Token) is { } data)
                    {
                        await events.Writer.WriteAsync(int.Parse(data["data: ".Length..], System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The test is over.
            }
        }

        /// <summary>The data of the next <c>queue</c> event; fails after the timeout.</summary>
        public async Task<int> NextQueueEventAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            return await events.Reader.ReadAsync(cancel.Token);
        }

        /// <summary>
        /// The data of the next <c>queue</c> event that does not repeat <paramref name="count"/>. A request is routed
        /// just after its intake commits, and the suggestions it then gains are a change to its card too, so a reading
        /// taken in between is followed by another with the same count.
        /// </summary>
        public async Task<int> NextQueueEventOtherThanAsync(int count, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                var next = await events.Reader.ReadAsync(cancel.Token);
                if (next != count)
                {
                    return next;
                }
            }
        }

        /// <summary>True when a <c>queue</c> event comes within <paramref name="wait"/>.</summary>
        public async Task<bool> AnyQueueEventAsync(TimeSpan wait)
        {
            try
            {
                await NextQueueEventAsync(wait);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            reader.Dispose();
            stop.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Queue_EventWhenARequestEntersOrLeaves_NoneForChangesElsewhere(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        var dispatcher = await s.Dispatcher();
        var waitingAtStart = await s.SubmitAsync(body: Scenario.Body(title: "😀", description: "！！！"));
        using var response = await dispatcher.GetAsync("/api/v1/queue/stream", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var stream = new Stream(new StreamReader(await response.Content.ReadAsStreamAsync()));

        // The first event says how many wait.
        var waiting = await stream.NextQueueEventAsync(TimeSpan.FromSeconds(10));
        waiting.ShouldBeGreaterThanOrEqualTo(1);

        // A new request enters the queue.
        var number = await s.SubmitAsync(body: Scenario.Body(title: "😀", description: "？？？"));
        (await stream.NextQueueEventAsync(TimeSpan.FromSeconds(10))).ShouldBe(waiting + 1);

        // One leaves it, as another is dispatched elsewhere: no event for what happens to it afterwards.
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{number}/dispatch", new { leadUnitCode = Scenario.Street })).EnsureSuccessStatusCode();
        (await stream.NextQueueEventOtherThanAsync(waiting + 1, TimeSpan.FromSeconds(10))).ShouldBe(waiting);
        (await (await s.Handler()).PostAsJsonAsync($"/api/v1/requests/{number}/accept", new { })).EnsureSuccessStatusCode();
        (await stream.AnyQueueEventAsync(TimeSpan.FromSeconds(5))).ShouldBeFalse();

        // One leaves and another enters: the count ends where it was, and the desk is still told (the fingerprint
        // is the count, which requests, and their newest change).
        await s.SubmitAsync(body: Scenario.Body(title: "😀", description: "。。。"));
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{waitingAtStart}/cancel", new { reason = "无实际内容" })).EnsureSuccessStatusCode();
        var last = await stream.NextQueueEventAsync(TimeSpan.FromSeconds(10));
        if (last != waiting)
        {
            last.ShouldBe(waiting + 1);
            (await stream.NextQueueEventOtherThanAsync(waiting + 1, TimeSpan.FromSeconds(10))).ShouldBe(waiting);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task OneReadingServesEveryOpenDesk_NoneWhenNoDeskIsOpen(string provider)
    {
        await using var app = await SubanApp.StartAsync(provider);
        var s = new Scenario(app);
        await s.SubmitAsync(body: Scenario.Body(title: "😀", description: "……"));
        var watch = app.Services.GetRequiredService<Suban.Web.Pages.QueueWatch>();

        var responses = new List<HttpResponseMessage>();
        var streams = new List<Stream>();
        for (var desk = 0; desk < 3; desk++)
        {
            var dispatcher = await app.ClientAsync(Suban.Web.Infrastructure.Roles.Dispatcher, "440300", userName: $"desk-{desk}");
            var response = await dispatcher.GetAsync("/api/v1/queue/stream", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            responses.Add(response);
            streams.Add(new Stream(new StreamReader(await response.Content.ReadAsStreamAsync())));
        }

        var counts = new List<int>();
        foreach (var stream in streams)
        {
            counts.Add(await stream.NextQueueEventAsync(TimeSpan.FromSeconds(10)));
        }

        counts.Distinct().Count().ShouldBe(1);
        counts[0].ShouldBeGreaterThanOrEqualTo(1);

        // Three desks for 5 s: one reading every 2 s for all of them, not one per desk (that would be 7 or more).
        var before = watch.Readings;
        await Task.Delay(TimeSpan.FromSeconds(5));
        (watch.Readings - before).ShouldBeInRange(1, 4);

        // Every desk closed: the queues are no longer read.
        foreach (var stream in streams)
        {
            stream.Dispose();
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        var idle = watch.Readings;
        await Task.Delay(TimeSpan.FromSeconds(5));
        watch.Readings.ShouldBe(idle);
    }
}
