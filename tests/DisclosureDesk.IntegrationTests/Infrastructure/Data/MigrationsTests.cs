using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Data;

/// <summary>Each provider's migrations build its schema from nothing, and match the model.</summary>
public abstract class MigrationsTests
{
    private MigrationsTests(DisclosureDeskFactory app) => app.RequireDatabase();

    /// <summary>A context on a database that exists but has no tables, and what removes that database.</summary>
    protected abstract Task<(AppDbContext Context, IAsyncDisposable Database)> CreateEmptyDatabaseAsync();

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigrationAndLeavesNonePending()
    {
        var (db, database) = await CreateEmptyDatabaseAsync();
        await using (database)
        await using (db)
        {
            var cancellationToken = TestContext.Current.CancellationToken;
            var migrations = db.Database.GetMigrations().ToList();
            Assert.NotEmpty(migrations);

            await db.Database.MigrateAsync(cancellationToken);

            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(migrations, await db.Database.GetAppliedMigrationsAsync(cancellationToken));
            Assert.False(await db.Cases.AnyAsync(cancellationToken));
        }
    }

    [Fact]
    public async Task HasPendingModelChanges_LatestMigration_MatchesModel()
    {
        var (db, database) = await CreateEmptyDatabaseAsync();
        await using (database)
        await using (db)
        {
            Assert.False(db.Database.HasPendingModelChanges(),
                $"The model has changes that no {db.GetType().Name} migration captures; add a migration for each provider (ADR-002).");
        }
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : MigrationsTests(app)
    {
        protected override Task<(AppDbContext Context, IAsyncDisposable Database)> CreateEmptyDatabaseAsync()
        {
            var database = new SqliteTestDatabase();
            Directory.CreateDirectory(database.DataDirectory);
            var context = new SqliteAppDbContext(DataServiceCollectionExtensions.BuildOptions(database.Options, contentRoot: "."));
            return Task.FromResult<(AppDbContext, IAsyncDisposable)>((context, database));
        }

        [Fact]
        public async Task Startup_FreshDataDirectory_CreatesDatabaseFileInWalMode()
        {
            Assert.True(File.Exists(app.Database.File), $"Start-up did not create {app.Database.File}.");

            await using var connection = new SqliteConnection(app.Database.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";

            Assert.Equal("wal", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
    }

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : MigrationsTests(app)
    {
        protected override async Task<(AppDbContext Context, IAsyncDisposable Database)> CreateEmptyDatabaseAsync()
        {
            var database = await PostgreSqlTestDatabase.CreateAsync();
            var options = new DatabaseOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = database.ConnectionString };
            return (new PostgreSqlAppDbContext(DataServiceCollectionExtensions.BuildOptions(options, contentRoot: ".")), database);
        }
    }
}
