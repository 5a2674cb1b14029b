using System.Net;
using System.Text;
using DisclosureDesk.Features.Discovery;

namespace DisclosureDesk.UnitTests.Features.Discovery;

public sealed class RdapParserTests
{
    private static RdapDocument Sample(string name) => new(
        new Uri($"https://rdap.example/{name}"),
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Features", "Discovery", "Samples", name)));

    private static RdapDocument Json(string json) => new(new Uri("https://rdap.example/ip/192.0.2.1"), Encoding.UTF8.GetBytes(json));

    [Fact]
    public void ParseNetwork_RipeStyle_ReadsAbuseMailboxNetworkAndOrganisation()
    {
        var parsed = RdapParser.ParseNetwork(Sample("rdap-ripe-style.json"));

        var abuse = Assert.Single(parsed.Contacts);
        Assert.Equal(("abuse@ripe.net", RdapRole.Abuse, "AB8450-RIPE"), (abuse.Email, abuse.Role, abuse.Handle));
        Assert.Equal("RIPE-NCC", parsed.Result.Name);
        Assert.Equal(["193.0.0.0/21"], parsed.Result.Cidrs);
        Assert.Equal("NL", parsed.Result.Country);
        // The maintainer listed as a second registrant has no name; the organisation is the ORG object's.
        Assert.Equal("Reseaux IP Europeens Network Coordination Centre (RIPE NCC)", parsed.Result.Organisation);
        Assert.Empty(parsed.Result.OriginAutnums);
    }

    [Fact]
    public void ParseNetwork_ArinStyle_FindsTheAbuseContactNestedInTheOrganisationAndTheOriginAs()
    {
        var parsed = RdapParser.ParseNetwork(Sample("rdap-arin-style.json"));

        var abuse = Assert.Single(parsed.Contacts);
        Assert.Equal(("network-abuse@google.com", RdapRole.Abuse), (abuse.Email, abuse.Role));
        Assert.Equal("NET-8-8-8-0-2", parsed.Result.Handle);
        Assert.Equal("Google LLC", parsed.Result.Organisation);
        Assert.Equal(["8.8.8.0/24"], parsed.Result.Cidrs);
        Assert.Equal([15169L], parsed.Result.OriginAutnums);
        // A technical contact is not proposed: only abuse and registrant roles are.
        Assert.DoesNotContain(parsed.Contacts, c => c.Email == "arin-contact@google.com");
    }

    [Fact]
    public void ParseNetwork_ApnicStyle_ReadsAbuseAndRegistrantMailboxes()
    {
        var parsed = RdapParser.ParseNetwork(Sample("rdap-apnic-style.json"));

        Assert.Contains(parsed.Contacts, c => c is { Email: "helpdesk@apnic.net", Role: RdapRole.Abuse });
        Assert.Contains(parsed.Contacts, c => c is { Email: "research@apnic.net", Role: RdapRole.Registrant, Name: "APNIC Research and Development" });
        Assert.Equal("APNIC-LABS", parsed.Result.Name);
        Assert.Equal("1.1.1.0", parsed.Result.StartAddress);
        Assert.Equal("AU", parsed.Result.Country);
    }

    [Fact]
    public void ParseNetwork_AbuseEntityWithoutVcard_IsListedForFetchingByItsSelfLink()
    {
        var sample = Sample("rdap-abuse-by-reference.json");
        var parsed = RdapParser.ParseNetwork(sample with
        {
            Content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(sample.Content).Replace("{base}", "https://rdap.example/", StringComparison.Ordinal)),
        });

        Assert.Empty(parsed.Contacts);
        var (self, role) = Assert.Single(parsed.EntitiesWithoutEmail);
        Assert.Equal(RdapRole.Abuse, role);
        Assert.Equal(new Uri("https://rdap.example/entity/EHA1-RIPE"), self);
    }

    [Fact]
    public void ParseAutnum_ArinStyle_ReadsHandleAndName()
    {
        var autnum = RdapParser.ParseAutnum(Sample("rdap-arin-autnum.json"), 15169);

        Assert.Equal(("AS15169", "GOOGLE"), (autnum.Handle, autnum.Name));
    }

