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
        Assert.Equal(["RDAP 192.0.2.15: Failed: RDAP answered 500.", "security.txt clinic.example: Done"], outcomes);
        Assert.Contains("Latest run: Completed", Normalized(panel.Find("h3").TextContent), StringComparison.Ordinal);
        Assert.Empty(panel.FindAll(".discovery-progress"));
        var proposal = Normalized(panel.Find(".discovery-proposals li").TextContent);
        Assert.Contains("security@clinic.example", proposal, StringComparison.Ordinal);
        Assert.Contains("Email · security.txt · High confidence", proposal, StringComparison.Ordinal);
        Assert.Contains($"SHA-256 {Sha}", proposal, StringComparison.Ordinal);
        Assert.Equal("Find contacts", panel.Find("button.btn-outline-primary").TextContent.Trim());
    }

    [Fact]
    public async Task Panel_RunningRunWithSomeSourcesDone_ShowsEachSourcesLabelAndStateAndHowManyAreDone()
    {
        var reference = await CaseWithRunAsync(DiscoveryRunState.Running,
            Done(DiscoverySource.ReverseDns, "192.0.2.15"),
            Failed(DiscoverySource.TlsCertificate, "192.0.2.15:443", "192.0.2.15:443 did not complete a TLS handshake within 5 s."),
            Started(DiscoverySource.TlsCertificate, "192.0.2.15:9200"),
            Started(DiscoverySource.Rdap, "192.0.2.15"));

        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)));

        Assert.Equal(
            [
                "Reverse DNS 192.0.2.15: Done",
                "TLS certificate 192.0.2.15:443: Failed: 192.0.2.15:443 did not complete a TLS handshake within 5 s.",
                "TLS certificate 192.0.2.15:9200: Running",
                "RDAP 192.0.2.15: Running",
                "security.txt: Pending",
            ],
            panel.FindAll(".discovery-outcomes li").Select(li => Normalized(li.TextContent)));
        Assert.Contains("text-danger", panel.Find(".discovery-source-failed").ClassName, StringComparison.Ordinal);
        Assert.Equal("2 of 5 lookups done", Normalized(panel.Find(".discovery-progress").TextContent));
        Assert.Contains("Latest run: Running", Normalized(panel.Find("h3").TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Panel_WhileTheRunRuns_ShowsEachSourceAsTheJobRecordsItAndTellsThePageWhenItEnds()
    {
        var reference = await CaseWithRunAsync(DiscoveryRunState.Running, Started(DiscoverySource.ReverseDns, "192.0.2.15"));
        var changed = 0;
        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)).Add(x => x.OnChanged, () => changed++));
        panel.WaitForAssertion(() => Assert.Equal("0 of 4 lookups done", Normalized(panel.Find(".discovery-progress").TextContent)));

        await UpdateRunAsync(reference, DiscoveryRunState.Running, Done(DiscoverySource.ReverseDns, "192.0.2.15"), Started(DiscoverySource.Rdap, "192.0.2.15"));
        Clock.Advance(TimeSpan.FromSeconds(2));

        panel.WaitForAssertion(() => Assert.Equal("1 of 4 lookups done", Normalized(panel.Find(".discovery-progress").TextContent)));
        Assert.Contains("Reverse DNS 192.0.2.15: Done", panel.FindAll(".discovery-outcomes li").Select(li => Normalized(li.TextContent)));
        Assert.Equal(0, changed);

        await UpdateRunAsync(reference, DiscoveryRunState.Completed, Done(DiscoverySource.ReverseDns, "192.0.2.15"), Done(DiscoverySource.Rdap, "192.0.2.15"));
        Clock.Advance(TimeSpan.FromSeconds(2));

        panel.WaitForAssertion(() => Assert.Equal(1, changed));
    }

    [Fact]
    public async Task Panel_DecidedProposal_ShowsReadableKindSourceAndDecisionAndLinksEachProposalsEvidence()
    {
        var reference = await CaseWithRunAsync();
        await using (var db = CreateDbContext())
        {
            var run = await db.Set<DiscoveryRun>().SingleAsync(TestContext.Current.CancellationToken);
            db.Add(new DiscoveredContact
            {
                RunId = run.Id,
                CaseId = run.CaseId,
                Kind = ContactKind.Email,
                Address = "abuse@provider.example",
                Source = DiscoveryContactSource.RdapAbuse,
                Confidence = ContactConfidence.Medium,
                Reason = "The abuse contact of the network.",
                EvidenceSha256 = Sha,
                State = ProposalState.Accepted,
                DecidedById = Researcher.Id,
                DecidedByName = Researcher.Name,
                DecidedAt = Clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var panel = Render<CaseDiscoveryPanel>(p => p.Add(x => x.Case, Load(reference)));

        var accepted = panel.FindAll(".discovery-proposals li").Single(li => li.TextContent.Contains("abuse@provider.example", StringComparison.Ordinal));
        Assert.Contains("Email · RDAP abuse contact · Medium confidence", Normalized(accepted.TextContent), StringComparison.Ordinal);
        Assert.StartsWith("Accepted by Rita Researcher", Normalized(accepted.QuerySelector(".discovery-decision")!.TextContent), StringComparison.Ordinal);
        Assert.Empty(accepted.QuerySelectorAll("button"));
        var ids = await ProposalIdsAsync();
        Assert.Equal(
            ids.Select(id => $"cases/{reference}/discovery/proposals/{id}/evidence").Order(StringComparer.Ordinal),
            panel.FindAll(".discovery-proposals a").Select(a => a.GetAttribute("href")!).Order(StringComparer.Ordinal));
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

    private static FindCaseContacts.StoredOutcome Done(DiscoverySource source, string target) => new(source, target, true, null);

    private static FindCaseContacts.StoredOutcome Failed(DiscoverySource source, string target, string error) => new(source, target, false, error);

    private static FindCaseContacts.StoredOutcome Started(DiscoverySource source, string target) => new(source, target, false, null, Running: true);

    /// <summary>What the job writes: the run's state and its sources so far.</summary>
    private async Task UpdateRunAsync(string reference, DiscoveryRunState state, params FindCaseContacts.StoredOutcome[] outcomes)
    {
        await using var db = CreateDbContext();
        var run = await db.Set<DiscoveryRun>().SingleAsync(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference), TestContext.Current.CancellationToken);
        run.State = state;
        run.FinishedAt = state == DiscoveryRunState.Running ? null : Clock.GetUtcNow().UtcDateTime;
        run.Outcomes = JsonSerializer.Serialize(outcomes, FindCaseContacts.OutcomeJson);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private async Task<List<long>> ProposalIdsAsync()
    {
        await using var db = CreateDbContext();
        return await db.Set<DiscoveredContact>().Select(c => c.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    private async Task<string> CaseWithRunAsync(DiscoveryRunState state = DiscoveryRunState.Completed, params FindCaseContacts.StoredOutcome[] outcomes)
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
            Outcomes = JsonSerializer.Serialize(outcomes, FindCaseContacts.OutcomeJson),
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
