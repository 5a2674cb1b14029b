using System.Globalization;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.IntegrationTests;

/// <summary>
/// The app on SQLite with its Hangfire server running (jobs.db beside the app database) and mail going to a test
/// SMTP server. Given a <see cref="SqliteTestDatabase"/>, it runs on that data directory and leaves it in place,
/// so a second host can start where a stopped one left off. For the <see cref="HangfireServerCollection"/> only.
/// </summary>
public sealed class HangfireSqliteFactory(int smtpPort, SqliteTestDatabase? dataDirectory = null) : DisclosureDeskFactory
{
    private readonly bool _ownsDatabase = dataDirectory is null;

    public SqliteTestDatabase Database { get; } = dataDirectory ?? new SqliteTestDatabase();

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
        ["Database:DataDirectory"] = Database.DataDirectory,
    };

    protected override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["Jobs:RunServer"] = "true",
        ["Jobs:QueuePollIntervalMilliseconds"] = "200",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        // The app's clock is frozen here, and a paced run waits on it; pacing has its own tests (OutboxPacingTests).
        ["Email:Pacing:MessagesPerMinute"] = "0",
        ["Email:Pacing:PerDomainPerMinute"] = "0",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }
}
