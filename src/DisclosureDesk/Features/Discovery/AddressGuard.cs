using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// The server-side request forgery guard: every connection discovery makes (HTTP, TLS) goes through
/// <see cref="ConnectAsync"/>, which resolves the name once, refuses if any address is not a public unicast one,
/// and connects to the address it checked, so a second DNS answer (rebinding) can never be used.
/// </summary>
public sealed class AddressGuard(IOptions<DiscoveryOptions> options)
{
    private static readonly (IPNetwork Network, string Reason)[] BlockedV4 =
    [
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        (IPNetwork.Parse("0.0.0.0/8"), "\"this network\" (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.169.254/32"), "cloud metadata"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignment (192.0.0.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] BlockedV6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible (deprecated)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64"),
        (IPNetwork.Parse("100::/64"), "discard-only"),
        (IPNetwork.Parse("2001::/32"), "Teredo"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("fd00:ec2::254/128"), "cloud metadata"),
        (IPNetwork.Parse("fc00::/7"), "unique local (fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local (deprecated)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why discovery must not connect to <paramref name="address"/>, or null when it may.</summary>
    public string? WhyBlocked(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // An IPv6 form that carries an IPv4 address reaches that IPv4 address, so it is judged as that address.
            if (address.IsIPv4MappedToIPv6)
            {
                return Embedded("IPv4-mapped", address.MapToIPv4());
            }
            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address))
            {
                return Embedded("NAT64", new IPAddress(bytes.AsSpan(12, 4)));
            }
            if (SixToFour.Contains(address))
            {
                return Embedded("6to4", new IPAddress(bytes.AsSpan(2, 4)));
            }
            if (options.Value.AllowLoopback && IPAddress.IPv6Loopback.Equals(address))
            {
                return null;
            }
            return Match(BlockedV6, address);
        }
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return "not an IP address";
        }
        if (options.Value.AllowLoopback && IPAddress.IsLoopback(address))
        {
            return null;
        }
        return Match(BlockedV4, address);
    }

    /// <summary>Resolves <paramref name="host"/> (a name or an address literal) and checks every address it has.</summary>
    /// <exception cref="BlockedAddressException">Any address is blocked, or the name has none.</exception>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(name, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(name, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new BlockedAddressException(host, null, $"{host} has no addresses.");
        }
        // One blocked address refuses the whole name: a public and a private answer together is the shape of a
        // rebinding attempt, and no owner's public service needs it.
        foreach (var address in addresses)
        {
            if (WhyBlocked(address) is { } reason)
            {
                throw new BlockedAddressException(host, address,
                    $"{host} resolves to {address}, a {reason} address; discovery does not connect there.");
            }
        }
        return addresses;
    }

    /// <summary>A TCP connection to a checked address of <paramref name="host"/>.</summary>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private string? Embedded(string form, IPAddress v4) =>
        WhyBlocked(v4) is { } reason ? $"{form} {reason}" : null;

    private static string? Match((IPNetwork Network, string Reason)[] ranges, IPAddress address)
    {
        foreach (var (network, reason) in ranges)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }
        return null;
    }
}

/// <summary>Discovery refused to connect: the name resolves to an address it must not reach.</summary>
public sealed class BlockedAddressException(string host, IPAddress? address, string message) : Exception(message)
{
    public string Host { get; } = host;
    public IPAddress? Address { get; } = address;
}
