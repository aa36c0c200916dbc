using System.Collections.Concurrent;

namespace Suban.Web.Tests.Support;

/// <summary>One app per provider for a test class, started on first use. Tests keep to their own requests.</summary>
public sealed class Apps : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<SubanApp>>> apps = new();

    public Task<SubanApp> For(string provider) =>
        apps.GetOrAdd(provider, p => new Lazy<Task<SubanApp>>(() => SubanApp.StartAsync(p))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in apps.Values.Where(a => a.IsValueCreated))
        {
            await (await app.Value).DisposeAsync();
        }
    }
}