    [Theory]
    [InlineData("<html>rate limited</html>", "is not JSON")]
    [InlineData("[1, 2, 3]", "not an RDAP object")]
    [InlineData("{\"errorCode\": 404, \"title\": \"Not Found\"}", "RDAP error 404: Not Found")]
    [InlineData("{\"handle\": \"X\"}", "has no objectClassName")]
    [InlineData("{\"objectClassName\": \"domain\"}", "is an RDAP \"domain\" object")]
    [InlineData("{\"objectClassName\": \"ip network\", \"entities\": \"abuse@example.org\"}", "\"entities\" is not an array")]
    [InlineData("{\"objectClassName\": \"ip network\", \"entities\": [\"abuse@example.org\"]}", "an entity is not an object")]
    [InlineData("{\"objectClassName\": \"ip network\", \"entities\": [{\"roles\": \"abuse\"}]}", "\"roles\" is not an array")]
    [InlineData("{\"objectClassName\": \"ip network\", \"entities\": [{\"roles\": [\"abuse\"], \"vcardArray\": {\"email\": \"a@example.org\"}}]}", "is not a jCard")]
    [InlineData("{\"objectClassName\": \"ip network\", \"entities\": [{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", [\"email\"]]}]}", "jCard property")]
    [InlineData("{\"objectClassName\": \"ip network\", \"name\": 42}", "\"name\" is a Number")]
    [InlineData("{\"objectClassName\": \"ip network\", \"links\": {}}", "\"links\" is not an array")]
    public void ParseNetwork_ResponseNotMatchingTheSchema_IsAClearError(string json, string expected)
    {
        var error = Assert.Throws<RdapFormatException>(() => RdapParser.ParseNetwork(Json(json)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("https://rdap.example/ip/192.0.2.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseNetwork_InvalidEmailInVcard_IsNotProposed()
    {
        var parsed = RdapParser.ParseNetwork(Json("""
            {"objectClassName": "ip network", "entities": [{"roles": ["abuse"], "vcardArray": ["vcard", [["email", {}, "text", "not an address"], ["email", {}, "text", "ok@example.org"]]]}]}
            """));

        Assert.Equal(["ok@example.org"], parsed.Contacts.Select(c => c.Email));
    }
}

public sealed class RdapBootstrapTests
{
    [Theory]
    [InlineData("193.0.6.139", "https://rdap.db.ripe.net/")]
    [InlineData("8.8.8.8", "https://rdap.arin.net/registry/")]
    [InlineData("1.1.1.1", "https://rdap.apnic.net/")]
    [InlineData("200.160.2.3", "https://rdap.lacnic.net/rdap/")]
    [InlineData("41.1.1.1", "https://rdap.afrinic.net/rdap/")]
    [InlineData("2a00:1450:4001::1", "https://rdap.db.ripe.net/")]
    [InlineData("2001:4860:4860::8888", "https://rdap.arin.net/registry/")]
    [InlineData("::ffff:193.0.6.139", "https://rdap.db.ripe.net/")]
    public void BaseUrlFor_ShippedSeed_NamesTheRegistry(string address, string expected)
    {
        var bootstrap = RdapBootstrap.Load(directory: null);

        Assert.Equal(new Uri(expected), bootstrap.BaseUrlFor(IPAddress.Parse(address)));
    }

    [Fact]
    public void BaseUrlFor_UnallocatedBlockAndNoAsnFile_IsNull()
    {
        var bootstrap = RdapBootstrap.Load(directory: null);

        Assert.Null(bootstrap.BaseUrlFor(IPAddress.Parse("10.1.2.3")));
        Assert.Null(bootstrap.BaseUrlFor(15169));
    }

    [Fact]
    public void BaseUrlFor_OverlappingBlocks_PrefersTheMostSpecificAndHttps()
    {
        var bootstrap = new RdapBootstrap(
            """{"services": [[["93.0.0.0/8"], ["https://wide.example/"]], [["93.184.0.0/15"], ["http://narrow.example/rdap", "https://narrow.example/rdap"]], [["8"], ["https://bare.example/"]]]}""",
            null,
            """{"services": [[["15000-15999"], ["https://asn.example/"]]]}""");

        Assert.Equal(new Uri("https://narrow.example/rdap/"), bootstrap.BaseUrlFor(IPAddress.Parse("93.184.216.34")));
        Assert.Equal(new Uri("https://wide.example/"), bootstrap.BaseUrlFor(IPAddress.Parse("93.1.1.1")));
        Assert.Equal(new Uri("https://bare.example/"), bootstrap.BaseUrlFor(IPAddress.Parse("8.8.8.8")));
        Assert.Equal(new Uri("https://asn.example/"), bootstrap.BaseUrlFor(15169));
    }
}

public sealed class OwnerDiscoveryContactTests
{
    [Theory]
    [InlineData("mailto:security@example.org", ContactKind.Email, "security@example.org")]
    [InlineData("mailto:security%2Bdisclosure@example.org?subject=hi", ContactKind.Email, "security+disclosure@example.org")]
    [InlineData("https://example.org/report", ContactKind.Web, "https://example.org/report")]
    [InlineData("tel:+31-20-555-0100", ContactKind.Phone, "+31-20-555-0100")]
    public void ParseContact_RfcContactUri_GivesKindAndAddress(string value, ContactKind kind, string address)
    {
        Assert.Equal((kind, address), OwnerDiscovery.ParseContact(value));
    }

    [Theory]
    [InlineData("mailto:not-an-address")]
    [InlineData("ftp://example.org/")]
    [InlineData("security@example.org")]
    public void ParseContact_NotAUsableContact_IsNull(string value)
    {
        Assert.Null(OwnerDiscovery.ParseContact(value));
    }
}
