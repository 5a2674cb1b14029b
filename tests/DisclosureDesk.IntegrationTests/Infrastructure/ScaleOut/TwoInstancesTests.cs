using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.IntegrationTests.Features.Api;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using DisclosureDesk.IntegrationTests.Features.Responses;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Npgsql;

namespace DisclosureDesk.IntegrationTests.Infrastructure.ScaleOut;

/// <summary>
/// Two instances of the built app, each a process of its own with a Hangfire server, on one PostgreSQL database and
/// one SMTP server; one of them is killed (SIGKILL) in the middle of the batch.
/// </summary>
/// <remarks>
/// What "exactly once" can honestly mean when a process dies (ADR-007): a message the killed process had on the wire
/// may or may not have reached the server, and it is never sent again; its row stays in Sending until the claim's
/// lease lapses, and is then shown as Unknown. So the test asserts that the server never sees a Message-ID twice,
/// that every message is Sent and arrived exactly once, except at most the one the killed process was sending
/// (it delivers one message at a time and claims a row only right before sending it), which ends Unknown and arrived
/// at most once; and that every outcome and every note is on its case's audit chain exactly once.
/// </remarks>
[Collection(typeof(HangfireServerCollection))]
public sealed class TwoInstancesTests
{
    /// <summary>Cases notified; each queues the notification and its three follow-ups.</summary>
    private const int CaseCount = 20;

    /// <summary>The case after whose notification the first instance is killed, with the rest of the batch still to come.</summary>
    private const int KillAfter = 6;

    private const int EmailsPerCase = 4;

    [Fact]
    public async Task Delivery_TwoInstancesOneKilledMidBatch_EveryEmailAtMostOnceAndEveryEventOnce()
    {
        PostgreSqlTestDatabase.RequireServer();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var smtp = TestSmtpServer.Start();
        // A server that takes a moment to answer, so the first instance is likely to have a message on the wire when killed.
        smtp.ReplyDelay = TimeSpan.FromMilliseconds(100);
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        await using var host = new ScaleOutHost(database.ConnectionString, smtp.Port);
        await host.InitializeAsync();
        var visitor = await host.CreateResearcherAsync("visitor");

        // The host has migrated the database and created the roles; the instances then start together on it.
        await using var first = AppInstance.Start("first", host.InstanceSettings);
        await using var second = AppInstance.Start("second", host.InstanceSettings);
        await Task.WhenAll(first.WaitUntilReadyAsync(cancellationToken), second.WaitUntilReadyAsync(cancellationToken));

        // Shared keys: the sign-in form's antiforgery token comes from the second instance, the first accepts it and
        // issues the cookie, and the second accepts the cookie.
        var (signedIn, anonymous) = await SignInAcrossAsync(first, second, visitor, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, signedIn);
        Assert.Equal(HttpStatusCode.Redirect, anonymous);

        // The batch: each case's notification and follow-ups are queued through the app's handler (Hangfire jobs go to
        // the shared storage, for whichever instance's worker is free), and a note is added through an instance's API
        // while the emails go out, on the same audit chains. Mid-batch the first instance is killed; the rest of the
        // batch goes on through the second.
        var notes = new List<string>();
        DateTime? killedAt = null;
        var deliveredAtKill = 0;
        for (var i = 0; i < CaseCount; i++)
        {
            var (lead, reference, _) = await host.NotifiedCaseAsync($"lead{i}", $"security@owner{i}.example");
            var instance = killedAt is null && i % 2 == 0 ? first : second;
            var note = $"Note {i} through the {instance.Name} instance.";
            using (var api = new HttpClient { BaseAddress = instance.BaseAddress })
            {
                api.DefaultRequestHeaders.Authorization = new("Bearer", await host.CreateTokenAsync(lead, TokenScope.Write));
                using var response = await api.PostAsJsonAsync(new Uri($"/api/v1/cases/{reference}/notes", UriKind.Relative), new ApiNote(note), cancellationToken);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
            notes.Add(note);
            if (i == KillAfter)
            {
                await WaitUntilAsync(() => Task.FromResult(first.Delivered > 0), cancellationToken);
                Assert.True(first.Delivered > 0, $"The first instance delivered nothing before it was to be killed.\n{first.Output}");
                killedAt = TimeProvider.System.GetUtcNow().UtcDateTime;
                first.Kill();
                deliveredAtKill = smtp.Received.Count;
            }
        }
        var queued = await host.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().CountAsync(cancellationToken));
        Assert.Equal(CaseCount * EmailsPerCase, queued);
        Assert.InRange(deliveredAtKill, 1, queued - 1);

        // The second instance is done when nothing is left to take but what the killed one held in Sending.
        await WaitUntilAsync(async () => (await StatesAsync(host)).All(row =>
            row.State == OutboxState.Sent || (row.State == OutboxState.Sending && row.ClaimedAt < killedAt)), cancellationToken);
        var orphaned = (await StatesAsync(host)).Count(row => row.State == OutboxState.Sending);
        Assert.InRange(orphaned, 0, 1);
        Assert.True(second.Delivered > 0, second.Output);

        // Once the claim's lease has lapsed, a run (here the test's, on a clock moved past the lease) shows the orphan as Unknown without sending it.
        host.Clock.SetUtcNow(TimeProvider.System.GetUtcNow() + OutboxRetryPolicy.SendingLease + TimeSpan.FromMinutes(1));
        await host.ExecuteAsync<DeliverOutboxJob, bool>(async job =>
        {
            await job.RunAsync(cancellationToken);
            return true;
        });

        var final = await host.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking()
            .Select(m => new { m.MessageId, m.State }).ToListAsync(cancellationToken));
        Assert.Equal(orphaned, final.Count(m => m.State == OutboxState.Unknown));
        Assert.Equal(queued - orphaned, final.Count(m => m.State == OutboxState.Sent));

