using System.Diagnostics;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DisclosureDesk.Benchmarks;

/// <summary>
/// The SQLite file the benchmarks read: the app's schema, built by its own migrations, holding
/// <see cref="CaseCount"/> cases with <see cref="EventsPerCase"/> timeline events each. Generating it
/// takes about half a minute, so a complete file is kept and reused; one left by an interrupted run, an older
/// generator or an older schema is rebuilt.
/// </summary>
internal static class BenchmarkDatabase
{
    public const string PathVariable = "DISCLOSUREDESK_BENCH_DB";
    public const int CaseCount = 100_000;
    public const int EventsPerCase = 10;

    // Stored in PRAGMA user_version as the generator's last step, so it also marks the file as complete.
    // Bump it whenever the generated data changes.
    private const int GeneratorVersion = 1;

    /// <summary>
    /// From <see cref="PathVariable"/> or else a fixed file under the temp folder. BenchmarkDotNet runs each
    /// benchmark in a child process, which inherits the variable and so opens the same file.
    /// </summary>
    public static string FilePath { get; } = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : Path.Combine(Path.GetTempPath(), "disclosuredesk-benchmarks", "cases.db");

    private static string ConnectionString => new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true }.ToString();

    /// <summary>A context configured as the app configures its own (same provider setup and interceptors).</summary>
    public static AppDbContext CreateContext(params IInterceptor[] extraInterceptors)
    {
        var options = DataServiceCollectionExtensions.BuildOptions(
            new DatabaseOptions { ConnectionString = ConnectionString }, Path.GetDirectoryName(FilePath)!);
        return new SqliteAppDbContext(extraInterceptors.Length == 0
            ? options
            : new DbContextOptionsBuilder<AppDbContext>(options).AddInterceptors(extraInterceptors).Options);
    }

    public static SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public static async Task EnsureAsync(TextWriter log)
    {
        if (await IsCompleteAsync())
        {
            log.WriteLine($"Reusing the benchmark database {FilePath}");
            return;
        }

        log.WriteLine($"Generating the benchmark database {FilePath} ({CaseCount:N0} cases, {CaseCount * EventsPerCase:N0} timeline events)");
        var stopwatch = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        Delete();
        await using (var db = CreateContext())
        {
            await db.Database.MigrateAsync();
        }

        await using (var connection = OpenConnection())
        {
            // WAL is what the app's start-up sets on its file. synchronous = OFF only speeds up this one
            // connection's bulk load; the benchmarks' connections get the app's own pragmas.
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -100000;");
            await CaseDataGenerator.WriteAsync(connection, log);
            await ExecuteAsync(connection, $"PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = {GeneratorVersion};");
        }
        SqliteConnection.ClearAllPools();
        log.WriteLine($"Generated in {stopwatch.Elapsed.TotalSeconds:F0} s ({new FileInfo(FilePath).Length / 1_048_576:N0} MB)");
    }

    private static async Task<bool> IsCompleteAsync()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }
        try
        {
            await using var db = CreateContext();
            await db.Database.OpenConnectionAsync();
            var connection = db.Database.GetDbConnection();
            return await ScalarAsync(connection, "PRAGMA user_version") == GeneratorVersion
                && !(await db.Database.GetPendingMigrationsAsync()).Any()
                && await ScalarAsync(connection, "SELECT COUNT(*) FROM Cases") == CaseCount
                && await ScalarAsync(connection, "SELECT COUNT(*) FROM TimelineEvents") == (long)CaseCount * EventsPerCase;
        }
        catch (SqliteException)
        {
            return false;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static void Delete()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(FilePath + suffix);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
