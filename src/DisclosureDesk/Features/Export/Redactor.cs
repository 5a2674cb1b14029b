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
        var masked = text;
        foreach (var (pattern, replace) in Passes())
        {
            masked = pattern.Replace(masked, replace);
        }
        return masked;
    }

    /// <summary>
    /// <paramref name="text"/> cut into the spans <see cref="Mask"/> keeps and the spans it replaces, in order: the
    /// originals joined give <paramref name="text"/>, the outputs joined give exactly what <see cref="Mask"/> returns.
    /// It runs the same passes, so a preview built on it marks what the export hides and nothing else.
    /// </summary>
    public IReadOnlyList<RedactionSegment> Segments(string text)
    {
        // Each character of the text as the passes rewrite it: a kept one knows its position in the original, a
        // written one the group (one replaced span of the original) it belongs to.
        var units = text.Select((ch, i) => new Unit(ch, i, -1)).ToList();
        var groups = new List<(int Start, int End)>();
        var merged = new List<int>();
        int Resolve(int group)
        {
            while (merged[group] != group)
            {
                group = merged[group];
            }
            return group;
        }

        foreach (var (pattern, replace) in Passes())
        {
            var current = string.Concat(units.Select(u => u.Char));
            var next = new List<Unit>(units.Count);
            var copied = 0;
            foreach (Match match in pattern.Matches(current))
            {
                var replacement = replace(match);
                if (replacement == match.Value)
                {
                    continue;
                }
                next.AddRange(units.Skip(copied).Take(match.Index - copied));
                copied = match.Index + match.Length;

                // A match that reaches into an earlier replacement takes that replacement in whole, so each group
                // stays one contiguous span of the original and one contiguous run of the output.
                var group = groups.Count;
                var start = match.Index < units.Count ? OriginStart(units[match.Index]) : text.Length;
                var end = start;
                groups.Add((0, 0));
                merged.Add(group);
                for (var k = match.Index; k < copied; k++)
                {
                    var unit = units[k];
                    if (unit.Group < 0)
                    {
                        start = Math.Min(start, unit.Origin);
                        end = Math.Max(end, unit.Origin + 1);
                    }
                    else
                    {
                        var absorbed = Resolve(unit.Group);
                        if (absorbed != group)
                        {
                            start = Math.Min(start, groups[absorbed].Start);
                            end = Math.Max(end, groups[absorbed].End);
                            merged[absorbed] = group;
                        }
                    }
                }
                groups[group] = (start, end);
                next.AddRange(replacement.Select(ch => new Unit(ch, -1, group)));
            }
            next.AddRange(units.Skip(copied));
            units = next.Select(u => u.Group < 0 ? u : u with { Group = Resolve(u.Group) }).ToList();
        }
        return Assemble(text, units, groups);

        int OriginStart(Unit unit) => unit.Group < 0 ? unit.Origin : groups[Resolve(unit.Group)].Start;
    }

    private static List<RedactionSegment> Assemble(string text, List<Unit> units, List<(int Start, int End)> groups)
    {
        var segments = new List<RedactionSegment>();
        var expected = 0;
        void Add(int start, int end, string? replacement)
        {
            if (start > expected)
            {
                // What a pass replaced with nothing.
                segments.Add(new RedactionSegment(text[expected..start], ""));
            }
            segments.Add(new RedactionSegment(text[start..end], replacement));
            expected = end;
        }

        for (var k = 0; k < units.Count;)
        {
            var from = k;
            var group = units[k].Group;
            if (group < 0)
            {
                while (k < units.Count && units[k].Group < 0 && units[k].Origin == units[from].Origin + (k - from))
                {
                    k++;
                }
                Add(units[from].Origin, units[k - 1].Origin + 1, null);
            }
            else
            {
                while (k < units.Count && units[k].Group == group)
                {
                    k++;
                }
                Add(groups[group].Start, groups[group].End, string.Concat(units.Skip(from).Take(k - from).Select(u => u.Char)));
            }
        }
        if (expected < text.Length)
        {
            segments.Add(new RedactionSegment(text[expected..], ""));
        }
        return segments;
    }

    /// <summary>
    /// The masks in the order they run, each over the previous one's output. Addresses first: a contact's name is
    /// often the local part of their e-mail address.
    /// </summary>
    private IEnumerable<(Regex Pattern, MatchEvaluator Replace)> Passes()
    {
        yield return (EmailPattern(), static _ => EmailPlaceholder);
        if (_host is not null)
        {
            yield return (_host, static _ => HostPlaceholder);
        }
        if (_names is not null)
        {
            yield return (_names, static _ => NamePlaceholder);
        }
        yield return (IPv4Pattern(), MaskIPv4);
        yield return (IPv6Candidate(), MaskIPv6);
    }

    private readonly record struct Unit(char Char, int Origin, int Group);

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

/// <summary>A piece of a text under the public profile: kept as it is (<see cref="Replacement"/> null) or replaced.</summary>
public sealed record RedactionSegment(string Original, string? Replacement)
{
    public bool IsMasked => Replacement is not null;

    /// <summary>What the export shows for this piece.</summary>
    public string Output => Replacement ?? Original;
}
