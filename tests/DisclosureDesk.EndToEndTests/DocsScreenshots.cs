using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests;

/// <summary>
/// Refreshes the README's screenshots from a real run: set DISCLOSUREDESK_SCREENSHOTS and run the tests.
/// Off by default so that a normal test run leaves the work tree as it was.
/// </summary>
public static class DocsScreenshots
{
    public static async Task SaveIfRequestedAsync(IPage page, string fileName)
    {
        if (Environment.GetEnvironmentVariable("DISCLOSUREDESK_SCREENSHOTS") is not { Length: > 0 })
        {
            return;
        }
        // A full-page capture keeps the scroll position, which leaves the sticky navigation halfway down the picture.
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryRoot(), "docs", "screenshots", fileName), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DisclosureDesk.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No DisclosureDesk.sln above {AppContext.BaseDirectory}.");
    }
}
