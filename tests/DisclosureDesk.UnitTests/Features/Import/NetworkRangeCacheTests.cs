using System.Net;
using DisclosureDesk.Features.Import;

namespace DisclosureDesk.UnitTests.Features.Import;

public sealed class NetworkRangeCacheTests
{
    [Fact]
    public void Find_AddressInANestedNetwork_ReturnsTheMostSpecificNetwork()
    {
        var cache = new NetworkRangeCache();
        cache.Add(AddressRange.Of("198.51.0.0", "198.51.255.255")!.Value, 1);
        cache.Add(AddressRange.Of("198.51.100.0", "198.51.100.255")!.Value, 2);

        Assert.Equal(2, cache.Find(IPAddress.Parse("198.51.100.77")));
        Assert.Equal(1, cache.Find(IPAddress.Parse("198.51.101.1")));
        Assert.Null(cache.Find(IPAddress.Parse("198.52.0.1")));
        Assert.Null(cache.Find(IPAddress.Parse("::ffff:203.0.113.1")));
    }

    [Fact]
    public void From_Cidr0BlocksOnly_SpansTheBlocksAcrossBothFamiliesApart()
    {
        var v4 = AddressRange.From(null, null, ["203.0.113.0/25", "203.0.113.128/25"])!.Value;
        var v6 = AddressRange.From(null, null, ["2001:db8:10::/48"])!.Value;

        Assert.Equal(("203.0.113.0", "203.0.113.255"), (v4.FirstAddress.ToString(), v4.LastAddress.ToString()));
        Assert.True(v4.Contains(IPAddress.Parse("::ffff:203.0.113.200")), "An IPv4-mapped address is judged as the IPv4 address it carries.");
        Assert.Equal(("2001:db8:10::", "2001:db8:10:ffff:ffff:ffff:ffff:ffff"), (v6.FirstAddress.ToString(), v6.LastAddress.ToString()));
        Assert.False(v6.Contains(IPAddress.Parse("203.0.113.1")));
        Assert.Null(AddressRange.From(null, null, ["203.0.113.0/24", "2001:db8::/32"]));
        Assert.Null(AddressRange.From("198.51.100.255", "198.51.100.0", []));
        Assert.Null(AddressRange.From(null, null, []));
    }
}
