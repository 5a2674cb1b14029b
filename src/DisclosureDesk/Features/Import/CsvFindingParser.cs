using System.Text;
using System.Text.Json;

namespace DisclosureDesk.Features.Import;

/// <summary>The fields a CSV column can be mapped to.</summary>
public enum CsvField
{
    Host,
    Port,
    Transport,
    Product,
    Organization,
    Asn,
    Hostnames,
    Timestamp,
    /// <summary>The address a campaign writes to about this finding (abuse or security contact).</summary>
    ContactEmail,
}

/// <summary>
/// Reads RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks) on top of <see cref="ScanLines"/>,
/// so every row error names the line it starts on and an encoding error names its own line. The first row is the header.
/// </summary>
public static class CsvFindingParser
{
    private static readonly Dictionary<CsvField, string[]> HeaderNames = new()
    {
        [CsvField.Host] = ["ip_str", "ip", "host", "ip address", "address", "hostname"],
        [CsvField.Port] = ["port"],
        [CsvField.Transport] = ["transport", "protocol"],
        [CsvField.Product] = ["product", "service", "software"],
        [CsvField.Organization] = ["org", "organization", "organisation", "owner", "isp"],
        [CsvField.Asn] = ["asn", "as", "as number"],
        [CsvField.Hostnames] = ["hostnames", "domains", "domain"],
        [CsvField.Timestamp] = ["timestamp", "last seen", "seen", "date", "time"],
        [CsvField.ContactEmail] = ["email", "contact", "contact email", "contact_email", "abuse", "abuse email", "abuse_email", "abuse contact", "security contact"],
    };

    /// <summary>The header row's column names, or null when the file has none (or it cannot be read).</summary>
    public static IReadOnlyList<string>? ReadHeader(Stream stream) =>
        Records(stream).Select(r => r.Fields).FirstOrDefault();

    /// <summary>A column for each field whose name a scanner export commonly uses; the researcher may change it.</summary>
    public static Dictionary<CsvField, int> ProposeMapping(IReadOnlyList<string> header)
    {
        var mapping = new Dictionary<CsvField, int>();
        foreach (var (field, names) in HeaderNames)
        {
            var column = names
                .Select(name => header.ToList().FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase)))
                .FirstOrDefault(index => index >= 0 && !mapping.ContainsValue(index), -1);
            if (column >= 0)
            {
                mapping[field] = column;
            }
        }
        return mapping;
    }

    public static IEnumerable<ParsedRow> Parse(Stream stream, IReadOnlyDictionary<CsvField, int> mapping)
    {
        IReadOnlyList<string>? header = null;
        foreach (var record in Records(stream))
        {
            if (record.Error is not null)
            {
                yield return ParsedRow.Fail(record.Line, record.Error);
                continue;
            }
            if (header is null)
            {
                header = record.Fields;
                if (!mapping.ContainsKey(CsvField.Host) || !mapping.ContainsKey(CsvField.Port))
                {
                    yield return ParsedRow.Fail(record.Line, "Choose the columns that hold the host and the port.");
                    yield break;
                }
                continue;
            }
            if (record.Fields is [""])
            {
                continue;
            }
            if (record.Fields.Count != header.Count)
            {
                yield return ParsedRow.Fail(record.Line, $"The row has {record.Fields.Count} columns; the header has {header.Count}.");
                continue;
            }
            string? Get(CsvField field) => mapping.TryGetValue(field, out var column) && column < record.Fields.Count ? record.Fields[column] : null;
            var raw = new Dictionary<string, string>();
            for (var i = 0; i < header.Count; i++)
            {
                raw.TryAdd(header[i], record.Fields[i]);
            }
            yield return FindingFields.Build(record.Line, new FindingFields.Values(
                Get(CsvField.Host),
                Get(CsvField.Port),
                Get(CsvField.Transport),
                Get(CsvField.Product),
                Get(CsvField.Organization),
                Get(CsvField.Asn),
                (Get(CsvField.Hostnames) ?? "").Split([';', ',', ' ', '|'], StringSplitOptions.RemoveEmptyEntries),
                Get(CsvField.Timestamp),
                ContactEmail: Get(CsvField.ContactEmail)), JsonSerializer.Serialize(raw));
        }
    }

    private readonly record struct Record(int Line, IReadOnlyList<string> Fields, string? Error);

    private static IEnumerable<Record> Records(Stream stream)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var startLine = 0;
        foreach (var line in ScanLines.Read(stream))
        {
            if (line.Error is not null)
            {
                yield return new Record(line.Number, [], line.Error);
                fields.Clear();
                field.Clear();
                quoted = false;
                continue;
            }
            if (!quoted)
            {
                startLine = line.Number;
            }
            else
            {
                field.Append('\n');
            }
            var text = line.Text!;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }
            if (quoted)
            {
                if (line.Unterminated)
                {
                    yield return new Record(startLine, [], "A quoted field is never closed: the file looks truncated.");
                }
                continue;
            }
            fields.Add(field.ToString());
            field.Clear();
            yield return new Record(startLine, fields.ToList(), null);
            fields.Clear();
        }
    }
}
