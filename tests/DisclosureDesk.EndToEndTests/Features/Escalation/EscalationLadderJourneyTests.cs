using DisclosureDesk.EndToEndTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Escalation;

public sealed class EscalationLadderJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task NotifyOwner_WithTheLadder_DraftShowsEachRungAndTheCasePanelKeepsIt()
    {
        var page = await OpenPageAsAdministratorAsync();
        await page.GotoAsync("admin/escalation-directory");
        var country = page.GetByLabel("Country", new() { Exact = true });
        await BlazorCircuit.WaitUntilInteractiveAsync(country);
        await country.FillAsync("PT");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("CERT.PT");
        await page.GetByLabel("Email for reports", new() { Exact = true }).FillAsync("incident@cert-pt.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(page.GetByText("incident@cert-pt.example").First).ToBeVisibleAsync();

        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        await form.FillAsync(new CaseDraft("Redis with session tokens of a Lisbon clinic", "192.0.2.140", 6379, "Lisbon Clinic", "Redis"));
        await form.Field("Country of affected people").FillAsync("PT");
        await page.GetByLabel("Health", new() { Exact = true }).CheckAsync();
        await form.SubmitAsync();
        var casePage = await CasePage.ShownAsync(page);
        await casePage.AddContactAsync("Clinic IT", "it@lisbon-clinic.example");
        await casePage.AddContactAsync("Provider abuse desk", "abuse@pt-hosting.example", "Abuse contact");
        foreach (var status in new[] { "Triaged", "Owner identified" })
        {
            await casePage.ChangeStatusAsync(status);
            await Expect(casePage.StatusPanel).ToContainTextAsync($"Currently {status}");
        }

        var notification = casePage.NotificationPanel;
        await notification.GetByLabel("Provider abuse desk <abuse@pt-hosting.example>", new() { Exact = true }).UncheckAsync();
        await Expect(notification.GetByLabel("Data-protection authority", new() { Exact = true })).ToBeCheckedAsync();
        await notification.GetByRole(AriaRole.Button, new() { Name = "Draft notification", Exact = true }).ClickAsync();

        var rungs = notification.Locator(".escalation-rung");
        await Expect(rungs).ToHaveCountAsync(3);
        await Expect(rungs.Nth(0)).ToContainTextAsync("abuse@pt-hosting.example");
        await Expect(rungs.Nth(1)).ToContainTextAsync("incident@cert-pt.example (CERT.PT)");
        await Expect(rungs.Nth(2)).ToContainTextAsync("The escalation directory has no data-protection authority for PT.");

        await notification.GetByRole(AriaRole.Button, new() { Name = "Send notification", Exact = true }).ClickAsync();

        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Notified");
        var ladder = casePage.EscalationPanel.Locator(".escalation-rung");
        await Expect(ladder).ToHaveCountAsync(3);
        await Expect(ladder.Nth(0).Locator("summary")).ToContainTextAsync($"Read the email: [{casePage.Reference}] Request for help");
        await Expect(casePage.TimelineEvents.Filter(new() { HasText = "Escalation ladder: the hosting provider, then the national CERT, then the data-protection authority" }))
            .ToHaveCountAsync(1);
    }
}
