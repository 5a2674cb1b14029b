using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.IntegrationTests;

/// <summary>
/// The app hosted in memory on a real database of its own, shared by every test of a collection
/// (Contoso's SliceFixture): tests create the users and cases they need, so they never depend on each other.
/// </summary>
public abstract partial class DisclosureDeskFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Correct-Horse-9-battery";

    /// <summary>The app's clock. Frozen, so a test decides when time passes and every timestamp is predictable.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 14, 9, 30, 0, TimeSpan.Zero));

    /// <summary>The <c>Database:*</c> settings that point the app (and its command line) at this fixture's database.</summary>
    protected abstract IReadOnlyDictionary<string, string?> DatabaseSettings { get; }

    /// <summary>
    /// Settings besides the database. By default no Hangfire server runs: tests call jobs directly, so a
    /// background worker on real time never races them; the Hangfire wiring has its own test.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["Jobs:RunServer"] = "false",
    };

    /// <summary>Services a test adds on top of the app's and the fixture's, such as an in-memory telemetry exporter.</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    /// <summary>
    /// Settings under every fixture's own: the account forms' rate limits count real time and every test client
    /// shares one (empty) address, so a whole collection's sign-ins would otherwise run into them. The limits have
    /// their own fixture (<c>AccountRateLimitTests</c>).
    /// </summary>
    private static readonly Dictionary<string, string?> TestDefaults = new()
    {
        ["Accounts:AttemptsPerAddress"] = "1000000",
        ["Accounts:AttemptsPerAccount"] = "1000000",
    };

    /// <summary>Skips or fails the calling test when this fixture's database server is not configured.</summary>
    public virtual void RequireDatabase()
    {
    }

    public virtual ValueTask InitializeAsync()
    {
        // Start now, so a broken start-up fails the fixture rather than whichever test comes first.
        _ = Server;
        return ValueTask.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(TestDefaults).AddInMemoryCollection(DatabaseSettings).AddInMemoryCollection(AppSettings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            // Keys in memory: the sign-in cookies live only as long as the fixture, and nothing is left in the home folder.
            services.AddDataProtection().UseEphemeralDataProtectionProvider();
            services.AddSingleton<Hangfire.Logging.ILogProvider>(SilentHangfireLog.Instance);
            ExtraServices?.Invoke(services);
        });
    }

    public async Task<T> ExecuteScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>Runs <paramref name="action"/> with a feature handler resolved from the app, as a page would get it.</summary>
    public Task<T> ExecuteAsync<THandler, T>(Func<THandler, Task<T>> action) where THandler : notnull =>
        ExecuteScopeAsync(services => action(services.GetRequiredService<THandler>()));

    public async Task<T> ExecuteDbContextAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await action(db);
    }

    public Task<TestUser> CreateAdministratorAsync(string label) => CreateUserAsync(label, Roles.Administrator);

    public Task<TestUser> CreateResearcherAsync(string label) => CreateUserAsync(label, Roles.Researcher);

    /// <summary>A registered account nobody approved yet: it has no role.</summary>
    public Task<TestUser> CreatePendingUserAsync(string label) => CreateUserAsync(label, role: null);

    private Task<TestUser> CreateUserAsync(string label, string? role) => ExecuteScopeAsync(async services =>
    {
        var userManager = services.GetRequiredService<UserManager<ApplicationUser>>();
        var unique = Guid.NewGuid().ToString("N")[..12];
        var email = $"{label}.{unique}@example.test";
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = $"{label} {unique}",
            RegisteredAt = Time.GetUtcNow().UtcDateTime,
        };
        Succeeded(await userManager.CreateAsync(user, Password));
        if (role is not null)
        {
            Succeeded(await userManager.AddToRoleAsync(user, role));
        }
        // The same principal the sign-in cookie carries, so handlers see the user exactly as a page does.
        var principal = await services.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
        return new TestUser(user.Id, email, user.DisplayName, CurrentUser.From(principal)!);
    });

    private static void Succeeded(IdentityResult result) =>
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateBrowser() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real login form, so the antiforgery check and the auth cookie are exercised too.</summary>
    public async Task<HttpClient> SignInAsync(TestUser user)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var browser = CreateBrowser();
        var form = await browser.GetStringAsync(new Uri("/Account/Login", UriKind.Relative), cancellationToken);
        using var response = await browser.PostAsync(new Uri("/Account/Login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = HiddenInput(form, "_handler"),
            ["__RequestVerificationToken"] = HiddenInput(form, "__RequestVerificationToken"),
            ["Input.Email"] = user.Email,
            ["Input.Password"] = Password,
        }), cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        return browser;
    }

    public static string HiddenInput(string html, string name)
    {
        var input = HiddenInputPattern().Matches(html).FirstOrDefault(m => WebUtility.HtmlDecode(m.Groups["name"].Value) == name);
        Assert.True(input is not null, $"The login page has no hidden input named {name}.");
        var value = ValuePattern().Match(input.Value);
        Assert.True(value.Success, $"The hidden input {name} has no value.");
        return WebUtility.HtmlDecode(value.Groups["value"].Value);
    }

    [GeneratedRegex("""<input\b[^>]*\btype="hidden"[^>]*\bname="(?<name>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInputPattern();

    [GeneratedRegex("""\bvalue="(?<value>[^"]*)" """)]
    private static partial Regex ValuePattern();

    /// <summary>Files a case led by <paramref name="lead"/> through the real handler; returns its reference.</summary>
    public async Task<string> CreateCaseAsync(TestUser lead, Action<CaseForm>? describe = null)
    {
        var form = new CaseForm { Title = "Open MongoDB with customer records", Host = "203.0.113.10", Port = 27017 };
        describe?.Invoke(form);
        var outcome = await ExecuteAsync<CreateCase.Handler, CommandResult<string>>(h => h.HandleAsync(form, lead.Current));
        Assert.True(outcome.Result.Succeeded, outcome.Result.Summary);
        return outcome.Value!;
    }

    /// <summary>
    /// Runs the app's command line (<c>dotnet DisclosureDesk.dll COMMAND</c>) against this fixture's database in
    /// a child process: the command builds its own host and writes to the console, neither of which can share
    /// a process with the hosts the tests run in parallel.
    /// </summary>
    public Task<CommandLineRun> RunCommandLineAsync(params string[] args) => RunCommandLineAsync(DatabaseSettings, args);

    /// <summary>The same, against the database <paramref name="databaseSettings"/> describe instead of this fixture's.</summary>
    public async Task<CommandLineRun> RunCommandLineAsync(IReadOnlyDictionary<string, string?> databaseSettings, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DisclosureDesk.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in databaseSettings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // Only a guard against a hung command: on a machine busy with other builds a migrate-data run took over a minute.
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return new CommandLineRun(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}

public sealed record TestUser(string Id, string Email, string DisplayName, CurrentUser Current);

public sealed record CommandLineRun(int ExitCode, string Output, string Error);

/// <summary>
/// Hangfire's log provider is process-wide; the fixtures' hosts start and stop independently, so none of them may
/// own it. Hangfire's own messages are not what these tests check.
/// </summary>
internal sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentHangfireLog Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}
