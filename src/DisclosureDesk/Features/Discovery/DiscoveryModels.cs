using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;

namespace DisclosureDesk.Features.Discovery;

/// <summary>What to discover for: a case's host (name or address), domains the researcher adds, ports to read TLS names from.</summary>
public sealed record DiscoveryRequest(string Host, IReadOnlyList<string>? Domains = null, IReadOnlyList<int>? TlsPorts = null);

/// <summary>
/// The sources, in the order they are reported. They run in three phases: the host's address, then reverse DNS, TLS
/// and RDAP side by side, then security.txt for every domain the first two phases found.
/// </summary>
public enum DiscoverySource
{
    [Display(Name = "Host address")]
    HostAddress,
    [Display(Name = "Reverse DNS")]
    ReverseDns,
    [Display(Name = "TLS certificate")]
    TlsCertificate,
    [Display(Name = "RDAP")]
    Rdap,
    [Display(Name = "security.txt")]
    SecurityTxt,
}

public enum DiscoveryStep
{
    Started,
    Succeeded,
    Failed,
}

/// <summary>One step of one source for one target, as it happens: what a job shows as progress.</summary>
public sealed record DiscoveryProgress(DiscoverySource Source, string Target, DiscoveryStep Step, string? Error = null);

/// <summary>
/// Told each <see cref="DiscoveryProgress"/>; discovery waits for it before the source goes on, so what it records is
/// recorded before the source counts as done. It must not throw: a failure to record progress is not the source's.
/// </summary>
public delegate Task DiscoveryProgressHandler(DiscoveryProgress progress, CancellationToken cancellationToken);

/// <summary>How one source ended for one target. A failed source never stops the others.</summary>
public sealed record DiscoverySourceOutcome(DiscoverySource Source, string Target, bool Succeeded, string? Error);

public enum ContactSource
{
    [Display(Name = "security.txt")]
    SecurityTxt,
    [Display(Name = "RDAP abuse contact")]
    RdapAbuse,
    [Display(Name = "RDAP registrant")]
    RdapRegistrant,
    [Display(Name = "TLS certificate")]
    TlsCertificate,
}

public enum ContactKind
{
    Email,
    [Display(Name = "Web page")]
    Web,
    Phone,
}

/// <summary>See docs/discovery.md for the rules.</summary>
public enum ContactConfidence
{
    Low,
    Medium,
    High,
}

/// <summary>The bytes a proposal was read from (a security.txt, an RDAP response, a certificate) and their SHA-256.</summary>
public sealed record DiscoveryEvidence(string Origin, string MediaType, byte[] Content)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Content));
}

/// <summary>A contact discovery proposes; the researcher accepts or rejects it.</summary>
public sealed record ProposedContact(
    ContactKind Kind,
    string Address,
    string? Name,
    ContactSource Source,
    ContactConfidence Confidence,
    string Reason,
    DiscoveryEvidence Evidence);

public enum DomainOrigin
{
    CaseHost,
    Researcher,
    ReverseDns,
    TlsCertificate,
}

public sealed record DiscoveredDomain(string Name, DomainOrigin Origin);

/// <summary>The network the host is in, for the case's ASN and provider.</summary>
public sealed record NetworkSummary(
    string Registry,
    string? Handle,
    string? Name,
    IReadOnlyList<string> Cidrs,
    string? Range,
    string? Country,
    string? Organisation,
    long? Autnum,
    string? AutnumName);

public sealed record DiscoveryReport(
    string Host,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<DiscoveredDomain> Domains,
    NetworkSummary? Network,
    IReadOnlyList<TlsCertificateInfo> Certificates,
    IReadOnlyList<FetchedSecurityTxt> SecurityTxtFiles,
    IReadOnlyList<ProposedContact> Contacts,
    IReadOnlyList<DiscoverySourceOutcome> Outcomes);
