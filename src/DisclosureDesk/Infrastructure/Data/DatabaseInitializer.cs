using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>Brings the database to the current schema at start-up and makes sure the roles exist.</summary>
public sealed class DatabaseInitializer(
    AppDbContext db,
    RoleManager<IdentityRole> roleManager,
    IOptions<DatabaseOptions> options,
    IHostEnvironment environment,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.Provider == DatabaseProvider.Sqlite)
        {
            await PrepareSqliteAsync(cancellationToken);
        }

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

    private async Task<string> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
