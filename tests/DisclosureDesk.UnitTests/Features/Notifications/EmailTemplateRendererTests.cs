using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public class EmailTemplateRendererTests
{
    private readonly EmailTemplateRenderer _renderer = new();

    public static TheoryData<EmailTemplateId> AllTemplates() => [.. Enum.GetValues<EmailTemplateId>()];

    [Theory]
    [MemberData(nameof(AllTemplates))]
    public void DefaultSource_EveryShippedTemplate_PassesValidation(EmailTemplateId id)
    {
        var validation = TemplateValidator.Validate(id, EmailTemplateCatalog.DefaultSource(id));

        Assert.Empty(validation.Errors);
        Assert.True(validation.IsValid);
    }

    [Theory]
    [MemberData(nameof(AllTemplates))]
    public void Render_EveryShippedTemplate_FillsSubjectAndBodyFromTheModel(EmailTemplateId id)
    {
        var email = id.ModelType() == typeof(AccountEmailModel) ? _renderer.Render(id, NotificationModels.Account())
            : id.ModelType() == typeof(OverdueDigestModel) ? _renderer.Render(id, NotificationModels.Digest())
            : _renderer.Render(id, NotificationModels.Model());

        Assert.DoesNotContain('\n', email.Subject);
        Assert.DoesNotContain("{{", email.TextBody);
        Assert.DoesNotContain("{%", email.TextBody);
        if (id.ModelType() == typeof(AccountEmailModel))
        {
            Assert.Contains("https://desk.odw.example/Account/ConfirmEmail?userId=42&code=abc%2Bdef", email.TextBody);
            Assert.Contains("DisclosureDesk", email.Subject);
        }
        else if (id.ModelType() == typeof(OverdueDigestModel))
        {
            Assert.Contains("3 overdue items", email.Subject);
            Assert.Contains("DD-2026-00001", email.TextBody);
        }
        else
        {
            Assert.StartsWith("[DD-2026-00001] ", email.Subject);
            Assert.Contains("2026-03-12", email.TextBody);
        }
    }

    [Fact]
    public void Render_OverdueDigest_ListsEachKindOfItemWithWhatToDo()
    {
        var email = _renderer.Render(EmailTemplateId.OverdueDigest, NotificationModels.Digest());

        Assert.Equal("DisclosureDesk: 3 overdue items on 2026-03-20", email.Subject);
        Assert.Contains("  - DD-2026-00001 Open MongoDB with patient appointments (Notified): deadline 2026-03-12, 8 days ago", email.TextBody);
        Assert.Contains("    https://desk.odw.example/cases/DD-2026-00001", email.TextBody);
        Assert.Contains("  - DD-2026-00002 Open Redis: no answer since 2026-03-01", email.TextBody);
        Assert.Contains("  - DD-2026-00003 \"[DD-2026-00003] Exposed Kafka\" to ops@kafka.example: Failed (550 mailbox unavailable)", email.TextBody);
        Assert.Contains("Outbox: https://desk.odw.example/outbox", email.TextBody);
    }

    [Fact]
    public void Render_OverdueDigestWithOnlyOneKind_LeavesOutTheEmptySections()
    {
        var full = NotificationModels.Digest();
        var email = _renderer.Render(EmailTemplateId.OverdueDigest, new OverdueDigestModel
        {
            Researcher = full.Researcher,
            Digest = new DigestFields { Date = "2026-03-20", TimeZone = "Europe/Amsterdam", ItemCount = 1 },
            PastDeadline = full.PastDeadline,
            NoResponse = [],
            Undelivered = [],
        });

        Assert.Equal("DisclosureDesk: 1 overdue item on 2026-03-20", email.Subject);
        Assert.DoesNotContain("No response from the owner", email.TextBody);
        Assert.DoesNotContain("did not arrive", email.TextBody);
    }

    [Fact]
    public void Render_InitialNotification_TellsTheOwnerWhatWhereHowToFixAndWhen()
    {
        var email = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model());

        Assert.Equal("[DD-2026-00001] Exposed MongoDB database at 203.0.113.7:27017", email.Subject);
        Assert.Contains("Dear Ms. de Vries,", email.TextBody);
        Assert.Contains("Address:      203.0.113.7:27017", email.TextBody);
        Assert.Contains("Data:         Contact details, Health", email.TextBody);
        Assert.Contains("Records:      1,234,567 (estimated)", email.TextBody);
        // First seen 23:30 UTC on 1 February is 2 February in Amsterdam.
        Assert.Contains("First seen:   2026-02-02", email.TextBody);
        Assert.Contains("net.bindIp", email.TextBody);
        Assert.Contains("GDPR", email.TextBody);
        Assert.Contains("keep [DD-2026-00001] in the subject", email.TextBody);
        Assert.Contains("2026-03-12 (Europe/Amsterdam)", email.TextBody);
        Assert.Contains("Exposed data (30 days) policy", email.TextBody);
    }

    [Fact]
    public void Render_CaseOutsideTheEeaWithoutCount_LeavesOutGdprAndRecordCount()
    {
        var @case = NotificationModels.Case();
        @case.AffectedCountry = "US";
        @case.RecordCount = null;

        var body = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model(@case)).TextBody;

        Assert.DoesNotContain("GDPR", body);
        Assert.DoesNotContain("Records:", body);
        Assert.Contains("data protection law", body);
    }

    [Fact]
    public void Render_IPv6Host_WritesTheEndpointWithBrackets()
    {
        var @case = NotificationModels.Case();
        @case.Host = "2001:db8::7";

        var email = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model(@case));

        Assert.Equal("[DD-2026-00001] Exposed MongoDB database at [2001:db8::7]:27017", email.Subject);
    }

    [Fact]
    public void Render_RedisCase_GivesRedisAdviceNotMongoDb()
    {
        var @case = NotificationModels.Case();
        @case.Service = ServiceEngine.Redis;
        @case.Port = 6379;

        var body = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model(@case)).TextBody;

        Assert.Contains("requirepass", body);
        Assert.DoesNotContain("mongod", body);
    }

    [Fact]
    public void Render_TitleWithLineBreaks_SubjectCannotCarryExtraHeaders()
    {
        var @case = NotificationModels.Case();
        @case.Title = "Leak\r\nBcc: victim@example.com\nX-Evil:\u2028<script>alert(1)</script>";

        var email = _renderer.Render(EmailTemplateId.DeadlineReminder, NotificationModels.Model(@case));

        Assert.Equal(
            "[DD-2026-00001] Disclosure deadline in 7 days: Leak Bcc: victim@example.com X-Evil: <script>alert(1)</script>",
            email.Subject);
    }

    [Fact]
    public void Render_CustomSubjectWithOrganizationName_StripsLineBreaks()
    {
        var @case = NotificationModels.Case();
        @case.OrganizationName = "Example\r\nTo: attacker@example.com";
        var template = TemplateValidator.Validate(EmailTemplateId.InitialNotification, "Subject: {{ organization.name }}\n\nHello\n").Template!;

        var email = _renderer.Render(template, NotificationModels.Model(@case));

        Assert.Equal("Example To: attacker@example.com", email.Subject);
    }

    [Fact]
    public void Render_MarkupInNames_IsWrittenVerbatimInThePlainTextBody()
    {
        var @case = NotificationModels.Case();
        @case.OrganizationName = "Smith & O'Brien <script>alert(1)</script>";

        var body = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model(@case)).TextBody;

        // Plain text is never interpreted as HTML, so entity-encoding would only garble the name.
        Assert.Contains("belongs to Smith & O'Brien <script>alert(1)</script>.", body);
        Assert.DoesNotContain("&lt;", body);
        Assert.DoesNotContain("&#", body);
    }

    [Theory]
    [InlineData(4, "Disclosure deadline in 7 days")]
    [InlineData(10, "Disclosure deadline tomorrow")]
    [InlineData(11, "Disclosure deadline reached")]
    public void Render_DeadlineReminder_CountsCalendarDaysInTheTimeZone(int utcDayInMarch, string expected)
    {
        // 23:30 UTC is already the next day in Amsterdam, which is the day that counts.
        var parameters = NotificationModels.Parameters() with { Now = new DateTime(2026, 3, utcDayInMarch, 23, 30, 0, DateTimeKind.Utc) };

        var subject = _renderer.Render(EmailTemplateId.DeadlineReminder, NotificationModel.Create(NotificationModels.Case(), parameters)).Subject;

        Assert.StartsWith($"[DD-2026-00001] {expected}:", subject);
    }

    [Fact]
    public void Render_FinalFollowUp_NamesTheNoResponseDateAndEscalation()
    {
        var body = _renderer.Render(EmailTemplateId.FinalFollowUp, NotificationModels.Model()).TextBody;

        Assert.Contains("2026-02-10", body);
        Assert.Contains("by 2026-03-10 (Europe/Amsterdam)", body);
        Assert.Contains("\"No response\"", body);
        Assert.Contains("Example Hosting B.V.", body);
    }

    [Fact]
    public void Render_AccountModelWithCaseTemplate_IsRefused()
    {
        var template = TemplateValidator.Validate(EmailTemplateId.InitialNotification, "Subject: x\n\ny\n").Template!;

        Assert.Throws<ArgumentException>(() => _renderer.Render(template, NotificationModels.Account()));
    }

    [Theory]
    [MemberData(nameof(AllTemplates))]
    public void Render_NamesEndingInAFullStop_NeverLeaveADoublePeriod(EmailTemplateId id)
    {
        var @case = NotificationModels.Case();
        @case.OrganizationName = "Example Corp.";
        var model = NotificationModel.Create(@case, NotificationModels.Parameters() with { TeamName = "Open Data Watch Ltd." });

        var digest = NotificationModels.Digest();
        var email = id.ModelType() == typeof(AccountEmailModel) ? _renderer.Render(id, NotificationModels.Account())
            : id.ModelType() == typeof(OverdueDigestModel) ? _renderer.Render(id, new OverdueDigestModel
            {
                Researcher = new DigestResearcherFields { Name = digest.Researcher.Name, Team = "Open Data Watch Ltd." },
                Digest = digest.Digest,
                PastDeadline = digest.PastDeadline,
                NoResponse = digest.NoResponse,
                Undelivered = digest.Undelivered,
            })
            : _renderer.Render(id, model);

        Assert.DoesNotContain("..", email.Subject);
        Assert.DoesNotContain("..", email.TextBody);
    }

    [Fact]
    public void Render_InitialNotificationForExampleCorp_EndsTheSentenceWithTheNamesOwnFullStop()
    {
        var @case = NotificationModels.Case();
        @case.OrganizationName = "Example Corp.";

        var body = _renderer.Render(EmailTemplateId.InitialNotification, NotificationModels.Model(@case)).TextBody;

        Assert.Contains("belongs to Example Corp.\n", body);
        Assert.Contains("on behalf of Open Data Watch.\n", body);
    }

    [Theory]
    [InlineData("Example Corp.", "Example Corp.")]
    [InlineData("Example Corp", "Example Corp.")]
    [InlineData("Yahoo!", "Yahoo!")]
    [InlineData("Example Corp. ", "Example Corp.")]
    [InlineData("", "")]
    public void EndSentence_Value_AddsAFullStopOnlyWhenMissing(string name, string expected)
    {
        var template = TemplateValidator.Validate(EmailTemplateId.InitialNotification, "Subject: x\n\n[{{ organization.name | end_sentence }}]\n").Template!;
        var @case = NotificationModels.Case();
        @case.OrganizationName = name;

        var body = _renderer.Render(template, NotificationModels.Model(@case)).TextBody;

        Assert.Equal($"[{expected}]\n", body);
    }
}
