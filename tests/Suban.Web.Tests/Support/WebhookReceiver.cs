using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Suban.Web.Tests.Support;

/// <summary>
/// A department's case system as far as webhooks go: a real HTTP server on a loopback port that records every
/// delivery and answers with whatever status the test sets.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public sealed record Received(string Path, string? Event, string? Delivery, string? Timestamp, string? Signature, string Body);

    public ConcurrentQueue<Received> Deliveries { get; } = new();

    /// <summary>The status answered to the next deliveries; 200 unless a test says otherwise.</summary>
    public int Status { get; set; } = 200;

    public string Url(string path = "/hook") => app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<IServerAddressesFeature>()!.Addresses.First() + path;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            string? Header(string name) => context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
            receiver.Deliveries.Enqueue(new Received(context.Request.Path, Header("X-Suban-Event"), Header("X-Suban-Delivery"), Header("X-Suban-Timestamp"), Header("X-Suban-Signature"), body));
            return Results.StatusCode(receiver.Status);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
