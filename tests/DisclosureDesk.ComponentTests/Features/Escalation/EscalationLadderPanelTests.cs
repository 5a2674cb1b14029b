using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.ComponentTests.Features.Escalation;

public sealed class EscalationLadderPanelTests : ComponentTestBase
{
    [Fact]
    public async Task Panel_NotifiedCase_ShowsEachRungWithItsDateRecipientAndEmailAndWhyOneWouldBeSkipped()
    {
        var reference = await NotifiedCaseAsync(EscalationLadder.AllRungs);

        var panel = Render<EscalationLadderPanel>(p => p.Add(x => x.Case, Load(reference)));

        var rungs = panel.FindAll(".escalation-rung");
        Assert.Equal(3, rungs.Count);
        Assert.Contains("2031-03-28", rungs[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("abuse@hosting.example", rungs[0].TextContent, StringComparison.Ordinal);
        Assert.Contains($"Read the email: [{reference}] Request for help", rungs[0].QuerySelector("summary")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("cert@ncsc.example.nl", rungs[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("2031-04-11", rungs[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("no data-protection authority for NL", rungs[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("Any reply stops the ladder", panel.Find(".escalation-state").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_RungUnchecked_StoresTheLadderAndWarnsNothingIsSentAtOnce()
    {
        var reference = await NotifiedCaseAsync(EscalationLadder.AllRungs);
        var changed = 0;
        var panel = Render<EscalationLadderPanel>(p => p.Add(x => x.Case, Load(reference)).Add(x => x.OnChanged, () => changed++));
        Assert.True(panel.Find("button[type=submit]").HasAttribute("disabled"));

        panel.Find("#ladder-rung-1").Change(false);
        panel.Find("#ladder-silence").Input("21");
        Assert.Empty(panel.FindAll(".alert-warning"));
        panel.Find("form").Submit();

        panel.WaitForAssertion(() => Assert.Equal(1, changed));
        var stored = Load(reference);
        Assert.Equal((EscalationSteps.NationalCert | EscalationSteps.DataProtectionAuthority, (int?)21), (stored.EscalationSteps, stored.EscalationSilenceDays));
    }

    [Fact]
    public async Task Panel_SilenceAlreadyLongerThanTheNewSetting_WarnsThatSavingSendsAtOnce()
    {
        var reference = await NotifiedCaseAsync(EscalationSteps.None);
        Clock.Advance(TimeSpan.FromDays(20));
        var panel = Render<EscalationLadderPanel>(p => p.Add(x => x.Case, Load(reference)));
        Assert.Contains("No escalation", panel.Find(".escalation-state").TextContent, StringComparison.Ordinal);

        panel.Find("#ladder-rung-1").Change(true);

        Assert.Contains("Saving this sends the email to the hosting provider within 15 minutes", panel.Find(".alert-warning").TextContent, StringComparison.Ordinal);
    }

    private async Task<string> NotifiedCaseAsync(EscalationSteps steps)
    {
        var reference = await FileCaseAsync(new CaseForm
        {
            Title = "Open Elasticsearch with appointments", Host = "192.0.2.15", Port = 9200, Service = ServiceEngine.Elasticsearch,
            AffectedCountry = "NL", DataCategories = DataCategories.Health,
        }, Researcher);
        var contacts = Services.GetRequiredService<ManageCaseContacts.Handler>();
        foreach (var contact in new ManageCaseContacts.ContactForm[]
        {
            new() { Name = "Security", Email = "security@clinic.example" },
            new() { Name = "Abuse desk", Email = "abuse@hosting.example", Role = EscalationLadder.AbuseContactRole },
        })
        {
            var added = await contacts.AddAsync(reference, contact, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
            Assert.True(added.Succeeded, added.Summary);
        }
        await using (var db = CreateDbContext())
        {
            db.EscalationAuthorities.Add(new EscalationAuthority
            {
                Kind = AuthorityKind.NationalCert, CountryCode = "NL", Name = "NCSC-NL", Email = "cert@ncsc.example.nl",
                CreatedAt = Clock.GetUtcNow().UtcDateTime, UpdatedAt = Clock.GetUtcNow().UtcDateTime, UpdatedByName = "Ada Admin",
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await ChangeStatusAsync(reference, CaseStatus.Triaged, Researcher);
        await ChangeStatusAsync(reference, CaseStatus.OwnerIdentified, Researcher);
        var owner = Load(reference).Contacts.Single(c => c.Email == "security@clinic.example").Id;
        var sent = await Services.GetRequiredService<NotifyOwner.Handler>().SendAsync(reference, new NotifyOwner.Form
        {
            ContactIds = [owner], Subject = $"[{reference}] Exposed", Body = "Please close it.", EscalationSteps = steps,
        }, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(sent.Succeeded, sent.Summary);
        return reference;
    }

    private Case Load(string reference)
    {
        using var db = CreateDbContext();
        return db.Cases.AsNoTracking().Include(c => c.Contacts).Single(c => c.Reference == reference);
    }
}
