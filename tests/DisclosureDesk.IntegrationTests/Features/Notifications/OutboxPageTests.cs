using System.Net;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// The outbox page and the .eml download, tried by everyone who might try them: an email of a case led by
/// researcher A and an account email, looked at by an anonymous visitor, an unrelated researcher, A and an administrator.
/// </summary>
[Collection(typeof(SqliteCollection))]
public sealed class OutboxPageTests(OutboxPageTests.Scenario scenario) : IClassFixture<OutboxPageTests.Scenario>
{
    private const string Login = "/Account/Login";

    [Theory]
    [InlineData("/outbox")]
    [InlineData("/outbox/{case-message}.eml")]
    [InlineData("/outbox/{account-message}.eml")]
    public async Task Get_Anonymous_RedirectsToLogin(string path)
    {
        using var response = await scenario.Anonymous.GetAsync(scenario.Url(path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Login, new Uri(scenario.Anonymous.BaseAddress!, response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task OutboxPage_UnrelatedResearcher_ShowsNeitherTheCaseEmailNorTheAccountEmail()
    {
        var body = await PageAsync(scenario.Unrelated);

        Assert.DoesNotContain(scenario.CaseSubject, body, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.CaseReference, body, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.AccountSubject, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/outbox/{case-message}.eml")]
    [InlineData("/outbox/{account-message}.eml")]
    public async Task Download_UnrelatedResearcher_IsNotFound(string path)
    {
        using var response = await scenario.Unrelated.GetAsync(scenario.Url(path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(scenario.CaseSubject, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutboxPage_Lead_ShowsTheCaseEmailButNotTheAccountEmail()
    {
        var body = await PageAsync(scenario.Lead);

        Assert.Contains(scenario.CaseSubject, body, StringComparison.Ordinal);
        Assert.Contains(scenario.CaseReference, body, StringComparison.Ordinal);
        Assert.Contains("owner@outbox-page.example", body, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.AccountSubject, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_Lead_ReturnsTheStoredBytesAsMessageRfc822WithACaseReferenceFileName()
    {
        var cancellationToken = TestContext.Current.CancellationToken;

        using var response = await scenario.Lead.GetAsync(scenario.Url("/outbox/{case-message}.eml"), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message/rfc822", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{scenario.CaseReference}-{scenario.CaseMessage.Id}.eml", response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(scenario.CaseMessage.Content, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    [Fact]
    public async Task Download_LeadAskingForTheAccountEmail_IsNotFound()
    {
        using var response = await scenario.Lead.GetAsync(scenario.Url("/outbox/{account-message}.eml"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OutboxPage_Administrator_ShowsTheCaseEmailAndTheAccountEmail()
    {
        var body = await PageAsync(scenario.Administrator);

        Assert.Contains(scenario.CaseSubject, body, StringComparison.Ordinal);
        Assert.Contains(scenario.AccountSubject, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_AdministratorAskingForTheAccountEmail_ReturnsItsBytes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;

        using var response = await scenario.Administrator.GetAsync(scenario.Url("/outbox/{account-message}.eml"), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"account-{scenario.AccountMessage.Id}.eml", response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(scenario.AccountMessage.Content, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    private async Task<string> PageAsync(HttpClient browser)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var response = await browser.GetAsync(scenario.Url("/outbox"), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(cancellationToken));
        Assert.Contains(">Outbox</h1>", body, StringComparison.Ordinal);
        return body;
    }

    /// <summary>The people, their signed-in browsers and the two emails, set up once for the class.</summary>
    public sealed class Scenario(SqliteDisclosureDeskFactory app) : IAsyncLifetime
    {
        private readonly string _unique = Guid.NewGuid().ToString("N")[..8];

        public HttpClient Anonymous { get; private set; } = default!;
        public HttpClient Unrelated { get; private set; } = default!;
        public HttpClient Lead { get; private set; } = default!;
        public HttpClient Administrator { get; private set; } = default!;
        public string CaseReference { get; private set; } = "";
        public string CaseSubject => $"Your database is exposed {_unique}";
        public string AccountSubject => $"Reset your password {_unique}";
        public OutboxMessage CaseMessage { get; private set; } = default!;
        public OutboxMessage AccountMessage { get; private set; } = default!;

        public async ValueTask InitializeAsync()
        {
            var lead = await app.CreateResearcherAsync("outbox-lead");
            var unrelated = await app.CreateResearcherAsync("outbox-unrelated");
            var administrator = await app.CreateAdministratorAsync("outbox-administrator");
            CaseReference = await app.CreateCaseAsync(lead);

            // Not the app's Outbox: resolving it builds Hangfire's client, which fails once another test's host has
            // disposed the logger factory Hangfire keeps in a static. Nothing here is dispatched anyway.
            var outbox = new Outbox(app.Services.GetRequiredService<IOptions<EmailOptions>>(), app.Time, new RecordingJobClient());
            (CaseMessage, AccountMessage) = await app.ExecuteDbContextAsync(async db =>
            {
                var caseId = await db.Cases.Where(c => c.Reference == CaseReference).Select(c => c.Id).SingleAsync();
                var caseMessage = outbox.Enqueue(db, new OutgoingEmail(["owner@outbox-page.example"], $"[{CaseReference}] {CaseSubject}",
                    "Hello,\r\n\r\nyour MongoDB answers without a password.\r\n", caseId));
                var accountMessage = outbox.Enqueue(db, new OutgoingEmail([lead.Email], AccountSubject, "Follow this link to reset your password.\r\n"));
                await db.SaveChangesAsync();
                return (caseMessage, accountMessage);
            });

            Anonymous = app.CreateBrowser();
            Unrelated = await app.SignInAsync(unrelated);
            Lead = await app.SignInAsync(lead);
            Administrator = await app.SignInAsync(administrator);
        }

        public Uri Url(string path) => new(path
            .Replace("{case-message}", CaseMessage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{account-message}", AccountMessage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), UriKind.Relative);

        public ValueTask DisposeAsync()
        {
            Anonymous.Dispose();
            Unrelated.Dispose();
            Lead.Dispose();
            Administrator.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
