using DisclosureDesk.EndToEndTests.Pages;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests;

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "App on Kestrel with Chromium";
}

/// <summary>
/// One app process on a fresh database and one browser, shared by every end-to-end test, and the
/// administrator's signed-in storage state, made once and loaded into each test's browser context.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string AdministratorEmail = "admin@disclosuredesk.test";
    private const string AdministratorPassword = "Disclose-Responsibly-2026";
    private const string MissingBrowserMessage = "Install Debian's chromium; .ci/run does";

    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("disclosuredesk-e2e-state-").FullName;
    private AppServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _storageStatePath;

    /// <summary>Debian's chromium; never a browser that Playwright downloads.</summary>
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("DISCLOSUREDESK_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public Uri BaseAddress => _server?.BaseAddress ?? throw new InvalidOperationException("The app is not running.");

    public string DataDirectory => _server?.DataDirectory ?? throw new InvalidOperationException("The app is not running.");

    /// <summary>The last lines the app wrote, for a failed test's output.</summary>
    public IReadOnlyList<string> RecentAppLog(int lines) => _server?.RecentOutput(lines) ?? [];

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            // Each test reports the missing browser itself: a fixture cannot skip.
            return;
        }
        // A shared two-core machine under a parallel build took over 15 s to bring a circuit live; a wait ends as
        // soon as its condition holds, so the longer limit only slows a test that fails anyway.
        Assertions.SetDefaultExpectTimeout(30_000);
        _server = await AppServer.StartAsync(TestContext.Current.CancellationToken);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    /// <summary>A new browser context signed in as the administrator, the first account of the database.</summary>
    public async Task<IBrowserContext> NewAdministratorContextAsync()
    {
        var browser = RequireBrowser();
        var storageState = await AdministratorStorageStateAsync(browser);
        var context = await browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString(), StorageStatePath = storageState });
        await context.AddInitScriptAsync(BlazorCircuit.InitScript);
        return context;
    }

    /// <summary>
    /// Registers the administrator on first use, through the UI like anyone else. Which test asks first is up
    /// to xUnit, so every test asks and only the first registers; the others load the saved cookies. xUnit runs
    /// the tests of a collection one at a time, so two cannot register at once.
    /// </summary>
    private async Task<string> AdministratorStorageStateAsync(IBrowser browser)
    {
        if (_storageStatePath is not null)
        {
            return _storageStatePath;
        }
        await using var context = await browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var register = new RegisterPage(page);
        await register.GotoAsync();
        await register.RegisterAsync(AdministratorEmail, AdministratorPassword);

        // Signed in straight after registering, and as an administrator: only they see "Users".
        var nav = new NavMenu(page);
        await Assertions.Expect(nav.Link(AdministratorEmail)).ToBeVisibleAsync();
        await Assertions.Expect(nav.Link("Users")).ToBeVisibleAsync();

        var path = Path.Combine(_stateDirectory, "administrator.json");
        await context.StorageStateAsync(new() { Path = path });
        return _storageStatePath = path;
    }

    private IBrowser RequireBrowser()
    {
        if (_browser is null)
        {
            var message = $"No browser at {ChromiumPath}. {MissingBrowserMessage}.";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        return _browser;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_stateDirectory, recursive: true);
    }
}
