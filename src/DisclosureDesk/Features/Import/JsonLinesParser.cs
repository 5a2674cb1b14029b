using System.Globalization;
using System.Net;
using System.Text.Json;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Reads JSON lines, one finding per line, in the search-engine shape or Nuclei's. Blank lines are skipped; every
/// other line gives a finding or an error naming the line. The whole line is kept as the finding's raw JSON, so the
/// engine-specific fields are not lost.
/// </summary>
public static class JsonLinesParser
{
    public static IEnumerable<ParsedRow> Parse(Stream stream, ImportFormat format)
    {
        foreach (var line in ScanLines.Read(stream))
        {
            if (line.Error is not null)
            {
                yield return ParsedRow.Fail(line.Number, line.Error);
                continue;
            }
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }
            var (document, invalid) = TryParse(line.Text);
            if (document is null)
            {
                yield return ParsedRow.Fail(line.Number, line.Unterminated
                    ? "The last line is cut off: the file looks truncated."
                    : $"Not valid JSON: {invalid}");
                continue;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    yield return ParsedRow.Fail(line.Number, "Each line must be one JSON object.");
                    continue;
                }
                var values = format == ImportFormat.NucleiJson ? Nuclei(document.RootElement) : SearchEngine(document.RootElement);
                yield return FindingFields.Build(line.Number, values, line.Text);
            }
        }
    }

    private static (JsonDocument? Document, string? Error) TryParse(string text)
    {
        try
        {
            return (JsonDocument.Parse(text), null);
        }
        catch (JsonException invalid)
        {
            return (null, invalid.Message);
        }
    }

    private static FindingFields.Values SearchEngine(JsonElement row)
    {
        var host = String(row, "ip_str") ?? Ip(row);
        var hostnames = Strings(row, "hostnames").Concat(Strings(row, "domains")).ToList();
        return new FindingFields.Values(
            host,
            String(row, "port"),
            String(row, "transport"),
            String(row, "product"),
            String(row, "org") ?? String(row, "isp"),
            String(row, "asn"),
            hostnames,
            String(row, "timestamp"),
            ServiceHint: Strings(row, "tags").FirstOrDefault(t => ServiceGuess.From(t, null, 0) != ServiceEngine.Other),
            ContactEmail: String(row, "abuse_email") ?? String(row, "contact_email") ?? String(row, "email") ?? String(row, "abuse_contact"));
    }

    // Shodan writes "ip" as the IPv4 address in a 32-bit integer next to "ip_str"; other engines write it as text.
    private static string? Ip(JsonElement row)
    {
        if (!row.TryGetProperty("ip", out var ip))
        {
            return null;
        }
        if (ip.ValueKind == JsonValueKind.Number && ip.TryGetUInt32(out var number))
        {
            return new IPAddress([(byte)(number >> 24), (byte)(number >> 16), (byte)(number >> 8), (byte)number]).ToString();
        }
        return ip.ValueKind == JsonValueKind.String ? ip.GetString() : null;
    }

    private static FindingFields.Values Nuclei(JsonElement row)
    {
        var (host, port) = HostAndPort(String(row, "host")) is { Host: not null } fromHost
            ? fromHost
            : HostAndPort(String(row, "matched-at"));
        host ??= String(row, "ip");
        port = String(row, "port") ?? port;
        var info = row.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var templateId = String(row, "template-id");
        var name = info.ValueKind == JsonValueKind.Object ? String(info, "name") : null;
        var tags = info.ValueKind == JsonValueKind.Object ? string.Join(",", Strings(info, "tags")) : null;
        Severity? severity = (info.ValueKind == JsonValueKind.Object ? String(info, "severity") : null)?.ToLowerInvariant() switch
        {
            "critical" => Severity.Critical,
            "high" => Severity.High,
            "medium" => Severity.Medium,
            "low" or "info" => Severity.Low,
            _ => null,
        };
        return new FindingFields.Values(
            host,
            port,
            String(row, "type") is "network" or "tcp" ? "tcp" : null,
            Product: templateId,
            Timestamp: String(row, "timestamp"),
            Severity: severity,
            Name: name is null ? templateId : $"{name} ({templateId})",
            ServiceHint: tags);
    }

    /// <summary>"host:port", "[v6]:port" or a URL; a URL without a port gets its scheme's.</summary>
    internal static (string? Host, string? Port) HostAndPort(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, null);
        }
        value = value.Trim();
        if (value.Contains("://", StringComparison.Ordinal))
        {
            return Uri.TryCreate(value, UriKind.Absolute, out var uri)
                ? (uri.Host.Trim('[', ']'), uri.Port > 0 ? uri.Port.ToString(CultureInfo.InvariantCulture) : null)
                : (value, null);
        }
        if (value.StartsWith('[') && value.IndexOf("]:", StringComparison.Ordinal) is var close and > 0)
        {
            return (value[1..close], value[(close + 2)..]);
        }
        var colon = value.LastIndexOf(':');
        // More than one colon and no brackets: a bare IPv6 address, which has no port.
        return colon > 0 && value.IndexOf(':') == colon ? (value[..colon], value[(colon + 1)..]) : (value, null);
    }

    private static string? String(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static IEnumerable<string> Strings(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];
}
