using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Calendar;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Infrastructure.Telemetry;
using DisclosureDesk.IntegrationTests.Features.Api;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Telemetry;

/// <summary>
/// The flows that carry secrets (a password, an API token, the calendar feed's URL, an emailed reset code, evidence
/// content), run with every log category at Trace and every span exported: no secret may appear in either.
/// </summary>
[Collection(typeof(HangfireServerCollection))]
public sealed class SecretsInTelemetryTests
{
    [Fact]
    public async Task FlowsCarryingSecrets_WithEverythingLoggedAndTraced_LeaveNoSecretInLogsOrSpans()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var logs = new CapturingLoggerProvider();
        var capture = new TelemetryCapture();
        await using var app = new SqliteDisclosureDeskFactory
        {
            ExtraServices = services =>
            {
                capture.AddTo(services);
                services.AddSingleton<ILoggerProvider>(logs);
                services.Configure<LoggerFilterOptions>(options =>
                {
                    options.Rules.Clear();
                    options.MinLevel = LogLevel.Trace;
                });
            },
        };
        await app.InitializeAsync();
        var user = await app.CreateResearcherAsync("secrets");

        using var browser = await app.SignInAsync(user);

        var apiToken = await app.CreateTokenAsync(user, TokenScope.Read);
        using (var api = app.CreateApiClientWithToken(apiToken))
        using (var listed = await api.GetAsync(ApiClients.Url("/api/v1/cases"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        var feedToken = await app.ExecuteAsync<CalendarFeeds.Handler, string>(h => h.CreateAsync(user.Id));
        using var anonymous = app.CreateBrowser();
        using (var feed = await anonymous.GetAsync(ApiClients.Url("/" + CalendarFeeds.Path(feedToken)), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        }

        // As Identity emails it: the code in the query string.
        var resetCode = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        using (var reset = await anonymous.GetAsync(ApiClients.Url($"/Account/ResetPassword?code={resetCode}"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var evidence = "evidence-content-" + Guid.NewGuid().ToString("N");
        var reference = await app.CreateCaseAsync(user);
        var added = await app.ExecuteAsync<ManageEvidence.Handler, CommandResult>(h =>
            h.AddAsync(reference, new ManageEvidence.Form(), "dump.txt", new MemoryStream(Encoding.UTF8.GetBytes(evidence)), user.Current));
        Assert.True(added.Succeeded, added.Summary);
        var file = Assert.Single((await app.ExecuteAsync<ManageEvidence.Handler, IReadOnlyList<ManageEvidence.Entry>?>(h => h.ListAsync(reference, user.Current)))!);
        Assert.Equal(evidence, await browser.GetStringAsync(ApiClients.Url($"/cases/{reference}/evidence/{file.Id}"), cancellationToken));

        string[] secrets = [DisclosureDeskFactory.Password, apiToken, apiToken[PersonalAccessTokens.Prefix.Length..], feedToken, resetCode, evidence];
        // The requests were logged and traced, only without their secrets.
        Assert.Contains(logs.Lines, line => line.Contains($"/calendar/{SecretRedaction.Placeholder}.ics", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("/Account/ResetPassword", StringComparison.Ordinal));
        Assert.Contains(capture.Spans, span => span.GetTagItem("url.path") as string == $"/calendar/{SecretRedaction.Placeholder}.ics");
        Assert.Contains(capture.Spans, span => span.GetTagItem("url.path") as string == "/Account/ResetPassword");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(capture.Spans, span => Describe(span).Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>Everything an exporter sends of a span: its name, attributes, events and links' attributes.</summary>
    private static string Describe(Activity span) => string.Join(" | ",
        new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name} {tag.Key}={tag.Value}")))
            .Concat(span.Links.SelectMany(l => l.Tags?.Select(tag => $"{tag.Key}={tag.Value}") ?? [])));
}
