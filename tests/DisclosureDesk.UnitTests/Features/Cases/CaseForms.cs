using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.UnitTests.Features.Cases;

internal static class CaseForms
{
    /// <summary>A form that passes validation; tests change one thing at a time.</summary>
    public static CaseForm Valid() => new()
    {
        Title = "Open MongoDB with patient records",
        Summary = "Unauthenticated MongoDB exposing appointment data.",
        Severity = Severity.High,
        Tags = "mongodb, healthcare",
        Service = ServiceEngine.MongoDB,
        Host = "db.example.com",
        Port = 27017,
        Asn = "AS64500",
        HostingProvider = "Example Hosting",
        AuthenticationState = ServiceAuthentication.None,
        DatabaseNames = "appointments",
        RecordCount = 120_000,
        RecordCountMethod = RecordCountMethod.Estimated,
        DataCategories = DataCategories.ContactDetails | DataCategories.Health,
        AffectedCountry = "NL",
        DiscoveryMethod = "Internet-wide scan",
        FirstSeenAt = new DateTime(2026, 2, 1, 8, 0, 0, DateTimeKind.Utc),
        LastSeenAt = new DateTime(2026, 2, 3, 8, 0, 0, DateTimeKind.Utc),
        OrganizationName = "Example Clinic",
        OrganizationWebsite = "https://clinic.example",
    };
}
