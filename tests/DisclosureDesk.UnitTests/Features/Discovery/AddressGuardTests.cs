using System.Net;
using DisclosureDesk.Features.Discovery;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.UnitTests.Features.Discovery;

public sealed class AddressGuardTests
{
    private static AddressGuard Guard(bool allowLoopback = false) =>
        new(Options.Create(new DiscoveryOptions { AllowLoopback = allowLoopback }));

    [Theory]
    // IPv4: each blocked range, at its edges where it matters.
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.255.255.255", "this network")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.170", "IETF protocol assignment")]
    [InlineData("198.18.0.1", "benchmarking")]
    // IPv6 literals.
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fdff:ffff::1", "unique local")]
    [InlineData("fd00:ec2::254", "cloud metadata")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("::7f00:1", "IPv4-compatible")]
    // IPv4-mapped IPv6 forms reach the IPv4 address and are judged as it.
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped loopback")]
    [InlineData("::ffff:10.0.0.1", "IPv4-mapped private")]
    [InlineData("::ffff:172.16.5.4", "IPv4-mapped private")]
    [InlineData("::ffff:192.168.0.1", "IPv4-mapped private")]
    [InlineData("::ffff:100.64.0.1", "IPv4-mapped carrier-grade NAT")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped cloud metadata")]
    [InlineData("::ffff:169.254.1.1", "IPv4-mapped link-local")]
    [InlineData("::ffff:0.0.0.0", "IPv4-mapped \"this network\"")]
    [InlineData("::ffff:224.0.0.251", "IPv4-mapped multicast")]
    [InlineData("::ffff:255.255.255.255", "IPv4-mapped broadcast")]
    [InlineData("::ffff:240.0.0.1", "IPv4-mapped reserved")]
    [InlineData("::ffff:192.0.0.170", "IPv4-mapped IETF protocol assignment")]
    [InlineData("::ffff:198.19.0.1", "IPv4-mapped benchmarking")]
    [InlineData("::ffff:7f00:1", "IPv4-mapped loopback")]
    // NAT64 and 6to4 forms carry an IPv4 address too.
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64 cloud metadata")]
    [InlineData("2002:0a00:0001::1", "6to4 private")]
    public void WhyBlocked_BlockedAddress_NamesTheRange(string literal, string expected)
    {
        var reason = Guard().WhyBlocked(IPAddress.Parse(literal));

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("193.0.6.139")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4001:82a::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void WhyBlocked_PublicAddress_IsAllowed(string literal)
    {
        Assert.Null(Guard().WhyBlocked(IPAddress.Parse(literal)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void WhyBlocked_LoopbackWhenAllowed_IsAllowed(string literal)
    {
        Assert.Null(Guard(allowLoopback: true).WhyBlocked(IPAddress.Parse(literal)));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void WhyBlocked_AllowLoopback_KeepsEveryOtherRangeBlocked(string literal)
    {
        Assert.NotNull(Guard(allowLoopback: true).WhyBlocked(IPAddress.Parse(literal)));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("[fd00:ec2::254]")]
    [InlineData("[::ffff:10.0.0.1]")]
    [InlineData("localhost")]
    public async Task ResolveAsync_BlockedLiteralOrName_Throws(string host)
    {
        var error = await Assert.ThrowsAsync<BlockedAddressException>(() =>
            Guard().ResolveAsync(host, TestContext.Current.CancellationToken));

        Assert.Contains("does not connect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_BlockedAddress_RefusesBeforeConnecting()
    {
        // 10.0.0.1:9 would hang or fail differently if a connection were attempted; the guard must refuse first.
        var error = await Assert.ThrowsAsync<BlockedAddressException>(() =>
            Guard(allowLoopback: true).ConnectAsync("10.0.0.1", 9, TestContext.Current.CancellationToken));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), error.Address);
    }
}
