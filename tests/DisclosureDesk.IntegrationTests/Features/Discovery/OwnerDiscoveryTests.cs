using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DisclosureDesk.Features.Discovery;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>
/// Discovery for a host on loopback: the test server is the owner's HTTPS site (security.txt), its TLS service and
/// the RDAP server (reached through the fallback URL, as 127.0.0.1 is in no registry's block).
/// </summary>
public sealed class OwnerDiscoveryTests : IAsyncLifetime
{
    private const string RdapJson = "application/rdap+json";
    private LoopbackHttpsServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpsServer.StartAsync();
        _server.Serve("/.well-known/security.txt", DiscoverySamples.Bytes("google-style.txt"), "text/plain; charset=utf-8");
        _server.Serve("/arin/ip/127.0.0.1", DiscoverySamples.Bytes("rdap-arin-style.json"), RdapJson);
        _server.Serve("/arin/autnum/15169", DiscoverySamples.Bytes("rdap-arin-autnum.json"), RdapJson);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class RecordingProgress
    {
        public ConcurrentQueue<DiscoveryProgress> Reports { get; } = new();

        public Task ReportAsync(DiscoveryProgress value, CancellationToken cancellationToken)
        {
            Reports.Enqueue(value);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task DiscoverAsync_EverySourceAnswers_ProposesContactsWithSourceConfidenceAndEvidence()
    {
        await using var harness = new DiscoveryHarness(_server);
        var progress = new RecordingProgress();

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], [_server.Port]), progress.ReportAsync, TestContext.Current.CancellationToken);

