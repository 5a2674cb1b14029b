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
