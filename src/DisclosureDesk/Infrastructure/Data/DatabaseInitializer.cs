using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// Brings the database to the current schema at start-up and makes sure the roles exist and, on PostgreSQL, the shared
/// Data Protection key ring has its key.
/// </summary>
public sealed class DatabaseInitializer(
    AppDbContext db,
    RoleManager<IdentityRole> roleManager,
    IDataProtectionProvider dataProtection,
    IOptions<DatabaseOptions> options,
    IHostEnvironment environment,
    ILogger<DatabaseInitializer> logger)
{
    /// <summary>The PostgreSQL advisory lock instances starting together queue on; its key is "DiscDesk" in ASCII.</summary>
    private const string TakeStartupLock = "SELECT pg_advisory_lock(4929598137320174443)";

    private const string ReleaseStartupLock = "SELECT pg_advisory_unlock(4929598137320174443)";

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.Provider == DatabaseProvider.Sqlite)
        {
            await PrepareSqliteAsync(cancellationToken);
            await MigrateAndSeedAsync(cancellationToken);
            return;
        }

        // EF Core's migration lock covers only the migrations. Instances started together on a new database would
        // also both find no roles (and the second insert would fail on the unique name) and each create a first key,
        // leaving two rings that disagree until they reload. One instance at a time does all of it; the others wait.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(TakeStartupLock, cancellationToken);
            try
            {
                await MigrateAndSeedAsync(cancellationToken);
                // Reading the ring creates its first key if there is none, so it is created here, under the lock.
                dataProtection.CreateProtector(nameof(DatabaseInitializer)).Protect([]);
            }
            finally
            {
                await ExecuteAsync(ReleaseStartupLock, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task MigrateAndSeedAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }

        foreach (var role in Roles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                await roleManager.CreateAsync(new IdentityRole(role));
            }
        }
    }

    private async Task PrepareSqliteAsync(CancellationToken cancellationToken)
    {
        var connectionString = DataServiceCollectionExtensions.SqliteConnectionString(options.Value, environment.ContentRootPath);
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (!string.IsNullOrEmpty(file) && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var version = await ScalarAsync("SELECT sqlite_version()", cancellationToken);
            if (SqliteVersionCheck.Refusal(version) is { } refusal)
            {
                throw new InvalidOperationException(refusal);
            }
            var mode = await ScalarAsync("PRAGMA journal_mode = WAL", cancellationToken);
            logger.LogInformation("SQLite {Version} at {File}, journal mode {Mode}", version, file, mode);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<string> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
