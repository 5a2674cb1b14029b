using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Import;

/// <summary>The file formats an import reads.</summary>
public enum ImportFormat
{
    /// <summary>JSON lines as search-engine scanners export them (ip_str/ip, port, transport, org, asn, hostnames…).</summary>
    [Display(Name = "Search-engine JSON lines")] SearchEngineJson = 0,
    /// <summary>Nuclei's <c>-jsonl</c> output (host, ip, port, matched-at, template-id, info).</summary>
    [Display(Name = "Nuclei JSON lines")] NucleiJson = 1,
    /// <summary>Comma-separated values with a header row; the researcher maps columns to fields.</summary>
    [Display(Name = "CSV")] Csv = 2,
}

/// <summary>One exposed service read from a scan file, normalised the way a case stores host and port.</summary>
public sealed record ScanFinding(
    int Line,
    string Host,
    int Port,
    string? Transport,
    ServiceEngine Service,
    string? Product,
    string? Organization,
    string? Asn,
    IReadOnlyList<string> Hostnames,
    DateTime? SeenAt,
    Severity? Severity,
    string? Name,
    string Raw,
    string? ContactEmail = null)
{
    /// <summary>The host as cases index it (<see cref="Case.HostKey"/>), so duplicates match cases filed by hand.</summary>
    public string HostKey => HostNameAttribute.Key(Host);
}

/// <summary>Why one line of a file could not be read; the line is 1-based, as an editor shows it.</summary>
public sealed record ImportRowError(int Line, string Reason);

/// <summary>What one row of a file gave: a finding or an error, never both.</summary>
public readonly record struct ParsedRow(ScanFinding? Finding, ImportRowError? Error)
{
    public static ParsedRow Ok(ScanFinding finding) => new(finding, null);
    public static ParsedRow Fail(int line, string reason) => new(null, new ImportRowError(line, reason));
}
