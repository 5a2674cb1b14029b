using System.Diagnostics;
using System.Net;
using DisclosureDesk.Features.Api;
using DisclosureDesk.IntegrationTests.Features.Api;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Telemetry;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Telemetry;

/// <summary>
/// The instrumentation production exports over OTLP, captured in memory from the app with its Hangfire server
/// running and mail going to a real SMTP server.
/// </summary>
[Collection(typeof(HangfireServerCollection))]
public sealed class TelemetryTests
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";
    private const string EfCoreSource = "OpenTelemetry.Instrumentation.EntityFrameworkCore";
    private static readonly (string, string) AccountPurpose = ("purpose", "account");

    [Fact]
    public async Task ApiRequest_WithTelemetryOn_ExportsARequestSpanWithItsEfCoreSpans()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var smtp = TestSmtpServer.Start();
        var capture = new TelemetryCapture();
        await using var app = new HangfireSqliteFactory(smtp.Port) { ExtraServices = capture.AddTo };
        await app.InitializeAsync();
        var user = await app.CreateResearcherAsync("otel-request");
        var token = await app.CreateTokenAsync(user, TokenScope.Read);

        using var client = app.CreateApiClientWithToken(token);
        using var response = await client.GetAsync(ApiClients.Url("/api/v1/cases"), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = await WaitForSpanAsync(capture, span => span.Source.Name == AspNetCoreSource && span.GetTagItem("url.path") as string == "/api/v1/cases");
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("GET /api/v1/cases", request.DisplayName);
        Assert.Equal(200, request.GetTagItem("http.response.status_code"));
        // The token lookup and the case list: EF Core commands as children of the request's span.
        var queries = capture.Spans.Where(span => span.Source.Name == EfCoreSource && span.ParentSpanId == request.SpanId).ToList();
        Assert.True(queries.Count >= 2, $"{queries.Count} EF Core spans under the request.");
        Assert.All(queries, query => Assert.Equal(ActivityKind.Client, query.Kind));
        // The SQL (literals and parameter values are not included) under the semantic conventions' current or older name.
        var statements = queries.Select(query => (query.GetTagItem("db.query.text") ?? query.GetTagItem("db.statement")) as string).ToList();
        Assert.True(statements.Any(sql => sql?.Contains("\"PersonalAccessTokens\"", StringComparison.Ordinal) == true),
            string.Join("\n", queries.Select(q => string.Join(", ", q.TagObjects.Select(t => $"{t.Key}={t.Value}")))));
    }

    [Fact]
    public async Task Delivery_WithTelemetryOn_ExportsTheJobSpanAndMovesTheMailCountersAndOutboxGauges()
    {
        await using var smtp = TestSmtpServer.Start();
        var capture = new TelemetryCapture();
        await using var app = new HangfireSqliteFactory(smtp.Port) { ExtraServices = capture.AddTo };
        await app.InitializeAsync();
        var user = await app.CreateResearcherAsync("otel-mail");

        var idle = capture.Collect(app.Services);
        Assert.Equal(0, TelemetryCapture.GaugeLong(idle, "disclosuredesk.outbox.due"));
        Assert.Equal(0, TelemetryCapture.GaugeDouble(idle, "disclosuredesk.outbox.oldest_due_age"));

        // Due but not yet handed to Hangfire, as after a lost job: what the gauges are for. 30 s is within the sweep's grace.
        var first = await EnqueueAsync(app, user, "First");
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var waiting = capture.Collect(app.Services);
        Assert.Equal(1, TelemetryCapture.GaugeLong(waiting, "disclosuredesk.outbox.due"));
        Assert.Equal(30, TelemetryCapture.GaugeDouble(waiting, "disclosuredesk.outbox.oldest_due_age"));
        Assert.Equal(0, TelemetryCapture.Sum(waiting, "disclosuredesk.mail.sent", AccountPurpose));

        using var source = new ActivitySource("DisclosureDesk.IntegrationTests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        ActivityContext enqueuedIn;
        using (var request = source.StartActivity("enqueue"))
        {
            enqueuedIn = request!.Context;
            app.Services.GetRequiredService<Outbox>().Dispatch(first);
        }
        await WaitForAsync(app, first.MessageId, OutboxState.Sent);
        var job = await WaitForSpanAsync(capture, span => span.Source.Name == JobTelemetryFilter.ActivitySourceName && span.TraceId == enqueuedIn.TraceId);

        Assert.Equal("DeliverOutboxJob.RunAsync", job.DisplayName);
        Assert.Equal(enqueuedIn.SpanId, job.ParentSpanId);
        Assert.Equal("succeeded", job.GetTagItem("job.outcome"));
        Assert.Contains(capture.Spans, span => span.Source.Name == EfCoreSource && span.ParentSpanId == job.SpanId);
        var sent = capture.Collect(app.Services);
        Assert.Equal(1, TelemetryCapture.Sum(sent, "disclosuredesk.mail.sent", AccountPurpose));
        Assert.Equal(0, TelemetryCapture.GaugeLong(sent, "disclosuredesk.outbox.due"));
        Assert.Equal(0, TelemetryCapture.GaugeDouble(sent, "disclosuredesk.outbox.oldest_due_age"));
        Assert.True(TelemetryCapture.HistogramCount(sent, "disclosuredesk.job.duration", ("job.name", "DeliverOutboxJob.RunAsync"), ("job.outcome", "succeeded")) >= 1);

        smtp.Then(SmtpBehaviour.TemporaryFailure);
        var greylisted = await EnqueueAsync(app, user, "Greylisted");
        app.Services.GetRequiredService<Outbox>().Dispatch(greylisted);
        await WaitForAsync(app, greylisted.MessageId, OutboxState.Due, attempts: 1);
        smtp.Then(SmtpBehaviour.Reject);
        var refused = await EnqueueAsync(app, user, "Refused");
        app.Services.GetRequiredService<Outbox>().Dispatch(refused);
        await WaitForAsync(app, refused.MessageId, OutboxState.Failed);

        var after = capture.Collect(app.Services);
        Assert.Equal(1, TelemetryCapture.Sum(after, "disclosuredesk.mail.sent", AccountPurpose));
        Assert.Equal(1, TelemetryCapture.Sum(after, "disclosuredesk.mail.retried", AccountPurpose));
        Assert.Equal(1, TelemetryCapture.Sum(after, "disclosuredesk.mail.failed", AccountPurpose));
        Assert.Single(smtp.Received);
    }

    private static Task<OutboxMessage> EnqueueAsync(HangfireSqliteFactory app, TestUser user, string subject) => app.ExecuteDbContextAsync(async db =>
    {
        var row = app.Services.GetRequiredService<Outbox>().Enqueue(db, new OutgoingEmail([user.Email], subject, "Telemetry test.", Purpose: OutboxPurpose.Account));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return row;
    });

    /// <summary>Delivery runs on a Hangfire worker: waits (bounded) until the row reaches <paramref name="state"/>.</summary>
    private static async Task WaitForAsync(HangfireSqliteFactory app, string messageId, OutboxState state, int attempts = 0)
    {
        var clock = Stopwatch.StartNew();
        OutboxMessage row;
        do
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            row = await app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.MessageId == messageId, TestContext.Current.CancellationToken));
        }
        while ((row.State != state || row.Attempts < attempts) && clock.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal(state, row.State);
    }

    /// <summary>
    /// A span is exported when it ends, which can be after the client has its answer: the server ends the request's
    /// span once the response is complete, and the job's after it recorded the row. Waits (bounded) for the one span.
    /// </summary>
    private static async Task<Activity> WaitForSpanAsync(TelemetryCapture capture, Func<Activity, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (capture.Spans.Where(match).ToList() is [var span])
            {
                return span;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        var matches = capture.Spans.Where(match).ToList();
        Assert.Fail($"{matches.Count} matching spans after 20 s; {capture.Spans.Count} spans in all: " +
            string.Join(", ", capture.Spans.Select(span => $"{span.Source.Name} {span.DisplayName}")));
        return null!;
    }
}
