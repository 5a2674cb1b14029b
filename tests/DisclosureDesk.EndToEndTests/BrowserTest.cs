using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests;

/// <summary>
/// A test that drives the app in its own browser context, signed in as the administrator. When the test
/// fails, a full-page screenshot of each of its pages is kept under the output folder's failures/, and the
/// browser's console and the app's recent log go to the test's output: a failure seen only in CI must explain
/// itself there.
/// </summary>
[Collection(AppCollection.Name)]
public abstract class BrowserTest(AppFixture app) : IAsyncDisposable
{
    private const int AppLogLinesKept = 200;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _browserLog = new();
    private IBrowserContext? _context;

    protected AppFixture App => app;

    protected async Task<IPage> OpenPageAsAdministratorAsync()
    {
        if (_context is null)
        {
            _context = await app.NewAdministratorContextAsync();
            _context.Console += (_, message) => _browserLog.Enqueue($"console.{message.Type}: {message.Text}");
            _context.WebError += (_, error) => _browserLog.Enqueue($"uncaught: {error.Error}");
        }
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
            ReportLogs();
        }
        await _context.DisposeAsync();
    }

    private void ReportLogs()
    {
        var output = TestContext.Current.TestOutputHelper;
        if (output is null)
        {
            return;
        }
        output.WriteLine("The browser's console:");
        foreach (var line in _browserLog)
        {
            output.WriteLine(line);
        }
        output.WriteLine($"The app's last {AppLogLinesKept} log lines:");
        foreach (var line in app.RecentAppLog(AppLogLinesKept))
        {
            output.WriteLine(line);
        }
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
