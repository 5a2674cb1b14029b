using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// Masks what a public export may not show in free text: IP addresses (IPv4 keeps three octets, IPv6 its first
/// three hextets, the /48 a provider assigns), e-mail addresses, the names of the owner's contacts and the case's
/// host name (which names the owner as surely as a contact does).
/// </summary>
public sealed partial class Redactor
{
    public const string EmailPlaceholder = "[email]";
    public const string NamePlaceholder = "[contact]";
    public const string HostPlaceholder = "[host]";

    private readonly Regex? _names;
    private readonly Regex? _host;

    /// <param name="names">Contact names to remove wherever they appear, whole words, ignoring case.</param>
    /// <param name="hostName">The case's host when it is a name rather than an address; removed wherever it appears.</param>
    public Redactor(IEnumerable<string> names, string? hostName = null)
    {
        if (!string.IsNullOrWhiteSpace(hostName) && !IPAddress.TryParse(hostName.Trim(), out _))
        {
            _host = new Regex($@"(?<![\w.-]){Regex.Escape(hostName.Trim())}(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        // Longest first, so "Jan de Vries" goes before a contact called "Jan" can leave "de Vries" behind.
        var alternatives = names
            .Select(n => n.Trim())
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(n => n.Length)
            .Select(n => Regex.Escape(n).Replace(@"\ ", @"\s+", StringComparison.Ordinal))
            .ToList();
        if (alternatives.Count > 0)
        {
            _names = new Regex($@"(?<!\w)(?:{string.Join('|', alternatives)})(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
    }

    public string Mask(string text)
    {
        // Addresses first: a contact's name is often the local part of their e-mail address.
        var masked = EmailPattern().Replace(text, EmailPlaceholder);
        if (_host is not null)
        {
            masked = _host.Replace(masked, HostPlaceholder);
        }
        if (_names is not null)
        {
            masked = _names.Replace(masked, NamePlaceholder);
        }
        masked = IPv4Pattern().Replace(masked, MaskIPv4);
        return IPv6Candidate().Replace(masked, MaskIPv6);
    }

    /// <summary>An IP address as a public export shows it; a host name (which names the owner) is withheld.</summary>
    public static string? MaskHost(string host) =>
        IPAddress.TryParse(host.Trim(), out var address) ? MaskAddress(address) : null;

    private static string MaskIPv4(Match match)
    {
        for (var i = 1; i <= 4; i++)
        {
            if (int.Parse(match.Groups[i].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return match.Value;
            }
        }
        return $"{match.Groups[1].Value}.{match.Groups[2].Value}.{match.Groups[3].Value}.x";
    }

    /// <summary>
    /// Masks the longest address at the start of the candidate, so "2001:db8::1:" at the end of a clause and
    /// "2001:db8:0:0:0:0:0:1:9200" (an address with a port, unbracketed) are masked too, keeping what follows.
    /// </summary>
    private static string MaskIPv6(Match match)
    {
        var value = match.Value;
        var lead = value.StartsWith(':') && !value.StartsWith("::", StringComparison.Ordinal) ? 1 : 0;
        for (var end = value.Length; end > lead; end = value.LastIndexOf(':', end - 1))
        {
            var candidate = value[lead..end];
            if (candidate.Count(c => c == ':') >= 2
                && IPAddress.TryParse(candidate, out var address)
                && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return value[..lead] + MaskAddress(address) + value[end..];
            }
            if (end == 0)
            {
                break;
            }
        }
        return value;
    }

    private static string MaskAddress(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return $"{b[0]}.{b[1]}.{b[2]}.x";
        }
        var bytes = address.GetAddressBytes();
        var hextets = Enumerable.Range(0, 3).Select(i => ((bytes[2 * i] << 8) | bytes[(2 * i) + 1]).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        return $"{string.Join(':', hextets)}:x:x:x:x:x";
    }

    [GeneratedRegex(@"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<!\d)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4Pattern();

    // Any run of hex digits and colons with at least two colons, wherever it starts (an address glued to a word
    // must not slip through); only what parses as IPv6 is masked, so times (09:30:00) and MAC addresses stay.
    [GeneratedRegex(@"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,9}", RegexOptions.CultureInvariant)]
    private static partial Regex IPv6Candidate();
}
