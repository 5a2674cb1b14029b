using System.Globalization;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.IntegrationTests.Features.Responses;

/// <summary>The app on SQLite, reading the mailbox of a private Dovecot (when Dovecot is installed).</summary>
public sealed class InboundMailFactory : DisclosureDeskFactory
{
    /// <summary>Small, so a test can exceed it without moving megabytes through the server.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public SqliteTestDatabase Database { get; } = new();

    public TestImapServer? Imap { get; private set; }

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
        ["Database:DataDirectory"] = Database.DataDirectory,
    };

    protected override IReadOnlyDictionary<string, string?> AppSettings => Imap is null ? base.AppSettings : new Dictionary<string, string?>(base.AppSettings)
    {
        ["Inbound:Imap:Host"] = "127.0.0.1",
        ["Inbound:Imap:Port"] = Imap.Port.ToString(CultureInfo.InvariantCulture),
        ["Inbound:Imap:Security"] = "None",
        ["Inbound:Imap:UserName"] = TestImapServer.UserName,
        ["Inbound:Imap:Password"] = TestImapServer.Password,
        ["Inbound:MaxMessageBytes"] = MaxMessageBytes.ToString(CultureInfo.InvariantCulture),
    };

    public override void RequireDatabase() => TestImapServer.Require();

    public override async ValueTask InitializeAsync()
    {
        if (TestImapServer.IsInstalled)
        {
            Imap = await TestImapServer.StartAsync();
        }
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Imap is not null)
        {
            await Imap.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

/// <summary>
/// Tests that read a real IMAP mailbox; they share one Dovecot and one database and run one at a time. Not in
/// parallel with the other collections: Hangfire's storage is a static that the last host built replaces, so this
/// fixture's host, disposed early, would pull the storage from under the others.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class InboundMailCollection : ICollectionFixture<InboundMailFactory>;
