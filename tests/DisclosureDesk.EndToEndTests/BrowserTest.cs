using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests;

/// <summary>
/// A test that drives the app in its own browser context, signed in as the administrator. When the test
/// fails, a full-page screenshot of each of its pages is kept under the output folder's failures/.
/// </summary>
[Collection(AppCollection.Name)]
public abstract class BrowserTest(AppFixture app) : IAsyncDisposable
{
    private IBrowserContext? _context;

    protected AppFixture App => app;

    protected async Task<IPage> OpenPageAsAdministratorAsync()
    {
        _context ??= await app.NewAdministratorContextAsync();
        return await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_context is null)
        {
            return;
        }
        if (TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            await KeepScreenshotsAsync(_context);
        }
        await _context.DisposeAsync();
    }

    private static async Task KeepScreenshotsAsync(IBrowserContext context)
    {
        var test = TestContext.Current.Test?.TestDisplayName ?? "unknown test";
        var name = string.Concat(test.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == ' ' ? '_' : c));
        var folder = Path.Combine(AppContext.BaseDirectory, "failures");
        for (var i = 0; i < context.Pages.Count; i++)
        {
            var path = Path.Combine(folder, $"{name}-{i + 1}.png");
            await context.Pages[i].ScreenshotAsync(new() { Path = path, FullPage = true });
            TestContext.Current.SendDiagnosticMessage($"Screenshot of the failed test's page: {path}");
        }
    }
}
