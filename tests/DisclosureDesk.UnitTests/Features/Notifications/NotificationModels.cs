using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;

namespace DisclosureDesk.UnitTests.Features.Notifications;

internal static class NotificationModels
{
    public static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    /// <summary>A case as a researcher would file it; tests change one thing at a time.</summary>
    public static Case Case() => new()
    {
        Reference = "DD-2026-00001",
        Title = "Open MongoDB with patient appointments",
        Service = ServiceEngine.MongoDB,
        Host = "203.0.113.7",
        HostKey = "203.0.113.7",
        Port = 27017,
        Asn = "AS64500",
        HostingProvider = "Example Hosting B.V.",
        AuthenticationState = ServiceAuthentication.None,
        DatabaseNames = "appointments, patients",
        RecordCount = 1_234_567,
        RecordCountMethod = RecordCountMethod.Estimated,
        DataCategories = DataCategories.ContactDetails | DataCategories.Health,
        AffectedCountry = "NL",
        // 23:30 UTC is already the next day in Amsterdam: dates must be shown in the given zone.
        FirstSeenAt = new DateTime(2026, 2, 1, 23, 30, 0, DateTimeKind.Utc),
        LastSeenAt = new DateTime(2026, 2, 16, 8, 0, 0, DateTimeKind.Utc),
        OrganizationName = "Example Clinic",
        OrganizationWebsite = "https://clinic.example",
    };

    public static NotificationParameters Parameters() => new()
    {
        TimeZone = Amsterdam,
        Now = new DateTime(2026, 3, 5, 9, 0, 0, DateTimeKind.Utc),
        ResearcherName = "Alex Jansen",
        TeamName = "Open Data Watch",
        TeamAddress = "Keizersgracht 1, 1015 AA Amsterdam, NL",
        ReplyAddress = "disclosure@odw.example",
        RecipientName = "Ms. de Vries",
        FirstNotifiedAt = new DateTime(2026, 2, 10, 9, 0, 0, DateTimeKind.Utc),
        NoticesSent = 3,
        DeadlineAt = new DateTime(2026, 3, 12, 9, 0, 0, DateTimeKind.Utc),
        NoResponseAt = new DateTime(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc),
        PolicyName = "Exposed data (30 days)",
        PolicyUrl = "https://odw.example/disclosure-policy",
        CaseUrl = "https://desk.odw.example/cases/DD-2026-00001",
    };

    public static NotificationModel Model(Case? @case = null) => NotificationModel.Create(@case ?? Case(), Parameters());

    public static AccountEmailModel Account() => new()
    {
        User = new AccountUserFields { Name = "Alex Jansen", Email = "alex@odw.example" },
        Link = "https://desk.odw.example/Account/ConfirmEmail?userId=42&code=abc%2Bdef",
        SiteName = "DisclosureDesk",
    };

    public static OverdueDigestModel Digest() => new()
    {
        Researcher = new DigestResearcherFields { Name = "Alex Jansen", Team = "Open Data Watch" },
        Digest = new DigestFields { Date = "2026-03-20", TimeZone = "Europe/Amsterdam", ItemCount = 3, OutboxUrl = "https://desk.odw.example/outbox" },
        PastDeadline =
        [
            new DigestCaseFields
            {
                Reference = "DD-2026-00001", Title = "Open MongoDB with patient appointments", Status = "Notified",
                Since = "2026-03-12", DaysOverdue = 8, CaseUrl = "https://desk.odw.example/cases/DD-2026-00001",
            },
        ],
        NoResponse = [new DigestCaseFields { Reference = "DD-2026-00002", Title = "Open Redis", Status = "No response", Since = "2026-03-01", DaysOverdue = 19 }],
        Undelivered =
        [
            new DigestEmailFields
            {
                Reference = "DD-2026-00003", Subject = "[DD-2026-00003] Exposed Kafka", To = "ops@kafka.example", State = "Failed",
                LastError = "550 mailbox unavailable",
            },
        ],
    };
}
