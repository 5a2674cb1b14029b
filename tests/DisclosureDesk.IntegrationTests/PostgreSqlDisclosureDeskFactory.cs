using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.IntegrationTests;

/// <summary>The app on PostgreSQL, in a database of its own that is created for the fixture and dropped after it.</summary>
public sealed class PostgreSqlDisclosureDeskFactory : DisclosureDeskFactory
{
    private PostgreSqlTestDatabase? _database;

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = nameof(DatabaseProvider.PostgreSql),
        ["Database:ConnectionString"] = _database?.ConnectionString,
    };

    public override void RequireDatabase() => PostgreSqlTestDatabase.RequireServer();

    public override async ValueTask InitializeAsync()
    {
        // Without a server every test of the collection skips (or fails on CI) through RequireDatabase.
        if (PostgreSqlTestDatabase.IsServerConfigured)
        {
            _database = await PostgreSqlTestDatabase.CreateAsync();
            await base.InitializeAsync();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
