using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.IntegrationTests.Features.Responses;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Data;

/// <summary>The migrate-data command, run as an operator would, from the SQLite fixture's real data folder into a fresh PostgreSQL database.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class MigrateDataTests(SqliteDisclosureDeskFactory app)
{
    [Fact]
    public async Task MigrateData_SeededSqliteIntoEmptyPostgreSql_CopiesEveryRowKeyAndChainThenRefusesASecondCopy()
    {
        PostgreSqlTestDatabase.RequireServer();
        var cancellationToken = TestContext.Current.CancellationToken;
        // A case with a note, an owner notification and its follow-ups in the outbox, plus whatever earlier tests left.
        var (lead, reference, _) = await app.NotifiedCaseAsync("migrate", "security@northwind.example");
        var noted = await app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new AddCaseNote.Command { Text = "Copied to PostgreSQL with its chain.", Visibility = EventVisibility.Internal }, lead.Current));
        Assert.True(noted.Succeeded, noted.Summary);
        var keys = DataServiceCollectionExtensions.KeysDirectory(app.Database.DataDirectory, AppContext.BaseDirectory);
        Directory.CreateDirectory(keys);
        var keyFile = Path.Combine(keys, $"key-{Guid.NewGuid()}.xml");
        await File.WriteAllTextAsync(keyFile, """<?xml version="1.0" encoding="utf-8"?><key id="1b4c1c5e-0000-4000-8000-000000000001" version="1"><creationDate>2026-03-14T09:30:00Z</creationDate></key>""", cancellationToken);
        var keyFiles = Directory.GetFiles(keys, "*.xml").Length;
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        var postgreSql = new Dictionary<string, string?>
        {
            ["Database:Provider"] = nameof(DatabaseProvider.PostgreSql),
            ["Database:ConnectionString"] = database.ConnectionString,
        };

        var copied = await app.RunCommandLineAsync(postgreSql, "migrate-data", "--from", app.Database.DataDirectory);

        Assert.True(copied.ExitCode == 0, copied.Error + copied.Output);
        Assert.Contains("every audit chain verifies on PostgreSQL", copied.Output, StringComparison.Ordinal);
        var source = await SqliteCountsAsync(app.Database.File);
        var target = await PostgreSqlCountsAsync(database.ConnectionString, source.Keys);
        Assert.Equal(source.Where(t => t.Key != nameof(AppDbContext.DataProtectionKeys)), target.Where(t => t.Key != nameof(AppDbContext.DataProtectionKeys)));
        Assert.Equal(keyFiles, target[nameof(AppDbContext.DataProtectionKeys)]);
        Assert.True(source["OutboxMessages"] >= 4 && source["TimelineEvents"] > 0 && source["AspNetUsers"] > 0 && source["AspNetUserRoles"] > 0);
        // The ids were kept, so the next id handed out must come after the highest copied one.
        Assert.True(await NextIdAsync(database.ConnectionString, "TimelineEvents") > await MaxIdAsync(database.ConnectionString, "TimelineEvents"));
        Assert.True(await NextIdAsync(database.ConnectionString, "Cases") > await MaxIdAsync(database.ConnectionString, "Cases"));
        var verified = await app.RunCommandLineAsync(postgreSql, "verify-audit");
        Assert.True(verified.ExitCode == 0, verified.Error);

        var again = await app.RunCommandLineAsync(postgreSql, "migrate-data", "--from", app.Database.DataDirectory);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("is not empty", again.Error, StringComparison.Ordinal);
        Assert.Equal(target, await PostgreSqlCountsAsync(database.ConnectionString, source.Keys));
    }

    [Fact]
    public async Task MigrateData_TargetIsSqlite_IsRefusedWithTheSettingToChange()
    {
        var refused = await app.RunCommandLineAsync("migrate-data", "--from", app.Database.DataDirectory);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("set Database:Provider to PostgreSql", refused.Error, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, long>> SqliteCountsAsync(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }
        return counts;
    }

    private static async Task<Dictionary<string, long>> PostgreSqlCountsAsync(string connectionString, IEnumerable<string> tables)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            counts[table] = await ScalarAsync<long>(connectionString, $"SELECT COUNT(*) FROM \"{table}\"");
        }
        return counts;
    }

    private static Task<long> NextIdAsync(string connectionString, string table) =>
        ScalarAsync<long>(connectionString, $"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'Id'))");

    private static async Task<long> MaxIdAsync(string connectionString, string table) =>
        Convert.ToInt64(await ScalarAsync<object>(connectionString, $"SELECT MAX(\"Id\") FROM \"{table}\""), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
