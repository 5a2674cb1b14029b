using System.Globalization;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Turns a row's raw values into a <see cref="ScanFinding"/> with the case form's own rules (host, port, ASN), so an
/// imported case is one the form would have accepted, or a row error saying which value is wrong.
/// </summary>
public static partial class FindingFields
{
    public sealed record Values(
        string? Host,
        string? Port,
        string? Transport = null,
        string? Product = null,
        string? Organization = null,
        string? Asn = null,
        IReadOnlyList<string>? Hostnames = null,
        string? Timestamp = null,
        Severity? Severity = null,
        string? Name = null,
        string? ServiceHint = null,
        string? ContactEmail = null);

    public static ParsedRow Build(int line, Values values, string raw)
    {
        if (string.IsNullOrWhiteSpace(values.Host))
        {
            return ParsedRow.Fail(line, "No host: the row needs an IP address or hostname.");
        }
        if (!HostNameAttribute.IsHost(values.Host))
        {
            return ParsedRow.Fail(line, $"'{Clip(values.Host)}' is not an IP address or hostname.");
        }
        if (string.IsNullOrWhiteSpace(values.Port))
        {
            return ParsedRow.Fail(line, "No port.");
        }
        if (!int.TryParse(values.Port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return ParsedRow.Fail(line, $"The port '{Clip(values.Port)}' is not between 1 and 65535.");
        }
        string? asn = null;
        if (!string.IsNullOrWhiteSpace(values.Asn))
        {
            var match = AsnPattern().Match(values.Asn);
            if (!match.Success)
            {
                return ParsedRow.Fail(line, $"The ASN '{Clip(values.Asn)}' is not a number such as AS12345.");
            }
            asn = "AS" + match.Groups["number"].Value;
        }
        DateTime? seenAt = null;
        if (!string.IsNullOrWhiteSpace(values.Timestamp))
        {
            if (!DateTimeOffset.TryParse(values.Timestamp.Trim(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            {
                return ParsedRow.Fail(line, $"The timestamp '{Clip(values.Timestamp)}' is not a date and time.");
            }
            seenAt = parsed.UtcDateTime;
        }
        var product = Text(values.Product, CaseLimits.NameLength);
        return ParsedRow.Ok(new ScanFinding(
            line,
            HostNameAttribute.Normalize(values.Host),
            port,
            Text(values.Transport, 10)?.ToLowerInvariant(),
            ServiceGuess.From(product, values.ServiceHint, port),
            product,
            Text(values.Organization, CaseLimits.NameLength),
            asn,
            (values.Hostnames ?? []).Select(h => h.Trim()).Where(HostNameAttribute.IsHost).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            seenAt,
            values.Severity,
            Text(values.Name, CaseLimits.NameLength),
            raw,
            // An address that does not parse is dropped, not an error: the finding becomes a "no contact" campaign row.
            Campaigns.CampaignRecipientList.NormalizeAddress(values.ContactEmail)));
    }

    private static string? Text(string? value, int length) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var t && t.Length > length ? t[..length] : value.Trim();

    private static string Clip(string value) => value.Length > 60 ? value[..60] + "…" : value;

    [GeneratedRegex(@"^\s*(AS)?(?<number>\d{1,10})\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex AsnPattern();
}

/// <summary>Which <see cref="ServiceEngine"/> a finding is, from the product name, a scanner's hint, or the port.</summary>
public static class ServiceGuess
{
    private static readonly (string Word, ServiceEngine Service)[] Words =
    [
        ("mongo", ServiceEngine.MongoDB),
        ("elastic", ServiceEngine.Elasticsearch),
        ("kibana", ServiceEngine.Kibana),
        ("redis", ServiceEngine.Redis),
        ("couchdb", ServiceEngine.CouchDB),
        ("cassandra", ServiceEngine.Cassandra),
        ("mysql", ServiceEngine.MySQL),
        ("mariadb", ServiceEngine.MySQL),
        ("postgres", ServiceEngine.PostgreSQL),
        ("minio", ServiceEngine.S3Bucket),
        ("s3", ServiceEngine.S3Bucket),
        ("kafka", ServiceEngine.Kafka),
    ];

    private static readonly Dictionary<int, ServiceEngine> Ports = new()
    {
        [27017] = ServiceEngine.MongoDB,
        [27018] = ServiceEngine.MongoDB,
        [9200] = ServiceEngine.Elasticsearch,
        [5601] = ServiceEngine.Kibana,
        [6379] = ServiceEngine.Redis,
        [5984] = ServiceEngine.CouchDB,
        [9042] = ServiceEngine.Cassandra,
        [3306] = ServiceEngine.MySQL,
        [5432] = ServiceEngine.PostgreSQL,
        [9092] = ServiceEngine.Kafka,
    };

    public static ServiceEngine From(string? product, string? hint, int port)
    {
        foreach (var text in new[] { product, hint })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            foreach (var (word, service) in Words)
            {
                if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
                {
                    return service;
                }
            }
        }
        return Ports.GetValueOrDefault(port, ServiceEngine.Other);
    }
}
