using Npgsql;

namespace DisclosureDesk.IntegrationTests;

/// <summary>
/// A uniquely named database on the PostgreSQL server named by <c>DISCLOSUREDESK_TEST_POSTGRES</c>, dropped on
/// dispose, so parallel fixtures and repeated runs never see each other's data.
/// </summary>
public sealed class PostgreSqlTestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "DISCLOSUREDESK_TEST_POSTGRES";
    public const string MissingServerMessage = "PostgreSQL tests need " + ServerVariable + "; .ci/run sets it.";

    private PostgreSqlTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    private static string? ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    public static bool IsServerConfigured => ServerConnectionString is not null;

    /// <summary>Skips the calling test without a server, except on CI, where a missing server is a broken pipeline.</summary>
    public static void RequireServer()
    {
        if (IsServerConfigured)
        {
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(MissingServerMessage);
        }
        Assert.Skip(MissingServerMessage);
    }

    public static async Task<PostgreSqlTestDatabase> CreateAsync()
    {
        var server = ServerConnectionString ?? throw new InvalidOperationException(MissingServerMessage);
        var name = $"disclosuredesk_test_{Guid.NewGuid():N}";
        await ExecuteOnServerAsync(server, $"CREATE DATABASE \"{name}\"");
        return new PostgreSqlTestDatabase(name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }
        await ExecuteOnServerAsync(ServerConnectionString!, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
