using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.IntegrationTests;

/// <summary>The app on the embedded default: a real SQLite file in a fresh temporary folder.</summary>
public sealed class SqliteDisclosureDeskFactory : DisclosureDeskFactory
{
    public SqliteTestDatabase Database { get; } = new();

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
        ["Database:DataDirectory"] = Database.DataDirectory,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}
