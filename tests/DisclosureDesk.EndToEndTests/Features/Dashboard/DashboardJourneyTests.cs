using DisclosureDesk.EndToEndTests.Pages;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Dashboard;

public sealed class DashboardJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task Home_OwnerNeverAnswered_ListsTheCaseToActOnAndChartJsDrawsEveryChart()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "Elasticsearch with loyalty-card members", "192.0.2.91", 9200, "Northwind Loyalty", "Elasticsearch", "High"));
        await casePage.AddContactAsync("Northwind security", "security@northwind.example");
        await casePage.ChangeStatusAsync("Triaged");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Triaged");
        await casePage.ChangeStatusAsync("Owner identified");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Owner identified");
        await casePage.NotifyOwnerAsync();
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Notified");
        await casePage.ChangeStatusAsync("No response");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently No response");

        await page.GotoAsync("/");

        var actions = page.GetByRole(AriaRole.Region, new() { Name = "Needs action today", Exact = true });
        var item = actions.GetByRole(AriaRole.Listitem).Filter(new() { HasText = casePage.Reference });
        await Expect(item).ToContainTextAsync("Notified, never answered");
        var link = item.GetByRole(AriaRole.Link, new() { Name = casePage.Reference, Exact = true });
        // A link clicked while the circuit is taking over the prerendered page can be lost: once in CI the address never changed.
        await BlazorCircuit.WaitUntilInteractiveAsync(link);
        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/cases/{casePage.Reference}$"));

        await page.GotoAsync("/");
        var charts = page.GetByRole(AriaRole.Region, new() { Name = "All cases in figures", Exact = true });
        await Expect(charts.Locator("canvas")).ToHaveCountAsync(4);
        // Chart.js keeps the chart it drew on each canvas; a canvas without one stayed blank.
        await Expect(page.Locator("canvas[data-chart-drawn]")).ToHaveCountAsync(4);
        await DocsScreenshots.SaveIfRequestedAsync(page, "dashboard.png");

        await page.GotoAsync("/admin/statistics");
        await Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Median days to first answer" })).ToBeVisibleAsync();
        await Expect(page.Locator("canvas[data-chart-drawn]")).ToHaveCountAsync(1);
        await DocsScreenshots.SaveIfRequestedAsync(page, "team-statistics.png");
    }
}
