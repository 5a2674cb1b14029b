using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.ComponentTests.Features.Notifications;

public sealed class NotifyOwnerPanelTests : ComponentTestBase
{
    [Fact]
    public async Task DraftNotification_OwnerIdentified_ShowsTheEditableEmailAndEveryFollowUpWithItsDate()
    {
        var reference = await CaseWithContactAsync(CaseStatus.OwnerIdentified);
        var panel = Render<NotifyOwnerPanel>(p => p.Add(x => x.Case, Load(reference)));

        panel.Find("button[type=submit]").Click();

        panel.WaitForAssertion(() =>
        {
            Assert.StartsWith($"[{reference}]", panel.Find("#notify-subject").GetAttribute("value"), StringComparison.Ordinal);
            Assert.Contains("192.0.2.15:9200", panel.Find("#notify-body").GetAttribute("value"), StringComparison.Ordinal);
        });
        var summary = panel.Find("details > summary").TextContent;
        Assert.Contains("3 follow-ups", summary, StringComparison.Ordinal);
        Assert.Contains("2031-04-11", summary, StringComparison.Ordinal);
        var followUps = panel.FindAll("details .follow-up-body");
        Assert.Equal(3, followUps.Count);
        var dates = panel.FindAll("details time").Select(t => t.TextContent).ToList();
        Assert.Contains(dates, d => d.StartsWith("2031-03-21", StringComparison.Ordinal));
        Assert.Contains(dates, d => d.StartsWith("2031-03-28", StringComparison.Ordinal));
        Assert.Contains(dates, d => d.StartsWith("2031-04-04", StringComparison.Ordinal));
        await using var db = CreateDbContext();
        Assert.False(await db.OutboxMessages.AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Panel_CaseStillTriaged_ExplainsWhatIsMissingAndOffersNoDraft()
    {
        var reference = await CaseWithContactAsync(CaseStatus.Triaged);

        var panel = Render<NotifyOwnerPanel>(p => p.Add(x => x.Case, Load(reference)));

        Assert.Contains("move the case to Owner identified", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("button[type=submit]"));
    }

    [Fact]
    public async Task Panel_NotifiedUnderProjectZero_ShowsTheDatesAndGrantsTheGracePeriodOnce()
    {
        var reference = await CaseWithContactAsync(CaseStatus.OwnerIdentified);
        var contactId = Load(reference).Contacts.Single().Id;
        var sent = await Services.GetRequiredService<NotifyOwner.Handler>().SendAsync(reference, new NotifyOwner.Form
        {
            ContactIds = [contactId], PolicyId = DisclosurePolicies.ProjectZero.Id, Subject = $"[{reference}] Exposed", Body = "Please close it.",
        }, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(sent.Succeeded, sent.Summary);
        var changed = 0;
        var panel = Render<NotifyOwnerPanel>(p => p.Add(x => x.Case, Load(reference)).Add(x => x.OnChanged, () => changed++));

        Assert.Equal(["Fix by 2031-06-12", "Publish after 2031-06-12"], DateRows(panel));
        Assert.Contains("Deadline reminders to the team: 2031-06-05 09:00 UTC and 2031-06-11 09:00 UTC", Normalized(panel.Markup), StringComparison.Ordinal);

        panel.Find("#grace-note").Change("Vendor ships the patch on 2031-06-20");
        panel.Find("button:contains('grace period')").Click();

        panel.WaitForAssertion(() => Assert.Equal(1, changed));
        panel.Render(p => p.Add(x => x.Case, Load(reference)));
        Assert.Equal(["Fix by 2031-06-26 (with the grace period)", "Publish after 2031-06-26"], DateRows(panel));
        Assert.Empty(panel.FindAll("#grace-note"));
    }

    [Fact]
    public async Task Panel_OnlyContactBouncedPermanently_SaysSoAndAsksForAnotherContactInsteadOfADraft()
    {
        var reference = await CaseWithContactAsync(CaseStatus.OwnerIdentified);
        await using (var db = CreateDbContext())
        {
            await db.CaseContacts.Where(c => c.Email == "security@clinic.example" && db.Cases.Any(k => k.Id == c.CaseId && k.Reference == reference))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Bouncing, BounceSeverity.Permanent)
                    .SetProperty(c => c.BouncedAt, new DateTime(2031, 3, 14, 10, 0, 0, DateTimeKind.Utc))
                    .SetProperty(c => c.BounceDetail, "5.1.1 User unknown"), TestContext.Current.CancellationToken);
        }

        var panel = Render<NotifyOwnerPanel>(p => p.Add(x => x.Case, Load(reference)));

        var alert = System.Text.RegularExpressions.Regex.Replace(panel.Find("[role=alert]").TextContent, @"\s+", " ");
        Assert.Contains("Mail to Security <security@clinic.example> bounced permanently", alert, StringComparison.Ordinal);
        Assert.Contains("add another contact for the owner", alert, StringComparison.Ordinal);
        Assert.Contains("5.1.1 User unknown", alert, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("button[type=submit]"));
        Assert.Empty(panel.FindAll("#notify-contact-" + Load(reference).Contacts.Single().Id));
    }

    private static List<string> DateRows(IRenderedComponent<NotifyOwnerPanel> panel) =>
        panel.FindAll(".disclosure-dates dt").Zip(panel.FindAll(".disclosure-dates dd"), (dt, dd) => Normalized($"{dt.TextContent} {dd.TextContent}")).ToList();

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text, "<[^>]+>", ""), @"\s+", " ").Trim();

    private async Task<string> CaseWithContactAsync(CaseStatus status)
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Open Elasticsearch with appointments", Host = "192.0.2.15", Port = 9200, Service = ServiceEngine.Elasticsearch }, Researcher);
        var added = await Services.GetRequiredService<ManageCaseContacts.Handler>().AddAsync(reference,
            new ManageCaseContacts.ContactForm { Name = "Security", Email = "security@clinic.example" }, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(added.Succeeded, added.Summary);
        await ChangeStatusAsync(reference, CaseStatus.Triaged, Researcher);
        if (status == CaseStatus.OwnerIdentified)
        {
            await ChangeStatusAsync(reference, CaseStatus.OwnerIdentified, Researcher);
        }
        return reference;
    }

    private Case Load(string reference)
    {
        using var db = CreateDbContext();
        return db.Cases.AsNoTracking().Include(c => c.Contacts).Single(c => c.Reference == reference);
    }
}
