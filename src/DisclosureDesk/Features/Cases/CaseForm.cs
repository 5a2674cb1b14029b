using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Cases;

/// <summary>What a researcher types to file or edit a case. Validated by the form and again by the handler.</summary>
public sealed class CaseForm : IValidatableObject
{
    [Required(ErrorMessage = "Give the case a title.")]
    [StringLength(CaseLimits.TitleLength, ErrorMessage = "The title can be at most {1} characters.")]
    public string Title { get; set; } = "";

    [StringLength(CaseLimits.SummaryLength, ErrorMessage = "The summary can be at most {1} characters.")]
    public string? Summary { get; set; }

    public Severity Severity { get; set; } = Severity.Medium;

    [StringLength(CaseLimits.TagsLength, ErrorMessage = "Tags can be at most {1} characters in all.")]
    public string? Tags { get; set; }

    public ServiceEngine Service { get; set; } = ServiceEngine.MongoDB;

    [Required(ErrorMessage = "Enter the host: an IP address or a hostname.")]
    [HostName]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessage = "The port must be between 1 and 65535.")]
    public int Port { get; set; } = 27017;

    [StringLength(CaseLimits.ShortTextLength, ErrorMessage = "The ASN can be at most {1} characters.")]
    [RegularExpression(@"^\s*(AS)?\d{1,10}\s*$", ErrorMessage = "The ASN must be a number, optionally written AS12345.")]
    public string? Asn { get; set; }

    [StringLength(CaseLimits.NameLength, ErrorMessage = "The hosting provider can be at most {1} characters.")]
    public string? HostingProvider { get; set; }

    public ServiceAuthentication AuthenticationState { get; set; } = ServiceAuthentication.None;

    [StringLength(CaseLimits.LongTextLength, ErrorMessage = "Database and index names can be at most {1} characters.")]
    public string? DatabaseNames { get; set; }

    [Range(0, long.MaxValue, ErrorMessage = "The record count cannot be negative.")]
    public long? RecordCount { get; set; }

    public RecordCountMethod RecordCountMethod { get; set; }

    public DataCategories DataCategories { get; set; }

    [RegularExpression("^[A-Za-z]{2}$", ErrorMessage = "Use the two-letter ISO 3166 country code, e.g. NL.")]
    public string? AffectedCountry { get; set; }

    [StringLength(CaseLimits.LongTextLength, ErrorMessage = "How it was found can be at most {1} characters.")]
    public string? DiscoveryMethod { get; set; }

    public DateTime? FirstSeenAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
    public bool RansomNotePresent { get; set; }

    [StringLength(CaseLimits.NameLength, ErrorMessage = "The organisation name can be at most {1} characters.")]
    public string? OrganizationName { get; set; }

    [StringLength(CaseLimits.UrlLength, ErrorMessage = "The website can be at most {1} characters.")]
    [Url(ErrorMessage = "Enter the website as a full URL, e.g. https://example.com.")]
    public string? OrganizationWebsite { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstSeenAt is { } first && LastSeenAt is { } last && last < first)
        {
            yield return new ValidationResult("Last seen cannot be before first seen.", [nameof(LastSeenAt)]);
        }
        if (!Enum.IsDefined(Severity))
        {
            yield return new ValidationResult("Choose a severity.", [nameof(Severity)]);
        }
        if (!Enum.IsDefined(Service))
        {
            yield return new ValidationResult("Choose a service.", [nameof(Service)]);
        }
        if (!Enum.IsDefined(AuthenticationState))
        {
            yield return new ValidationResult("Choose an authentication state.", [nameof(AuthenticationState)]);
        }
        if (!Enum.IsDefined(RecordCountMethod))
        {
            yield return new ValidationResult("Choose how the record count was obtained.", [nameof(RecordCountMethod)]);
        }
        var allCategories = Enum.GetValues<DataCategories>().Aggregate(DataCategories.None, (all, c) => all | c);
        if ((DataCategories & ~allCategories) != 0)
        {
            yield return new ValidationResult("Unknown data category.", [nameof(DataCategories)]);
        }
        foreach (var tag in TagList.Parse(Tags))
        {
            if (tag.Length > 50)
            {
                yield return new ValidationResult($"The tag '{tag[..20]}…' is longer than 50 characters.", [nameof(Tags)]);
            }
        }
    }

    public static CaseForm From(Case c) => new()
    {
        Title = c.Title,
        Summary = c.Summary,
        Severity = c.Severity,
        Tags = string.Join(", ", TagList.Parse(c.Tags)),
        Service = c.Service,
        Host = c.Host,
        Port = c.Port,
        Asn = c.Asn,
        HostingProvider = c.HostingProvider,
        AuthenticationState = c.AuthenticationState,
        DatabaseNames = c.DatabaseNames,
        RecordCount = c.RecordCount,
        RecordCountMethod = c.RecordCountMethod,
        DataCategories = c.DataCategories,
        AffectedCountry = c.AffectedCountry,
        DiscoveryMethod = c.DiscoveryMethod,
        FirstSeenAt = c.FirstSeenAt,
        LastSeenAt = c.LastSeenAt,
        RansomNotePresent = c.RansomNotePresent,
        OrganizationName = c.OrganizationName,
        OrganizationWebsite = c.OrganizationWebsite,
    };

    /// <summary>A copy with First/Last seen read as times in <paramref name="zone"/> and turned into UTC.</summary>
    public CaseForm ToUtc(TimeZoneInfo zone)
    {
        var copy = (CaseForm)MemberwiseClone();
        copy.FirstSeenAt = FirstSeenAt is { } first ? UserTimeZones.ToUtc(first, zone) : null;
        copy.LastSeenAt = LastSeenAt is { } last ? UserTimeZones.ToUtc(last, zone) : null;
        return copy;
    }

    /// <summary>A copy with First/Last seen shown in <paramref name="zone"/>, for editing.</summary>
    public CaseForm ToLocal(TimeZoneInfo zone)
    {
        var copy = (CaseForm)MemberwiseClone();
        copy.FirstSeenAt = FirstSeenAt is { } first ? UserTimeZones.ToLocal(first, zone) : null;
        copy.LastSeenAt = LastSeenAt is { } last ? UserTimeZones.ToLocal(last, zone) : null;
        return copy;
    }

    /// <summary>Copies the form onto the case, normalised the way it is stored.</summary>
    public void ApplyTo(Case c)
    {
        c.Title = Title.Trim();
        c.Summary = Blank(Summary);
        c.Severity = Severity;
        c.Tags = TagList.Format(TagList.Parse(Tags));
        c.Service = Service;
        c.Host = HostNameAttribute.Normalize(Host);
        c.HostKey = HostNameAttribute.Key(c.Host);
        c.Port = Port;
        c.Asn = Blank(Asn) is { } asn ? "AS" + asn.TrimStart('A', 'S', 'a', 's') : null;
        c.HostingProvider = Blank(HostingProvider);
        c.AuthenticationState = AuthenticationState;
        c.DatabaseNames = Blank(DatabaseNames);
        c.RecordCount = RecordCount;
        c.RecordCountMethod = RecordCountMethod;
        c.DataCategories = DataCategories;
        c.AffectedCountry = Blank(AffectedCountry)?.ToUpperInvariant();
        c.DiscoveryMethod = Blank(DiscoveryMethod);
        c.FirstSeenAt = FirstSeenAt;
        c.LastSeenAt = LastSeenAt;
        c.RansomNotePresent = RansomNotePresent;
        c.OrganizationName = Blank(OrganizationName);
        c.OrganizationKey = c.OrganizationName?.ToLowerInvariant();
        c.OrganizationWebsite = Blank(OrganizationWebsite);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Tags are stored as one delimited string (<c>|a|b|</c>) so a tag filter is a single indexed-free LIKE.</summary>
public static class TagList
{
    public static IReadOnlyList<string> Parse(string? tags) =>
        (tags ?? "").Split([',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToLowerInvariant())
            .Distinct()
            .ToList();

    public static string Format(IEnumerable<string> tags)
    {
        var list = tags.ToList();
        return list.Count == 0 ? "" : "|" + string.Join('|', list) + "|";
    }
}

/// <summary>Accepts an IPv4 or IPv6 address or a DNS hostname (internationalised names included).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HostNameAttribute() : ValidationAttribute("Enter an IP address or a hostname such as db.example.com (no scheme, port or path).")
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public override bool IsValid(object? value) =>
        value is not string s || string.IsNullOrWhiteSpace(s) || IsHost(s);

    public static bool IsHost(string value)
    {
        var host = value.Trim();
        if (host.Length is 0 or > CaseLimits.HostLength)
        {
            return false;
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IsIPv6(host[1..^1]);
        }
        if (IsIPv6(host) || IsDottedQuad(host))
        {
            return true;
        }
        try
        {
            var ascii = Idn.GetAscii(host.TrimEnd('.'));
            return ascii.Length <= CaseLimits.HostLength
                && ascii.Split('.').All(label => label.Length is > 0 and <= 63)
                && !ascii.Split('.')[^1].All(char.IsAsciiDigit)
                && Uri.CheckHostName(ascii) == UriHostNameType.Dns;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Trims and strips IPv6 brackets and a trailing root dot, and writes IPs in canonical form.</summary>
    public static string Normalize(string value)
    {
        var host = value.Trim().TrimEnd('.');
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        return IsIPv6(host) || IsDottedQuad(host) ? IPAddress.Parse(host).ToString() : host;
    }

    /// <summary>
    /// The form a host is indexed and compared by: lower case, and an internationalised name in one spelling
    /// whether it was typed in Unicode or as punycode (<c>xn--bcher-kva.example</c> and <c>Bücher.example</c> are
    /// the same host), so a scan that reports one form finds the case filed with the other.
    /// </summary>
    public static string Key(string host)
    {
        var normalized = Normalize(host);
        if (IsIPv6(normalized) || IsDottedQuad(normalized))
        {
            return normalized;
        }
        try
        {
            return Idn.GetUnicode(Idn.GetAscii(normalized)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return normalized.ToLowerInvariant();
        }
    }

    // IPAddress.TryParse also takes "[::1]:27017" (and drops the port) and inet_aton forms such as
    // "010.0.0.1" (octal, so 8.0.0.1) or "0x7f.0.0.1"; both would store a different host than the one typed.
    private static bool IsIPv6(string host) =>
        host.Contains(':')
        && host.IndexOfAny(['[', ']', '/']) < 0
        && IPAddress.TryParse(host, out var ip)
        && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    private static bool IsDottedQuad(string host)
    {
        var parts = host.Split('.');
        return parts.Length == 4 && parts.All(part =>
            part.Length is >= 1 and <= 3
            && part.All(char.IsAsciiDigit)
            && (part.Length == 1 || part[0] != '0')
            && int.Parse(part, CultureInfo.InvariantCulture) <= 255);
    }
}