        var fromFile = Assert.Single(report.Contacts, c => c.Address == "security@google.com");
        Assert.Equal((ContactKind.Email, ContactSource.SecurityTxt, ContactConfidence.High), (fromFile.Kind, fromFile.Source, fromFile.Confidence));
        Assert.Equal(DiscoverySamples.Bytes("google-style.txt"), fromFile.Evidence.Content);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(DiscoverySamples.Bytes("google-style.txt"))), fromFile.Evidence.Sha256);
        Assert.Contains(report.Contacts, c => c is { Kind: ContactKind.Web, Address: "https://g.co/vulnz", Source: ContactSource.SecurityTxt });

        var abuse = Assert.Single(report.Contacts, c => c.Source == ContactSource.RdapAbuse);
        Assert.Equal(("network-abuse@google.com", ContactConfidence.Medium), (abuse.Address, abuse.Confidence));
        Assert.Equal(DiscoverySamples.Bytes("rdap-arin-style.json"), abuse.Evidence.Content);

        var fromCertificate = Assert.Single(report.Contacts, c => c.Source == ContactSource.TlsCertificate);
        Assert.Equal((LoopbackHttpsServer.CertificateEmail, ContactConfidence.Low), (fromCertificate.Address, fromCertificate.Confidence));
        Assert.Equal(_server.Certificate.RawData, fromCertificate.Evidence.Content);

        Assert.Equal(("Google LLC", 15169L, "GOOGLE"), (report.Network!.Organisation, report.Network.Autnum, report.Network.AutnumName));
        Assert.Equal(["8.8.8.0/24"], report.Network.Cidrs);
        Assert.Contains(report.Outcomes, o => o is { Source: DiscoverySource.Rdap, Target: "AS15169", Succeeded: true });
        Assert.Contains("localhost", Assert.Single(report.Certificates).DnsNames);

        foreach (var source in new[] { DiscoverySource.TlsCertificate, DiscoverySource.Rdap, DiscoverySource.SecurityTxt })
        {
            Assert.All(report.Outcomes.Where(o => o.Source == source), o => Assert.True(o.Succeeded, o.Error));
            Assert.Contains(progress.Reports, p => p.Source == source && p.Step == DiscoveryStep.Started);
            Assert.Contains(progress.Reports, p => p.Source == source && p.Step == DiscoveryStep.Succeeded);
        }
    }

    [Fact]
    public async Task DiscoverAsync_TlsServiceNeverHandshakes_ReportsATimeoutAndTheOtherSourcesComplete()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var harness = new DiscoveryHarness(_server);
        var progress = new RecordingProgress();

        var discovery = harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], [silentPort]), progress.ReportAsync, TestContext.Current.CancellationToken);
        // The probe has connected and waits for a ServerHello that never comes; its handshake timeout runs on the fake clock.
        using var accepted = await silent.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var report = await discovery;

        var tls = Assert.Single(report.Outcomes, o => o.Source == DiscoverySource.TlsCertificate);
        Assert.False(tls.Succeeded);
        Assert.Equal($"127.0.0.1:{silentPort} did not complete a TLS handshake within 1 s.", tls.Error);
        Assert.Contains(progress.Reports, p => p is { Source: DiscoverySource.TlsCertificate, Step: DiscoveryStep.Failed });
        Assert.True(Assert.Single(report.Outcomes, o => o is { Source: DiscoverySource.Rdap, Target: "127.0.0.1" }).Succeeded);
        Assert.True(Assert.Single(report.Outcomes, o => o.Source == DiscoverySource.SecurityTxt).Succeeded);
        Assert.Contains(report.Contacts, c => c.Source == ContactSource.SecurityTxt);
        Assert.Contains(report.Contacts, c => c.Source == ContactSource.RdapAbuse);
        Assert.Empty(report.Certificates);
    }

    [Fact]
    public async Task DiscoverAsync_RdapJsonNotMatchingTheSchema_FailsOnlyRdap()
    {
        _server.Serve("/arin/ip/127.0.0.1", """{"objectClassName": "ip network", "entities": [{"vcardArray": "abuse@example.org"}]}""", RdapJson);
        await using var harness = new DiscoveryHarness(_server);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], [_server.Port]), null, TestContext.Current.CancellationToken);

        var rdap = Assert.Single(report.Outcomes, o => o.Source == DiscoverySource.Rdap);
        Assert.Equal("127.0.0.1", rdap.Target);
        Assert.False(rdap.Succeeded);
        Assert.Contains("is not a jCard", rdap.Error, StringComparison.Ordinal);
        Assert.Null(report.Network);
        Assert.Contains(report.Contacts, c => c.Source == ContactSource.SecurityTxt);
        Assert.Contains(report.Contacts, c => c.Source == ContactSource.TlsCertificate);
    }

    [Fact]
    public async Task DiscoverAsync_HugeAndInvalidFiles_AreErrorsPerDomain()
    {
        _server.Serve("/.well-known/security.txt", new byte[5_000_000], "text/plain");
        _server.Serve("/security.txt", [0xC3, 0x28], "text/plain");
        await using var harness = new DiscoveryHarness(_server);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], [_server.Port]), null, TestContext.Current.CancellationToken);

        var securityTxt = Assert.Single(report.Outcomes, o => o.Source == DiscoverySource.SecurityTxt);
        Assert.False(securityTxt.Succeeded);
        Assert.Contains("over the 65536-byte limit", securityTxt.Error, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", securityTxt.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Contacts, c => c.Source == ContactSource.SecurityTxt);
        Assert.Contains(report.Contacts, c => c.Source == ContactSource.RdapAbuse);
    }

    [Fact]
    public async Task DiscoverAsync_ExpiredFile_ProposesItsContactsWithLowConfidence()
    {
        _server.Serve("/.well-known/security.txt", DiscoverySamples.Bytes("expired.txt"), "text/plain");
        await using var harness = new DiscoveryHarness(_server);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], []), null, TestContext.Current.CancellationToken);

        var contact = Assert.Single(report.Contacts, c => c.Source == ContactSource.SecurityTxt);
        Assert.Equal(("security@expired.example", ContactConfidence.Low), (contact.Address, contact.Confidence));
        Assert.Contains("expired on 2025-01-01", contact.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoverAsync_LegacyPathOnly_ProposesWithMediumConfidence()
    {
        _server.Serve("/.well-known/security.txt", "", "text/html");
        _server.Serve("/security.txt", DiscoverySamples.Bytes("google-style.txt"), "text/plain");
        await using var harness = new DiscoveryHarness(_server);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["localhost"], []), null, TestContext.Current.CancellationToken);

        var contact = Assert.Single(report.Contacts, c => c.Address == "security@google.com");
        Assert.Equal(ContactConfidence.Medium, contact.Confidence);
        Assert.Contains("legacy /security.txt path", contact.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("10.1.2.3", "private")]
    public async Task DiscoverAsync_BlockedHost_LooksNothingUpAndConnectsNowhere(string host, string range)
    {
        await using var harness = new DiscoveryHarness(_server, allowLoopback: false);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest(host, null, [_server.Port]), null, TestContext.Current.CancellationToken);

        var outcome = Assert.Single(report.Outcomes);
        Assert.Equal(DiscoverySource.HostAddress, outcome.Source);
        Assert.Contains(range, outcome.Error, StringComparison.Ordinal);
        Assert.Empty(report.Contacts);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task DiscoverAsync_ResearcherDomainThatIsNotADomain_IsAnErrorForThatDomainOnly()
    {
        await using var harness = new DiscoveryHarness(_server);

        var report = await harness.Get<OwnerDiscovery>().DiscoverAsync(
            new DiscoveryRequest("127.0.0.1", ["not a domain/", "localhost"], []), null, TestContext.Current.CancellationToken);

        Assert.Contains(report.Outcomes, o => o is { Source: DiscoverySource.SecurityTxt, Target: "not a domain/", Succeeded: false });
        Assert.Contains(report.Outcomes, o => o is { Source: DiscoverySource.SecurityTxt, Target: "localhost", Succeeded: true });
    }
}
