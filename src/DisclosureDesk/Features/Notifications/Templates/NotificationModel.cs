using System.Globalization;
using System.Net.Sockets;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// What a case email may show. Templates see these properties in snake_case (<c>case.record_count</c>)
/// and nothing else: the entity itself is never handed to Liquid, so a template cannot reach internal
/// notes, team members or audit hashes. Values are already formatted (invariant culture, ISO dates).
/// </summary>
public sealed class NotificationModel
{
    public required CaseFields Case { get; init; }
    public required OrganizationFields Organization { get; init; }
    public required RecipientFields Recipient { get; init; }
    public required ResearcherFields Researcher { get; init; }
    public required NotificationFields Notification { get; init; }

    /// <summary>Builds the model for <paramref name="case"/>; dates are shown as calendar days in the parameters' time zone.</summary>
    public static NotificationModel Create(Case @case, NotificationParameters parameters)
    {
        var zone = parameters.TimeZone;
        var today = LocalDate(parameters.Now, zone);
        var deadline = LocalDate(parameters.DeadlineAt, zone);
        return new NotificationModel
        {
            Case = new CaseFields
            {
                Reference = @case.Reference,
                Title = @case.Title,
                Service = @case.Service.DisplayName(),
                ServiceDescription = ServiceGuidance.Describe(@case.Service),
                Host = @case.Host,
                Port = @case.Port,
                Endpoint = Endpoint(@case.Host, @case.Port),
                Authentication = @case.AuthenticationState.DisplayName(),
                DatabaseNames = @case.DatabaseNames,
                RecordCount = @case.RecordCount?.ToString("N0", CultureInfo.InvariantCulture),
                RecordCountMethod = @case.RecordCountMethod.DisplayName().ToLowerInvariant(),
                DataCategories = [.. @case.DataCategories.FlagNames()],
                PersonalData = @case.DataCategories.HoldPersonalData(),
                SpecialCategories = (@case.DataCategories & (DataCategories.Health | DataCategories.Biometric | DataCategories.SpecialCategories)) != 0,
                AffectedCountry = CountryName(@case.AffectedCountry),
                InEea = @case.AffectedCountry is { } country && EeaCountries.Contains(country),
                FirstSeen = @case.FirstSeenAt is { } first ? Iso(LocalDate(first, zone)) : null,
                LastSeen = @case.LastSeenAt is { } last ? Iso(LocalDate(last, zone)) : null,
                HostingProvider = @case.HostingProvider,
                Asn = @case.Asn,
                RansomNotePresent = @case.RansomNotePresent,
                Remediation = ServiceGuidance.Remediation(@case.Service),
            },
            Organization = new OrganizationFields { Name = @case.OrganizationName, Website = @case.OrganizationWebsite },
            Recipient = new RecipientFields { Name = parameters.RecipientName, Email = parameters.RecipientEmail, Findings = parameters.Findings },
            Researcher = new ResearcherFields
            {
                Name = parameters.ResearcherName,
                Team = parameters.TeamName,
                Address = parameters.TeamAddress,
            },
            Notification = new NotificationFields
            {
                FirstNotifiedOn = Iso(LocalDate(parameters.FirstNotifiedAt, zone)),
                NoticesSent = parameters.NoticesSent,
                Deadline = Iso(deadline),
                DaysUntilDeadline = deadline.DayNumber - today.DayNumber,
                NoResponseOn = parameters.NoResponseAt is { } closing ? Iso(LocalDate(closing, zone)) : null,
                Policy = parameters.PolicyName,
                PolicyUrl = parameters.PolicyUrl,
                ReplyTo = parameters.ReplyAddress,
                TimeZone = ZoneName(zone),
                CaseUrl = parameters.CaseUrl,
                EscalatedTo = parameters.EscalatedTo,
            },
        };
    }

    // EU member states plus Iceland, Liechtenstein and Norway: where the GDPR applies to the data subjects.
    private static readonly HashSet<string> EeaCountries = new(StringComparer.OrdinalIgnoreCase)
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
        "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    };

