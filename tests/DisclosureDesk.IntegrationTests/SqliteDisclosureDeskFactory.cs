using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.IntegrationTests;

/// <summary>The app on the embedded default: a real SQLite file in a fresh temporary folder.</summary>
/// <remarks>Not sealed: a test class with settings of its own (rate limits, Production) starts a copy as its class fixture.</remarks>
public class SqliteDisclosureDeskFactory : DisclosureDeskFactory
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
