using Npgsql;

namespace DisclosureDesk.Benchmarks;

/// <summary>A fresh PostgreSQL database for one run, created through an administrator's connection and dropped after it.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _administration;
    private readonly string _name;

    private ScratchDatabase(string administration, string name, string connectionString)
    {
        _administration = administration;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string administration)
    {
        var name = $"disclosuredesk_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(administration))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new ScratchDatabase(administration, name, new NpgsqlConnectionStringBuilder(administration) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_administration);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
