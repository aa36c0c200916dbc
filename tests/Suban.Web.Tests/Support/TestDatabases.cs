using Npgsql;

namespace Suban.Web.Tests.Support;

/// <summary>
/// The providers the suite runs on: SQLite always, PostgreSQL when SUBAN_TEST_POSTGRES holds a connection string
/// to a server where the tests may create databases.
/// </summary>
public static class TestDatabases
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static string? PostgresServer => Environment.GetEnvironmentVariable("SUBAN_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { Sqlite };
        if (PostgresServer is not null)
        {
            data.Add(Postgres);
        }

        return data;
    }

    /// <summary>Connections per app on PostgreSQL: many apps share one test server.</summary>
    public const int PoolSize = 20;

    /// <summary>A new, empty database: its provider name for configuration, and its connection string.</summary>
    public static async Task<(string Provider, string ConnectionString)> CreateAsync(string provider, int poolSize = PoolSize)
    {
        var name = $"suban_test_{Guid.NewGuid():N}";
        if (provider == Sqlite)
        {
            return ("Sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), name + ".db")};Pooling=False");
        }

        var server = PostgresServer ?? throw new InvalidOperationException("SUBAN_TEST_POSTGRES is not set.");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        // A small pool waits a few seconds for a connection, not Npgsql's 15: a test that starves it fails fast.
        return ("Postgres", new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = poolSize, Timeout = poolSize < PoolSize ? 5 : 15 }.ConnectionString);
    }
}
