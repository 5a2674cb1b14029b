using System.Net;
using System.Net.Sockets;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// A network the RDAP owner lookup of a run found, with the range RDAP gave for it: every other address of the run in
/// that range takes its owner from here without a lookup of its own (ADR-026).
/// </summary>
public class ImportOwnerNetwork
{
    public long Id { get; set; }
    public long RunId { get; set; }

    /// <summary>The range RDAP gave (startAddress/endAddress, else the span of its cidr0 blocks); the looked-up address alone when it gave none.</summary>
    public string StartAddress { get; set; } = "";
    public string EndAddress { get; set; } = "";
    public string? Handle { get; set; }
    public string? Name { get; set; }

    /// <summary>The host name of the RDAP server that answered.</summary>
    public string Registry { get; set; } = "";

    /// <summary>The registrant entity's name: the organisation holding the network.</summary>
    public string? Organization { get; set; }
    public string? AbuseEmail { get; set; }
    public string? AbuseName { get; set; }

    /// <summary>The RDAP address the answer came from, after redirects.</summary>
    public string Source { get; set; } = "";

    /// <summary>What findings are grouped by: the organisation, else the abuse address; null when RDAP named neither.</summary>
    public string? OwnerKey =>
        Organization is { Length: > 0 } organization ? "org:" + organization.Trim().ToLowerInvariant()
        : AbuseEmail is { Length: > 0 } abuse ? "abuse:" + abuse.ToLowerInvariant()
        : null;

    /// <summary>The name a case is filed under: the organisation, else the abuse address.</summary>
    public string? OwnerName => Organization ?? AbuseEmail;

    public string Describe() =>
        $"network {Handle ?? Name ?? "without a handle"} ({(StartAddress == EndAddress ? StartAddress : $"{StartAddress} - {EndAddress}")}) at {Registry}";
}

internal sealed class ImportOwnerNetworkConfiguration : IEntityTypeConfiguration<ImportOwnerNetwork>
{
    public void Configure(EntityTypeBuilder<ImportOwnerNetwork> builder)
    {
        builder.HasIndex(n => n.RunId);
        builder.Property(n => n.StartAddress).HasMaxLength(64);
        builder.Property(n => n.EndAddress).HasMaxLength(64);
        builder.Property(n => n.Handle).HasMaxLength(CaseLimits.ShortTextLength);
        builder.Property(n => n.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(n => n.Registry).HasMaxLength(CaseLimits.HostLength);
        builder.Property(n => n.Organization).HasMaxLength(CaseLimits.NameLength);
        builder.Property(n => n.AbuseEmail).HasMaxLength(CaseLimits.EmailLength);
        builder.Property(n => n.AbuseName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(n => n.Source).HasMaxLength(CaseLimits.UrlLength);
        builder.HasOne<ImportRun>().WithMany().HasForeignKey(n => n.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>An inclusive range of addresses of one family, as numbers, so "is this address in a network found already" is two comparisons.</summary>
internal readonly record struct AddressRange(AddressFamily Family, UInt128 First, UInt128 Last)
{
    public UInt128 Size => Last - First;

    public bool Contains(IPAddress address) => Contains(Single(address));

    /// <summary>Whether <paramref name="other"/> lies wholly inside this range.</summary>
    public bool Contains(AddressRange other) => other.Family == Family && First <= other.First && other.Last <= Last;

    public static AddressRange Single(IPAddress address)
    {
        var normal = Normal(address);
        var n = Number(normal);
        return new AddressRange(normal.AddressFamily, n, n);
    }

    /// <summary>The range of a stored network; null when its addresses do not parse (never the case for what this code stored).</summary>
    public static AddressRange? Of(string start, string end) =>
        IPAddress.TryParse(start, out var first) && IPAddress.TryParse(end, out var last) ? Between(first, last) : null;

    /// <summary>
    /// The range an RDAP network gives: its start and end address, else the span of its cidr0 blocks (which, for one
    /// network object, are the pieces of one contiguous range). Null when it gives neither, or something inconsistent.
    /// </summary>
    public static AddressRange? From(string? start, string? end, IReadOnlyList<string> cidrs)
    {
        if (start is not null && end is not null)
        {
            return Of(start, end);
        }
        AddressRange? span = null;
        foreach (var cidr in cidrs)
        {
            if (!IPNetwork.TryParse(cidr, out var network))
            {
                return null;
            }
            var bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var hostBits = bits - network.PrefixLength;
            var first = Number(network.BaseAddress);
            var last = first | (hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1);
            var family = Normal(network.BaseAddress).AddressFamily;
            span = span is { } known
                ? known.Family == family ? known with { First = UInt128.Min(known.First, first), Last = UInt128.Max(known.Last, last) } : null
                : new AddressRange(family, first, last);
            if (span is null)
            {
                return null;
            }
        }
        return span;
    }

    public IPAddress FirstAddress => ToAddress(First);
    public IPAddress LastAddress => ToAddress(Last);

    private IPAddress ToAddress(UInt128 number)
    {
        var length = Family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(number & 0xFF);
            number >>= 8;
        }
        return new IPAddress(bytes);
    }

    private static AddressRange? Between(IPAddress first, IPAddress last)
    {
        var (a, b) = (Normal(first), Normal(last));
        if (a.AddressFamily != b.AddressFamily || Number(a) > Number(b))
        {
            return null;
        }
        return new AddressRange(a.AddressFamily, Number(a), Number(b));
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static UInt128 Number(IPAddress address)
    {
        UInt128 n = 0;
        foreach (var b in address.GetAddressBytes())
        {
            n = (n << 8) | b;
        }
        return n;
    }
}

/// <summary>
/// The networks a lookup has found, by range: the most specific network holding an address, if any. Workers look up
/// different parts of the address space at once, so it locks.
/// </summary>
internal sealed class NetworkRangeCache
{
    private readonly List<(AddressRange Range, long NetworkId)> _networks = [];
    private readonly Lock _lock = new();

    public void Add(AddressRange range, long networkId)
    {
        lock (_lock)
        {
            _networks.Add((range, networkId));
        }
    }

    public long? Find(IPAddress address)
    {
        // Converted once, not once per network: every pending address is checked against every network found.
        var point = AddressRange.Single(address);
        lock (_lock)
        {
            long? found = null;
            UInt128 size = UInt128.MaxValue;
            foreach (var (range, id) in _networks)
            {
                if (range.Contains(point) && (found is null || range.Size < size))
                {
                    (found, size) = (id, range.Size);
                }
            }
            return found;
        }
    }
}