    // EF reads SQLite dates back with Kind=Unspecified; they are stored as UTC.
    private static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Endpoint(string host, int port) =>
        System.Net.IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static string? CountryName(string? code)
    {
        if (code is null)
        {
            return null;
        }
        try
        {
            return new RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    // Windows ids ("W. Europe Standard Time") mean nothing to a recipient; the IANA id is what they recognise.
    private static string ZoneName(TimeZoneInfo zone) =>
        zone.HasIanaId ? zone.Id
        : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana
        : zone.Id;
}

/// <summary>What the case model needs beyond the case: who writes, to whom, and the dates of the schedule (UTC instants).</summary>
public sealed record NotificationParameters
{
    public required TimeZoneInfo TimeZone { get; init; }
    public required DateTime Now { get; init; }
    public required string ResearcherName { get; init; }
    public required string TeamName { get; init; }

    /// <summary>Postal or web address of the team, shown under the signature.</summary>
    public string? TeamAddress { get; init; }
    public required string ReplyAddress { get; init; }
    public string? RecipientName { get; init; }

    /// <summary>The address the email goes to; set for campaign emails.</summary>
    public string? RecipientEmail { get; init; }

    /// <summary>The endpoints a campaign recipient is told about (host:port); empty for a single case's owner.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
    public required DateTime FirstNotifiedAt { get; init; }

    /// <summary>How many notices the owner has been sent so far, counting the first.</summary>
    public int NoticesSent { get; init; } = 1;
    public required DateTime DeadlineAt { get; init; }

    /// <summary>When the case is closed as No response (or escalated) if the owner stays silent.</summary>
    public DateTime? NoResponseAt { get; init; }
    public required string PolicyName { get; init; }
    public string? PolicyUrl { get; init; }

    /// <summary>Link to the case in DisclosureDesk, for emails to the team only.</summary>
    public string? CaseUrl { get; init; }

    /// <summary>The rungs of the escalation ladder already written to, each as a phrase with its date.</summary>
    public IReadOnlyList<string> EscalatedTo { get; init; } = [];
}

public sealed class CaseFields
{
    public required string Reference { get; init; }
    public required string Title { get; init; }
    public required string Service { get; init; }

    /// <summary>A noun phrase such as "MongoDB database" or "Kafka broker".</summary>
    public required string ServiceDescription { get; init; }
    public required string Host { get; init; }
    public required int Port { get; init; }

    /// <summary>host:port, with an IPv6 host in brackets.</summary>
    public required string Endpoint { get; init; }
    public required string Authentication { get; init; }
    public string? DatabaseNames { get; init; }

    /// <summary>Formatted with thousands separators (<c>120,000</c>); nil when unknown.</summary>
    public string? RecordCount { get; init; }
    public required string RecordCountMethod { get; init; }
    public required IReadOnlyList<string> DataCategories { get; init; }
    public required bool PersonalData { get; init; }
    public required bool SpecialCategories { get; init; }
    public string? AffectedCountry { get; init; }
    public required bool InEea { get; init; }
    public string? FirstSeen { get; init; }
    public string? LastSeen { get; init; }
    public string? HostingProvider { get; init; }
    public string? Asn { get; init; }
    public required bool RansomNotePresent { get; init; }
    public required IReadOnlyList<string> Remediation { get; init; }
}

public sealed class OrganizationFields
{
    public string? Name { get; init; }
    public string? Website { get; init; }
}

public sealed class RecipientFields
{
    public string? Name { get; init; }
    public string? Email { get; init; }

    /// <summary>For campaign emails: the recipient's own exposed endpoints (host:port), one per item.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
}

public sealed class ResearcherFields
{
    public required string Name { get; init; }
    public required string Team { get; init; }
    public string? Address { get; init; }
}

public sealed class NotificationFields
{
    public required string FirstNotifiedOn { get; init; }
    public required int NoticesSent { get; init; }
    public required string Deadline { get; init; }
    public required int DaysUntilDeadline { get; init; }
    public string? NoResponseOn { get; init; }
    public required string Policy { get; init; }
    public string? PolicyUrl { get; init; }
    public required string ReplyTo { get; init; }
    public required string TimeZone { get; init; }
    public string? CaseUrl { get; init; }

    /// <summary>Who the case was escalated to before this email, e.g. "the hosting provider, Example Hosting (abuse@example.net), on 2026-11-20"; empty before any escalation.</summary>
    public required IReadOnlyList<string> EscalatedTo { get; init; }
}
