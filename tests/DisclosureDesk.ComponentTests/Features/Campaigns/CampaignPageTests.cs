using Bunit;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.ComponentTests.Features.Campaigns;

public sealed class CampaignPageTests : ComponentTestBase
{
    [Fact]
    public async Task RecipientsTable_FilterByStateThenSearch_ShowsOnlyMatchingRecipientsAndTheCounts()
    {
        var reference = await CampaignAsync(
            ("a@alpha.example", CampaignRecipientState.Bounced),
            ("b@beta.example", CampaignRecipientState.Sent),
            ("c@gamma.example", CampaignRecipientState.Bounced),
            ("d@delta.example", CampaignRecipientState.Replied));
        var page = Render<CampaignPage>(p => p.Add(x => x.Reference, reference));
        Assert.Equal(4, Emails(page).Count);
        Assert.Equal("2", page.Find("[data-state=Bounced] .count").TextContent);

        page.Find("#recipient-state").Change(nameof(CampaignRecipientState.Bounced));

        page.WaitForAssertion(() => Assert.Equal(["a@alpha.example", "c@gamma.example"], Emails(page)));
        Assert.All(page.FindAll(".recipient-state"), s => Assert.Equal("Bounced", s.TextContent));

        page.Find("#recipient-search").Change("gamma");
        page.Find("form[role=search]").Submit();

        page.WaitForAssertion(() => Assert.Equal(["c@gamma.example"], Emails(page)));
    }

    [Fact]
    public async Task MarkMitigated_Click_MovesOnlyThatRecipientAndUpdatesTheCounts()
    {
        var reference = await CampaignAsync(("a@alpha.example", CampaignRecipientState.Sent), ("b@beta.example", CampaignRecipientState.Sent));
        var page = Render<CampaignPage>(p => p.Add(x => x.Reference, reference));

        page.Find("tr:first-child button.btn-outline-success").Click();

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-state=Mitigated] .count").TextContent));
        await using var db = CreateDbContext();
        var states = await db.CampaignRecipients.OrderBy(r => r.Id).Select(r => r.State).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([CampaignRecipientState.Mitigated, CampaignRecipientState.Sent], states);
    }

    [Fact]
    public async Task Page_SomeoneOffTheTeam_IsNotFound()
    {
        var reference = await CampaignAsync(("a@alpha.example", CampaignRecipientState.Sent));
        SignInAs(OtherResearcher);

        var page = Render<CampaignPage>(p => p.Add(x => x.Reference, reference));

        Assert.Empty(page.FindAll("table"));
        Assert.DoesNotContain("a@alpha.example", page.Markup, StringComparison.Ordinal);
    }

    private static List<string> Emails(IRenderedComponent<CampaignPage> page) =>
        page.FindAll(".recipient-email").Select(td => td.TextContent).ToList();

    private async Task<string> CampaignAsync(params (string Email, CampaignRecipientState State)[] recipients)
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Campaign of open MongoDB", Host = "192.0.2.15", Port = 27017, Service = ServiceEngine.MongoDB }, Researcher);
        var list = string.Join('\n', recipients.Select((r, i) => $"{r.Email}, 192.0.2.{i + 20}, 27017"));
        var added = await Services.GetRequiredService<ManageCampaign.Handler>().AddListAsync(reference, list, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(added.Result.Succeeded, added.Result.Summary);
        await using var db = CreateDbContext();
        foreach (var (email, state) in recipients)
        {
            await db.CampaignRecipients.Where(r => r.Email == email)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, state), TestContext.Current.CancellationToken);
        }
        return reference;
    }
}
