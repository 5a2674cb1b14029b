using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Discovery;
using Microsoft.EntityFrameworkCore;
using DiscoveryContactSource = DisclosureDesk.Features.Discovery.ContactSource;

namespace DisclosureDesk.ComponentTests.Features.Discovery;

public sealed class CaseDiscoveryPanelTests : ComponentTestBase
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task Panel_CompletedRun_ShowsEachSourcesOutcomeWithItsErrorAndTheProposalsWithTheirEvidenceHash()
    {
        var reference = await CaseWithRunAsync();

        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)));

        var outcomes = panel.FindAll(".discovery-outcomes li").Select(li => Normalized(li.TextContent)).ToList();
        Assert.Equal(["SecurityTxt clinic.example: Succeeded", "Rdap 192.0.2.15: Failed: RDAP answered 500."], outcomes);
        var proposal = Normalized(panel.Find(".discovery-proposals li").TextContent);
        Assert.Contains("security@clinic.example", proposal, StringComparison.Ordinal);
        Assert.Contains("SecurityTxt · High confidence", proposal, StringComparison.Ordinal);
        Assert.Contains($"Evidence SHA-256 {Sha}", proposal, StringComparison.Ordinal);
        Assert.Equal("Find contacts", panel.Find("button.btn-outline-primary").TextContent.Trim());
    }

    [Fact]
    public async Task Accept_ProposedContact_AddsItToTheCaseAndTellsThePage()
    {
        var reference = await CaseWithRunAsync();
        var changed = 0;
        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)).Add(x => x.OnChanged, () => changed++));

        panel.Find("button:contains('Accept')").Click();

        panel.WaitForAssertion(() => Assert.Equal(1, changed));
        var contact = Assert.Single(Load(reference).Contacts);
        Assert.Equal(("security@clinic.example", DisclosureDesk.Features.Cases.ContactSource.SecurityTxt), (contact.Email, contact.Source));
    }

    [Fact]
    public async Task FindContacts_RunAlreadyRunning_ButtonIsDisabledAndSaysSo()
    {
        var reference = await CaseWithRunAsync(DiscoveryRunState.Running);

        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)));

        var button = panel.Find("button.btn-outline-primary");
        Assert.Equal("Finding contacts…", button.TextContent.Trim());
        Assert.True(button.HasAttribute("disabled"));
    }

    private async Task<string> CaseWithRunAsync(DiscoveryRunState state = DiscoveryRunState.Completed)
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Open Elasticsearch with appointments", Host = "192.0.2.15", Port = 9200 }, Researcher);
        await using var db = CreateDbContext();
        var caseId = await db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken);
        var run = new DiscoveryRun
        {
            CaseId = caseId,
            RequestedById = Researcher.Id,
            RequestedByName = Researcher.Name,
            StartedAt = Clock.GetUtcNow().UtcDateTime,
            State = state,
        };
        if (state == DiscoveryRunState.Completed)
        {
            run.FinishedAt = run.StartedAt;
            run.Outcomes = JsonSerializer.Serialize(new[]
            {
                new DiscoverySourceOutcome(DiscoverySource.SecurityTxt, "clinic.example", true, null),
                new DiscoverySourceOutcome(DiscoverySource.Rdap, "192.0.2.15", false, "RDAP answered 500."),
            }, FindCaseContacts.OutcomeJson);
            run.Contacts.Add(new DiscoveredContact
            {
                CaseId = caseId,
                Kind = ContactKind.Email,
                Address = "security@clinic.example",
                Source = DiscoveryContactSource.SecurityTxt,
                Confidence = ContactConfidence.High,
                Reason = "Contact in https://clinic.example/.well-known/security.txt",
                EvidenceSha256 = Sha,
            });
        }
        db.Add(run);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return reference;
    }

    private Case Load(string reference)
    {
        using var db = CreateDbContext();
        return db.Cases.AsNoTracking().Include(c => c.Contacts).Single(c => c.Reference == reference);
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
}
