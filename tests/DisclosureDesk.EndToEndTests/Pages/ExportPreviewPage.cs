using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>The export preview at /cases/{id}/export/preview?profile=…: the full case with what the profile hides marked.</summary>
public sealed class ExportPreviewPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator Summary => page.GetByRole(AriaRole.Region, new() { Name = "What this export hides", Exact = true });

    public ILocator Events =>
        page.GetByRole(AriaRole.List, new() { Name = "Timeline as exported, oldest first", Exact = true }).GetByRole(AriaRole.Listitem);

    public ILocator Event(string text) => Events.Filter(new() { HasText = text });

    /// <summary>A span the profile masks: the original struck through, then what the export writes instead.</summary>
    public ILocator MaskedSpan(ILocator within, string original) =>
        within.Locator(".redaction").Filter(new() { Has = page.Locator("del", new() { HasTextString = original }) });

    public ILocator Download(string profile, string format) =>
        Summary.GetByRole(AriaRole.Link, new() { Name = $"{profile} export as {format}", Exact = true });

    /// <summary>Opens the preview from the case page's export panel.</summary>
    public static async Task<ExportPreviewPage> OpenAsync(CasePage casePage, IPage page, string profile)
    {
        await casePage.ExportPanel.GetByRole(AriaRole.Link, new() { Name = $"Preview {profile} export", Exact = true }).ClickAsync();
        var preview = new ExportPreviewPage(page);
        await Assertions.Expect(preview.Heading).ToHaveTextAsync($"Preview of the {profile} export");
        return preview;
    }
}
