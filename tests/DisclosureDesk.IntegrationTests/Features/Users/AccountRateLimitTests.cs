using System.Net;
using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Users;

/// <summary>
/// The account forms' limits, per client address and per account name, on an app of their own with small limits
/// and a long window (so no test waits for one to pass). Each test posts from its own client address.
/// </summary>
public sealed class AccountRateLimitTests(AccountRateLimitTests.LimitedApp app) : IClassFixture<AccountRateLimitTests.LimitedApp>
{
    private const string TooMany = "Too many attempts.";

    public sealed class LimitedApp : SqliteDisclosureDeskFactory
    {
        public const string ClientAddressHeader = "X-Test-Client-Address";

        protected override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>(base.AppSettings)
        {
            ["Accounts:AttemptsPerAddress"] = "6",
            ["Accounts:AttemptsPerAccount"] = "3",
            ["Accounts:AttemptWindowMinutes"] = "60",
        };

        public AccountSecurityOptions Limits => Services.GetRequiredService<IOptions<AccountSecurityOptions>>().Value;

        /// <summary>A browser whose requests come from <paramref name="address"/>, as the rate limiter sees them.</summary>
        public HttpClient CreateBrowserFrom(string address)
        {
            var browser = CreateBrowser();
            browser.DefaultRequestHeaders.Add(ClientAddressHeader, address);
            return browser;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // The in-memory server has no client address; a test names one, as a proxy-free connection would carry.
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFilter>());
        }

        private sealed class ClientAddressFilter : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use((context, nextMiddleware) =>
                {
                    if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader], out var address))
                    {
                        context.Connection.RemoteIpAddress = address;
                    }
                    return nextMiddleware(context);
                });
                next(app);
            };
        }
    }

    [Fact]
    public async Task Login_MoreAttemptsFromOneAddressThanAllowed_Gets429WhileOtherAddressesAndPageLoadsDoNot()
    {
        using var browser = app.CreateBrowserFrom("192.0.2.10");
        var permitted = app.Limits.AttemptsPerAddress;

        // A different name each time, so only the per-address limit can refuse.
        for (var attempt = 0; attempt < permitted; attempt++)
        {
            using var allowed = await AccountForms.PostLoginAsync(browser, $"nobody{attempt}@address.example", "not-the-password-123");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var refused = await AccountForms.PostLoginAsync(browser, "nobody-more@address.example", "not-the-password-123");
        using var pageLoad = await browser.GetAsync(AccountForms.LoginUrl, TestContext.Current.CancellationToken);
        using var elsewhere = app.CreateBrowserFrom("192.0.2.11");
        using var otherAddress = await AccountForms.PostLoginAsync(elsewhere, "nobody-more@address.example", "not-the-password-123");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains(TooMany, await AccountForms.BodyAsync(refused), StringComparison.Ordinal);
        Assert.Equal((app.Limits.AttemptWindowMinutes * 60).ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.Equal(HttpStatusCode.OK, pageLoad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
    }

    [Fact]
    public async Task Login_MoreAttemptsOnOneNameThanAllowed_Gets429TheSameForAnExistingAndAMissingAccount()
    {
        var researcher = await app.CreateResearcherAsync("limited");
        var missing = $"missing.{Guid.NewGuid():N}@example.test";
        var permitted = app.Limits.AttemptsPerAccount;
        Assert.True(permitted < app.Limits.MaxFailedAccessAttempts, "The name limit must bite before the lockout, or the lockout would tell the accounts apart.");

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var (name, address) in new[] { (researcher.Email, "198.51.100.20"), (missing, "198.51.100.21") })
        {
            for (var attempt = 0; attempt < permitted; attempt++)
            {
                // A new address for each attempt, so only the per-name limit can refuse.
                using var browser = app.CreateBrowserFrom(address + attempt);
                using var wrong = await AccountForms.PostLoginAsync(browser, name, "not-the-password-123");
                Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            }
            using var last = app.CreateBrowserFrom(address + "9");
            // The right password too: the attempt is refused before the password is checked.
            using var refused = await AccountForms.PostLoginAsync(last, name, DisclosureDeskFactory.Password);
            Assert.False(AccountForms.SetsAuthCookie(refused));
            answers.Add((refused.StatusCode, Message(await AccountForms.BodyAsync(refused))));
        }

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.TooManyRequests, answer.Status));
        Assert.Equal(answers[0].Body, answers[1].Body);
        Assert.Contains(TooMany, answers[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgotPassword_MoreRequestsForOneAddressThanAllowed_Gets429AndSendsNoMoreMail()
    {
        var researcher = await app.CreateResearcherAsync("reset-limited");
        var url = new Uri("/Account/ForgotPassword", UriKind.Relative);
        var statuses = new List<HttpStatusCode>();
        string? lastBody = null;
        for (var attempt = 0; attempt <= app.Limits.AttemptsPerAccount; attempt++)
        {
            using var browser = app.CreateBrowserFrom("203.0.113.3" + attempt);
            var form = await browser.GetStringAsync(url, TestContext.Current.CancellationToken);
            using var response = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = DisclosureDeskFactory.HiddenInput(form, "_handler"),
                ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
                ["Input.Email"] = researcher.Email,
            }), TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            lastBody = await AccountForms.BodyAsync(response);
        }
        var mails = await app.ExecuteDbContextAsync(db => Task.FromResult(db.OutboxMessages.Count(m => m.To.Contains(researcher.Email))));

        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.Redirect, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Contains(TooMany, lastBody, StringComparison.Ordinal);
        Assert.Equal(app.Limits.AttemptsPerAccount, mails);
    }

    /// <summary>Every page a stranger can post to (sign-in, two-factor codes, registration, reset) carries the per-address limit.</summary>
    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/Account/LoginWith2fa")]
    [InlineData("/Account/LoginWithRecoveryCode")]
    [InlineData("/Account/Register")]
    [InlineData("/Account/ForgotPassword")]
    [InlineData("/Account/ResetPassword")]
    [InlineData("/Account/ResendEmailConfirmation")]
    [InlineData("/Account/Manage/EnableAuthenticator")]
    public void AccountPage_Endpoint_HasTheAccountFormsLimit(string route)
    {
        var endpoint = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => string.Equals("/" + e.RoutePattern.RawText?.TrimStart('/'), route, StringComparison.OrdinalIgnoreCase));

        Assert.Equal(AccountRateLimiting.PolicyName, endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName);
    }

    private static string Message(string body)
    {
        var start = body.IndexOf(TooMany, StringComparison.Ordinal);
        return start < 0 ? body : body[start..body.IndexOf('<', start)];
    }
}
