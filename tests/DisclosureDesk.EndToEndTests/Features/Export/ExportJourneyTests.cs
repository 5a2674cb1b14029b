using DisclosureDesk.EndToEndTests.Pages;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Features.Export;

public sealed class ExportJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task ExportPublicMarkdown_CaseWithPublicAndInternalNotes_DownloadsTheWriteUpWithoutWhatIsPrivate()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "Redis cache with session tokens", "192.0.2.95", 6379, "Tailspin Toys", "Redis", "High"));
        await casePage.AddNoteAsync("Owner fixed the exposure at 192.0.2.95 after our report.", "Public (write-ups)");
        await casePage.AddNoteAsync("Internal: the admin is jane.doe@tailspin.example, call her mobile.", "Team only (internal)");

        var link = casePage.ExportPanel.GetByRole(AriaRole.Link, new() { Name = "Public export as Markdown", Exact = true });
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var markdown = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);

        Assert.StartsWith("---", markdown, StringComparison.Ordinal);
        Assert.Contains("Redis cache with session tokens", markdown, StringComparison.Ordinal);
        Assert.Contains("Owner fixed the exposure at 192.0.2.x after our report.", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.95", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Internal:", markdown, StringComparison.Ordinal);
        Assert.EndsWith(".md", download.SuggestedFilename, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreviewPublicExport_CaseWithAnAddressAndAnInternalNote_MarksWhatIsHiddenThenDownloads()
    {
        var page = await OpenPageAsAdministratorAsync();
        var form = new CaseFormPage(page);
        await form.GotoNewAsync();
        var casePage = await form.CreateAsync(new CaseDraft(
            "Elasticsearch with clinic appointments", "192.0.2.96", 9200, "Contoso Clinic", "Elasticsearch", "High"));
        await casePage.AddNoteAsync("Owner confirmed 192.0.2.96 is closed; thanks to ops@contoso.example.", "Public (write-ups)");
        await casePage.AddNoteAsync("Internal: the intern's laptop at 198.51.100.23 ran the scan.", "Team only (internal)");

        var preview = await ExportPreviewPage.OpenAsync(casePage, page, "public");

        var publicNote = preview.Event("Owner confirmed");
        await Assertions.Expect(preview.MaskedSpan(publicNote, "192.0.2.96").Locator("ins")).ToHaveTextAsync("192.0.2.x");
        await Assertions.Expect(preview.MaskedSpan(publicNote, "ops@contoso.example").Locator("ins")).ToHaveTextAsync("[email]");
        await Assertions.Expect(preview.Event("the intern's laptop")).ToContainTextAsync("Internal — not in the public export");
        await Assertions.Expect(preview.Summary.GetByRole(AriaRole.Status)).ToContainTextAsync("events hidden");
        await DocsScreenshots.SaveIfRequestedAsync(page, "export-preview.png");

        var download = await page.RunAndWaitForDownloadAsync(() => preview.Download("Public", "Markdown").ClickAsync());
        var markdown = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);

        Assert.Contains("Owner confirmed 192.0.2.x is closed; thanks to [email].", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.23", markdown, StringComparison.Ordinal);
        Assert.Equal($"{casePage.Reference}-public.md", download.SuggestedFilename);
    }
}
