using System.Net;
using DisclosureDesk.Features.Discovery;
using Microsoft.AspNetCore.Http;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>RDAP lookups against a loopback server answering in the RIPE, ARIN and APNIC styles.</summary>
public sealed class RdapLookupTests : IAsyncLifetime
{
    private const string RdapJson = "application/rdap+json";
    private LoopbackHttpsServer _server = null!;
    private DiscoveryHarness _harness = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpsServer.StartAsync();
        // The bootstrap sends each registry's space to a path on the test server, as IANA's sends it to the RIR.
        var bootstrap = new RdapBootstrap(
            $$"""
            {"services": [
              [["193.0.0.0/8", "203.0.113.0/24"], ["{{_server.BaseUri}}ripe/"]],
              [["8.0.0.0/8"], ["http://127.0.0.1:1/arin/", "{{_server.BaseUri}}arin/"]],
              [["1.0.0.0/8"], ["{{_server.BaseUri}}apnic/"]],
              [["185.0.0.0/8"], ["{{_server.BaseUri}}arin/"]]
            ]}
            """,
            null,
            null);
        _harness = new DiscoveryHarness(_server, bootstrap: bootstrap);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<RdapNetwork> LookupAsync(string address) =>
        _harness.Get<RdapLookup>().LookupAddressAsync(IPAddress.Parse(address), TestContext.Current.CancellationToken);

    [Fact]
    public async Task LookupAddressAsync_RipeStyle_FindsTheAbuseMailbox()
    {
        _server.Serve("/ripe/ip/193.0.6.139", DiscoverySamples.Bytes("rdap-ripe-style.json"), RdapJson);

        var network = await LookupAsync("193.0.6.139");

        Assert.Equal(["abuse@ripe.net"], network.Contacts.Where(c => c.Role == RdapRole.Abuse).Select(c => c.Email));
        Assert.Equal("RIPE-NCC", network.Name);
        Assert.Equal("127.0.0.1", network.Registry);
        Assert.Equal(DiscoverySamples.Bytes("rdap-ripe-style.json"), Assert.Single(network.Documents).Content);
    }

    [Fact]
    public async Task LookupAddressAsync_ArinStyle_FindsTheNestedAbuseContactAndTheOriginAs()
    {
        _server.Serve("/arin/ip/8.8.8.8", DiscoverySamples.Bytes("rdap-arin-style.json"), RdapJson);
        _server.Serve("/arin/autnum/15169", DiscoverySamples.Bytes("rdap-arin-autnum.json"), RdapJson);

        var network = await LookupAsync("8.8.8.8");
        var autnum = await _harness.Get<RdapLookup>().LookupAutnumAsync(network.OriginAutnums[0], TestContext.Current.CancellationToken);

        Assert.Equal(["network-abuse@google.com"], network.Contacts.Select(c => c.Email));
        Assert.Equal("Google LLC", network.Organisation);
        Assert.Equal(("AS15169", "GOOGLE"), (autnum.Handle, autnum.Name));
        // The bootstrap listed http first; the https URL is the one used.
        Assert.Contains("/arin/ip/8.8.8.8", _server.Requests);
    }

    [Fact]
    public async Task LookupAddressAsync_ApnicStyle_FindsAbuseAndRegistrantOnce()
    {
        _server.Serve("/apnic/ip/1.1.1.1", DiscoverySamples.Bytes("rdap-apnic-style.json"), RdapJson);

        var network = await LookupAsync("1.1.1.1");

        Assert.Equal(
            [("helpdesk@apnic.net", RdapRole.Abuse), ("research@apnic.net", RdapRole.Registrant)],
            network.Contacts.Select(c => (c.Email, c.Role)));
    }

    [Fact]
    public async Task LookupAddressAsync_RegistryRedirectsToAnother_FollowsTheRedirect()
    {
        // As ARIN does for space another registry manages: a redirect to that registry's RDAP server.
        _server.Redirect("/arin/ip/185.1.2.3", $"{_server.BaseUri}ripe/ip/185.1.2.3", StatusCodes.Status301MovedPermanently);
        _server.Serve("/ripe/ip/185.1.2.3", DiscoverySamples.Bytes("rdap-ripe-style.json"), RdapJson);

        var network = await LookupAsync("185.1.2.3");

        Assert.Equal(["abuse@ripe.net"], network.Contacts.Where(c => c.Role == RdapRole.Abuse).Select(c => c.Email));
        Assert.Equal(new Uri($"{_server.BaseUri}ripe/ip/185.1.2.3"), network.Documents[0].Uri);
    }

    [Fact]
    public async Task LookupAddressAsync_AbuseEntityByReference_FetchesTheEntity()
    {
        _server.Serve("/ripe/ip/203.0.113.7",
            DiscoverySamples.Text("rdap-abuse-by-reference.json").Replace("{base}", $"{_server.BaseUri}ripe/", StringComparison.Ordinal), RdapJson);
        _server.Serve("/ripe/entity/EHA1-RIPE", DiscoverySamples.Bytes("rdap-entity-abuse.json"), RdapJson);

        var network = await LookupAsync("203.0.113.7");

        var abuse = Assert.Single(network.Contacts);
        Assert.Equal(("abuse@hosting.example", RdapRole.Abuse, "Example Hosting Abuse Desk"), (abuse.Email, abuse.Role, abuse.Name));
        Assert.Equal(new Uri($"{_server.BaseUri}ripe/entity/EHA1-RIPE"), abuse.Source.Uri);
        Assert.Equal("Example Hosting GmbH", network.Organisation);
        Assert.Equal(2, network.Documents.Count);
    }

    [Fact]
    public async Task LookupAddressAsync_NotInTheBootstrap_AsksTheFallbackServer()
    {
        _server.Serve("/arin/ip/127.0.0.1", DiscoverySamples.Bytes("rdap-arin-style.json"), RdapJson);

        var network = await LookupAsync("127.0.0.1");

        Assert.Equal("NET-8-8-8-0-2", network.Handle);
    }

    [Fact]
    public async Task LookupAddressAsync_JsonNotMatchingTheSchema_IsAClearError()
    {
        _server.Serve("/ripe/ip/193.0.6.139", """{"objectClassName": "ip network", "entities": {"abuse": "abuse@example.org"}}""", RdapJson);

        var error = await Assert.ThrowsAsync<RdapFormatException>(() => LookupAsync("193.0.6.139"));

        Assert.Contains("\"entities\" is not an array", error.Message, StringComparison.Ordinal);
    }
}
