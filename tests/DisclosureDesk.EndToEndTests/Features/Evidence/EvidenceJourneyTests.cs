using DisclosureDesk.EndToEndTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Evidence;

public sealed class EvidenceJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task Evidence_UploadedThenDownloaded_SameBytesAndBothRecordedInTheTimeline()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "Elasticsearch with national ID numbers", "192.0.2.90", 9200, "Contoso Registry", "Elasticsearch", "Critical"));
        var fieldList = "index,field,count\nregistry,national_id,1200000\n"u8.ToArray();

        await casePage.AddEvidenceAsync("fields.csv", "text/csv", fieldList, "Field list / schema");

        var link = casePage.EvidencePanel.GetByRole(AriaRole.Link, new() { Name = "fields.csv", Exact = true });
        await Expect(link).ToBeVisibleAsync();
        await Expect(casePage.TimelineEvents.First).ToContainTextAsync("Evidence added: field list / schema \"fields.csv\"");

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var path = await download.PathAsync();
        Assert.Equal(fieldList, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal("fields.csv", download.SuggestedFilename);

        await page.ReloadAsync();
        await Expect(casePage.TimelineEvents.First).ToContainTextAsync("Evidence downloaded: \"fields.csv\"");
        await Expect(casePage.AuditChainStatus).ToContainTextAsync("Audit chain verified");
    }
}
