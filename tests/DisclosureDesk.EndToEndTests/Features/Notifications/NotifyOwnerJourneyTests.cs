using System.Text.RegularExpressions;
using DisclosureDesk.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Notifications;

public sealed class NotifyOwnerJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task NotifyOwner_NoSmtpConfigured_EmlInPickupFolderOnOutboxPageAndProofInTimeline()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "Kibana dashboard over patient records", "192.0.2.77", 5601, "Woodgrove Clinics", "Kibana", "Critical"));
        var reference = casePage.Reference;

        await casePage.AddContactAsync("Woodgrove security", "security@woodgrove.example");
        await casePage.ChangeStatusAsync("Triaged");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Triaged");
        await casePage.ChangeStatusAsync("Owner identified");
        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Owner identified");

        await casePage.NotifyOwnerAsync();

        await Expect(casePage.StatusPanel).ToContainTextAsync("Currently Notified");
        await Expect(casePage.NotificationPanel).ToContainTextAsync("Disclosure deadline");
        // Delivery runs on Hangfire in the background; the panel follows it until the email settles.
        await Expect(casePage.NotificationPanel.GetByText("Sent", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(casePage.TimelineEvents.Filter(new() { HasText = "Owner notification queued to security@woodgrove.example" })).ToHaveCountAsync(1);
        await Expect(casePage.TimelineEvents.First).ToContainTextAsync(new Regex("Email to security@woodgrove\\.example.*SHA-256"));
        await Expect(casePage.AuditChainStatus).ToContainTextAsync("Audit chain verified");
        await Expect(casePage.NotificationPanel).ToContainTextAsync("Deadline reminders to the team");

        var pickup = Path.Combine(App.DataDirectory, "mail", "pickup");
        var written = Directory.GetFiles(pickup, "*.eml")
            .Select(File.ReadAllText)
            .Where(text => text.Contains($"[{reference}]", StringComparison.Ordinal))
            .ToList();
        var eml = Assert.Single(written);
        Assert.Contains("To: security@woodgrove.example", eml, StringComparison.Ordinal);
        Assert.Contains("192.0.2.77:5601", eml, StringComparison.Ordinal);

        var outbox = new OutboxPage(page, App.BaseAddress);
        await outbox.GotoAsync();
        await Expect(outbox.PickupHint).ToContainTextAsync(".eml");
        var rows = outbox.Row($"[{reference}]");
        // The first notification went out; the three follow-ups wait for their dates unless the owner answers.
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(rows.Filter(new() { HasText = "Sent" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "Scheduled" })).ToHaveCountAsync(3);
        await Expect(rows.First).ToContainTextAsync("security@woodgrove.example");
    }
}
