using DisclosureDesk.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Responses;

public sealed class LogResponseJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task LogResponse_PhoneAcknowledgement_CancelsTheFollowUpsRecordsTheEventAndOffersAcknowledged()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "MongoDB with courier GPS traces", "192.0.2.81", 27017, "Fabrikam Couriers", "MongoDB", "High"));
        await casePage.AddContactAsync("Fabrikam security", "security@fabrikam.example");
        await casePage.ChangeStatusAsync("Triaged");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Triaged");
        await casePage.ChangeStatusAsync("Owner identified");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Owner identified");
        await casePage.NotifyOwnerAsync();
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Notified");

        await casePage.LogResponseAsync("Phone", "Acknowledged", "Fabrikam duty engineer", "Called back; they are closing the port.",
            new Microsoft.Playwright.FilePayload { Name = "call-notes.txt", MimeType = "text/plain", Buffer = "Call at 14:05, port 27017 to be firewalled today."u8.ToArray() });

        await Expect(casePage.TimelineEvents.Filter(new() { HasText = "3 scheduled follow-up email(s) cancelled: the owner responded (acknowledged, phone)" })).ToHaveCountAsync(1);
        await Expect(casePage.TimelineEvents.Filter(new() { HasText = "Response from Fabrikam duty engineer (phone)" })).ToHaveCountAsync(1);
        await Expect(casePage.ResponsesPanel).ToContainTextAsync("Called back; they are closing the port.");
        await Expect(casePage.EvidencePanel.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "call-notes.txt", Exact = true })).ToBeVisibleAsync();
        await Expect(casePage.NotificationPanel).ToContainTextAsync("they are no longer chased");

        await casePage.ResponsesPanel.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Move to Acknowledged", Exact = true }).ClickAsync();
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Acknowledged");
        await Expect(casePage.AuditChainStatus).ToContainTextAsync("Audit chain verified");
        await DocsScreenshots.SaveIfRequestedAsync(page, "case-page.png");
    }
}
