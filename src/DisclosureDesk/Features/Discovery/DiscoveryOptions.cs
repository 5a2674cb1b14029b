using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Discovery;

public sealed class DiscoveryOptions
{
    public const string SectionName = "Discovery";

    /// <summary>
    /// Lets discovery connect to loopback addresses (127.0.0.0/8, ::1). Only the tests set it: their servers listen on
    /// loopback. Every other blocked range stays blocked.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Connect, request and response body together, per HTTP request (each redirect hop is a new request).</summary>
    [Range(1, 120, ErrorMessage = "Discovery:RequestTimeoutSeconds must be between 1 and 120.")]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Connect and TLS handshake when reading a service's certificate.</summary>
    [Range(1, 120, ErrorMessage = "Discovery:TlsHandshakeTimeoutSeconds must be between 1 and 120.")]
    public int TlsHandshakeTimeoutSeconds { get; set; } = 5;

    /// <summary>Reverse DNS of the case's address.</summary>
    [Range(1, 120, ErrorMessage = "Discovery:DnsTimeoutSeconds must be between 1 and 120.")]
    public int DnsTimeoutSeconds { get; set; } = 5;

    [Range(0, 10, ErrorMessage = "Discovery:MaxRedirects must be between 0 and 10.")]
    public int MaxRedirects { get; set; } = 3;

    [Range(1_024, 1_048_576, ErrorMessage = "Discovery:SecurityTxtMaxBytes must be between 1024 and 1048576.")]
    public int SecurityTxtMaxBytes { get; set; } = 64 * 1024;

    [Range(1_024, 16_777_216, ErrorMessage = "Discovery:RdapMaxBytes must be between 1024 and 16777216.")]
    public int RdapMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>At most this many domains (researcher's, reverse DNS, certificate names) are checked for security.txt.</summary>
    [Range(1, 50, ErrorMessage = "Discovery:MaxDomains must be between 1 and 50.")]
    public int MaxDomains { get; set; } = 8;

    /// <summary>
    /// A folder holding IANA's RDAP bootstrap files (<c>ipv4.json</c>, <c>ipv6.json</c>, <c>asn.json</c> from
    /// https://data.iana.org/rdap/). Empty means the copy shipped with the app (IPv4 and IPv6 only).
    /// </summary>
    public string? RdapBootstrapDirectory { get; set; }

    /// <summary>The RDAP server asked when the bootstrap names none for an address or AS number; it redirects onwards.</summary>
    [Required(ErrorMessage = "Discovery:RdapFallbackBaseUrl is required.")]
    [RegularExpression("^https?://.+/$", ErrorMessage = "Discovery:RdapFallbackBaseUrl must be an http(s) URL ending in '/'.")]
    public string RdapFallbackBaseUrl { get; set; } = "https://rdap.arin.net/registry/";

    /// <summary>RDAP entity and related-link fetches made to complete one lookup (the redirects of each fetch are separate).</summary>
    [Range(0, 10, ErrorMessage = "Discovery:RdapMaxReferrals must be between 0 and 10.")]
    public int RdapMaxReferrals { get; set; } = 3;

    internal TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);
    internal TimeSpan TlsHandshakeTimeout => TimeSpan.FromSeconds(TlsHandshakeTimeoutSeconds);
    internal TimeSpan DnsTimeout => TimeSpan.FromSeconds(DnsTimeoutSeconds);
}
