using System.Net;
using System.Text.Json;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// IANA's RDAP bootstrap registry (RFC 9224): which RDAP server answers for an address block or an AS-number range.
/// Loaded once from <see cref="DiscoveryOptions.RdapBootstrapDirectory"/> or, without one, from the copy shipped
/// in <c>Bootstrap/</c> (IPv4 and IPv6; the RIRs' blocks change rarely, and a stale entry only costs a redirect).
/// </summary>
public sealed class RdapBootstrap
{
    private readonly List<(IPNetwork Network, Uri BaseUrl)> _networks = [];
    private readonly List<(long First, long Last, Uri BaseUrl)> _autnums = [];

    public RdapBootstrap(string? ipv4Json, string? ipv6Json, string? asnJson)
    {
        foreach (var json in new[] { ipv4Json, ipv6Json })
        {
            foreach (var (entry, baseUrl) in Services(json))
            {
                _networks.Add((ParseNetwork(entry), baseUrl));
            }
        }
        foreach (var (entry, baseUrl) in Services(asnJson))
        {
            var parts = entry.Split('-');
            var first = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = parts.Length > 1 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : first;
            _autnums.Add((first, last, baseUrl));
        }
    }

    public static RdapBootstrap Load(string? directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            return new RdapBootstrap(Embedded("ipv4.json"), Embedded("ipv6.json"), null);
        }
        string? Read(string name)
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        return new RdapBootstrap(Read("ipv4.json"), Read("ipv6.json"), Read("asn.json"));
    }

    /// <summary>The RDAP base URL (ending in '/') for the most specific block holding <paramref name="address"/>.</summary>
    public Uri? BaseUrlFor(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return _networks
            .Where(n => n.Network.Contains(address))
            .OrderByDescending(n => n.Network.PrefixLength)
            .Select(n => n.BaseUrl)
            .FirstOrDefault();
    }

    public Uri? BaseUrlFor(long autnum) =>
        _autnums.Where(a => a.First <= autnum && autnum <= a.Last).Select(a => a.BaseUrl).FirstOrDefault();

    private static IEnumerable<(string Entry, Uri BaseUrl)> Services(string? json)
    {
        if (json is null)
        {
            yield break;
        }
        using var document = JsonDocument.Parse(json);
        foreach (var service in document.RootElement.GetProperty("services").EnumerateArray())
        {
            var urls = service[1].EnumerateArray().Select(u => u.GetString()!).ToList();
            // RFC 9224 §3: prefer HTTPS when the registry lists both.
            var chosen = urls.FirstOrDefault(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ?? urls.FirstOrDefault();
            if (chosen is null)
            {
                continue;
            }
            var baseUrl = new Uri(chosen.EndsWith('/') ? chosen : chosen + "/");
            foreach (var entry in service[0].EnumerateArray())
            {
                yield return (entry.GetString()!, baseUrl);
            }
        }
    }

    private static IPNetwork ParseNetwork(string entry) =>
        // Older IPv4 registry files name a /8 by its first octet alone ("8").
        entry.Contains('/', StringComparison.Ordinal) ? IPNetwork.Parse(entry) : IPNetwork.Parse($"{entry}.0.0.0/8");

    private static string Embedded(string name)
    {
        using var stream = typeof(RdapBootstrap).Assembly.GetManifestResourceStream($"DisclosureDesk.RdapBootstrap.{name}")
            ?? throw new InvalidOperationException($"The built-in RDAP bootstrap file {name} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
