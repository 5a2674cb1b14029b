using System.Text.RegularExpressions;
using DisclosureDesk.EndToEndTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Cases;

public sealed class CaseJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task FileFindAndTriage_NewCase_TimelineShowsBothEventsNewestFirst()
    {
        var page = await OpenPageAsAdministratorAsync();
        var nav = new NavMenu(page);
        var form = new CaseFormPage(page);

        await form.GotoNewAsync();
        await Expect(nav.Link(AppFixture.AdministratorEmail)).ToBeVisibleAsync();
        var filed = await form.CreateAsync(new CaseDraft(
            "Unauthenticated MongoDB with fleet GPS tracks", "198.51.100.23", 27017, "Northwind Logistics B.V.", "MongoDB", "High"));
        var reference = filed.Reference;
        await Expect(filed.Heading).ToHaveTextAsync("Unauthenticated MongoDB with fleet GPS tracks");

        // Other cases on other hosts, which the search by host must leave out.
        await form.GotoNewAsync();
        await form.CreateAsync(new CaseDraft(
            "Elasticsearch cluster with patient appointments", "203.0.113.41", 9200, "Contoso Health Clinics", "Elasticsearch", "Critical"));
        await form.GotoNewAsync();
        await form.CreateAsync(new CaseDraft(
            "Redis cache holding session tokens", "cache.fabrikam.example", 6379, "Fabrikam Retail", "Redis", "Medium"));

        var list = new CaseListPage(page);
        await list.GotoAsync();
        await Expect(list.Row(reference)).ToBeVisibleAsync();
        await DocsScreenshots.SaveIfRequestedAsync(page, "case-list.png");

        await list.SearchAsync("198.51.100.23");
        await Expect(list.MatchCount).ToHaveTextAsync("1 case matches.");
        await Expect(list.Rows).ToHaveCountAsync(1);
        await Expect(list.Row(reference)).ToContainTextAsync("198.51.100.23:27017");

        var casePage = await list.OpenAsync(reference);
        await Expect(casePage.Heading).ToHaveTextAsync("Unauthenticated MongoDB with fleet GPS tracks");
        await casePage.ChangeStatusAsync("Triaged");

        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Triaged");
        await Expect(casePage.TimelineEvents).ToHaveTextAsync(
        [
            new Regex(Regex.Escape("Status changed from New to Triaged.")),
            new Regex(Regex.Escape($"Case {reference} filed: MongoDB at 198.51.100.23:27017.")),
        ]);
        await Expect(casePage.AuditChainStatus).ToHaveTextAsync("Audit chain verified · 2 events");
    }

    [Fact]
    public async Task CreateCase_ScriptInTitle_ShownAsText()
    {
        const string title = "<img src=x onerror=alert(1)>";
        var page = await OpenPageAsAdministratorAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        var injected = page.Locator("img[src='x']");

        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(title, "198.51.100.66", 9200, "<script>alert(2)</script>"));
        await Expect(casePage.Heading).ToHaveTextAsync(title);
        await Expect(injected).ToHaveCountAsync(0);

        var list = new CaseListPage(page);
        await list.GotoAsync();
        await list.SearchAsync("198.51.100.66");
        var row = list.Row(casePage.Reference);
        await Expect(row.GetByRole(AriaRole.Cell, new() { Name = title, Exact = true })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Cell, new() { Name = "<script>alert(2)</script>", Exact = true })).ToBeVisibleAsync();
        await Expect(injected).ToHaveCountAsync(0);

        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task CreateCase_PortAndHostInvalid_ShowsMessagesBesideFieldsAndFilesNothing()
    {
        var page = await OpenPageAsAdministratorAsync();
        var list = new CaseListPage(page);
        await list.GotoAsync();
        var casesBefore = await list.ReferencesAsync();

        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        await form.FillAsync(new CaseDraft("Should not be filed", "not a host!", 70000, "Nobody"));
        await form.SubmitAsync();

        await Expect(form.MessageBeside("Host", "Enter an IP address or a hostname such as db.example.com (no scheme, port or path).")).ToBeVisibleAsync();
        await Expect(form.MessageBeside("Port", "The port must be between 1 and 65535.")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cases/new$"));

        await list.GotoAsync();
        Assert.Equal(casesBefore, await list.ReferencesAsync());
    }
}