        var arrived = smtp.Received.Select(bytes => MimeMessage.Load(new MemoryStream(bytes), cancellationToken).MessageId ?? "").ToList();
        Assert.Equal(arrived.Count, arrived.Distinct(StringComparer.Ordinal).Count());
        var arrivedOnce = arrived.ToHashSet(StringComparer.Ordinal);
        Assert.All(final.Where(m => m.State == OutboxState.Sent), m => Assert.Contains(m.MessageId, arrivedOnce));
        Assert.Subset(arrivedOnce, final.Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal));
        Assert.Equal(smtp.Received.Count, smtp.DataCount);

        // Every outcome once on its case (all these emails are notices on record), and every note once.
        var outcomes = await host.ExecuteDbContextAsync(db => db.TimelineEvents.AsNoTracking()
            .Where(e => e.Type == TimelineEventType.EmailSent || e.Type == TimelineEventType.EmailOutcomeUnknown || e.Type == TimelineEventType.EmailFailed)
            .Select(e => new { e.Type, e.Text }).ToListAsync(cancellationToken));
        Assert.Equal(final.Count, outcomes.Count);
        Assert.All(final, m => Assert.Single(outcomes, e => e.Text.Contains(m.MessageId, StringComparison.Ordinal)
            && e.Type == (m.State == OutboxState.Sent ? TimelineEventType.EmailSent : TimelineEventType.EmailOutcomeUnknown)));
        var recordedNotes = await host.ExecuteDbContextAsync(db => db.TimelineEvents.AsNoTracking()
            .Where(e => e.Type == TimelineEventType.NoteAdded).Select(e => e.Text).ToListAsync(cancellationToken));
        Assert.Equal(notes.Order(StringComparer.Ordinal), recordedNotes.Order(StringComparer.Ordinal));

        var audit = await host.ExecuteAsync<VerifyAuditTrail.Handler, VerifyAuditTrail.Report>(h => h.HandleAsync(cancellationToken));
        Assert.True(audit.IsValid, audit.FirstBroken?.Verification.Problem);
        Assert.Equal(CaseCount, audit.CasesChecked);

        // Hangfire's recurring jobs run once across instances: at most one outbox sweep was created per minute.
        Assert.All(await SweepsPerMinuteAsync(database.ConnectionString, cancellationToken), count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Startup_TwoInstancesAtOnceOnAnEmptyDatabase_OneMigratesTheOtherWaitsAndTheyShareOneKeyAndTheRoles()
    {
        PostgreSqlTestDatabase.RequireServer();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var smtp = TestSmtpServer.Start();
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        await using var host = new ScaleOutHost(database.ConnectionString, smtp.Port);

        // Nothing has touched the database: both processes find it empty and start at the same moment.
        await using var first = AppInstance.Start("first", host.InstanceSettings);
        await using var second = AppInstance.Start("second", host.InstanceSettings);
        await Task.WhenAll(first.WaitUntilReadyAsync(cancellationToken), second.WaitUntilReadyAsync(cancellationToken));

        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM \"DataProtectionKeys\"", cancellationToken));
            Assert.Equal((long)Roles.All.Count, await ScalarAsync(connection, "SELECT COUNT(*) FROM \"AspNetRoles\"", cancellationToken));
        }
        await host.InitializeAsync();
        var visitor = await host.CreateResearcherAsync("early-visitor");
        var (signedIn, _) = await SignInAcrossAsync(first, second, visitor, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, signedIn);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(HttpStatusCode SignedIn, HttpStatusCode Anonymous)> SignInAcrossAsync(
        AppInstance first, AppInstance second, TestUser user, CancellationToken cancellationToken)
    {
        // Cookies are not kept apart by port, so one container carries them between the two instances on 127.0.0.1.
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler);
        var form = await browser.GetStringAsync(new Uri(second.BaseAddress, "/Account/Login"), cancellationToken);
        using var login = await browser.PostAsync(new Uri(first.BaseAddress, "/Account/Login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = DisclosureDeskFactory.HiddenInput(form, "_handler"),
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
            ["Input.Email"] = user.Email,
            ["Input.Password"] = DisclosureDeskFactory.Password,
        }), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        using var signedIn = await browser.GetAsync(new Uri(second.BaseAddress, "/cases"), cancellationToken);
        using var stranger = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: true);
        using var anonymous = await stranger.GetAsync(new Uri(second.BaseAddress, "/cases"), cancellationToken);
        return (signedIn.StatusCode, anonymous.StatusCode);
    }

    private sealed record RowState(OutboxState State, DateTime? ClaimedAt);

    private static Task<List<RowState>> StatesAsync(ScaleOutHost host) =>
        host.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().Select(m => new RowState(m.State, m.ClaimedAt)).ToListAsync());

    private static async Task<List<long>> SweepsPerMinuteAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT COUNT(*) FROM hangfire.job WHERE invocationdata::text LIKE '%SweepOutboxJob%'
            GROUP BY date_trunc('minute', createdat)
            """, connection);
        var counts = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(reader.GetInt64(0));
        }
        return counts;
    }

    /// <summary>Waits, within a generous bound, for something the assertions that follow then check.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition() && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
