using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// Deadline reminders and overdue digests to the case team, driven by the app's <c>FakeTimeProvider</c> through
/// real calendar dates. Each test starts its own app (database and clock) at the date its story needs, which a
/// shared fixture's clock, only ever moving forward, cannot promise; disposing a host mid-run is safe only in
/// the non-parallel collection.
/// </summary>
[Collection(typeof(HangfireServerCollection))]
public sealed class ResearcherRemindersTests
{
    private static DateTime Utc(string iso) => DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    [Theory]
    // Summer time ends in Amsterdam on 25 October 2026: 09:00 is 07:00 UTC before it and 08:00 UTC after.
    [InlineData("Europe/Amsterdam", "2026-10-10T10:00:00Z", "2026-10-23T07:00:00Z", "2026-10-29T08:00:00Z", "2026-10-30T10:00:00Z", "2026-10-31T07:00:00Z")]
    // Daylight time ends in New York on 1 November 2026: 09:00 is 13:00 UTC before it and 14:00 UTC after.
    [InlineData("America/New_York", "2026-10-16T15:00:00Z", "2026-10-29T13:00:00Z", "2026-11-04T14:00:00Z", "2026-11-05T15:00:00Z", "2026-11-06T13:00:00Z")]
    public async Task Run_HourlyAcrossTheEndOfDaylightSavingTime_RemindsAtNineLocalSevenAndOneDaysBeforeThenDigestsDaily(
        string zone, string notifiedAt, string weekBefore, string dayBefore, string firstDigest, string secondDigest)
    {
        await using var app = await StartAsync(Utc(notifiedAt));
        var lead = await app.CreateResearcherAsync("dst");
        await SetTimeZoneAsync(app, lead, zone);
        var reference = await NotifiedCaseAsync(app, lead, customDays: 20);

        for (var now = Utc(notifiedAt); now <= Utc(notifiedAt).AddDays(21); now = now.AddHours(1))
        {
            app.Time.SetUtcNow(now);
            await RunRemindersAsync(app);
        }

        var received = await ToAsync(app, lead);
        Assert.Equal(
            [
                (Utc(weekBefore), OutboxPurpose.DeadlineReminder),
                (Utc(dayBefore), OutboxPurpose.DeadlineReminder),
                (Utc(firstDigest), OutboxPurpose.OverdueDigest),
                (Utc(secondDigest), OutboxPurpose.OverdueDigest),
            ],
            received.Select(m => (m.CreatedAt, m.Purpose)));
        Assert.StartsWith($"[{reference}] Disclosure deadline in 7 days: ", received[0].Subject, StringComparison.Ordinal);
        Assert.StartsWith($"[{reference}] Disclosure deadline tomorrow: ", received[1].Subject, StringComparison.Ordinal);
        Assert.Equal($"DisclosureDesk: 1 overdue item on {Utc(secondDigest).AddDays(-1):yyyy-MM-dd}", received[2].Subject);
        Assert.Equal($"DisclosureDesk: 1 overdue item on {Utc(secondDigest):yyyy-MM-dd}", received[3].Subject);
        Assert.Contains($"{reference} Open MongoDB with customer records (Notified): deadline", Body(received[3]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RepeatedAndConcurrent_SendsEachReminderOnceAndOnlyToThoseWhoWantIt()
    {
        await using var app = await StartAsync(Utc("2026-05-04T10:00:00Z"));
        var lead = await app.CreateResearcherAsync("opted-out");
        var member = await app.CreateResearcherAsync("opted-in");
        await SetRemindersOffAsync(app, lead, ReminderKinds.WeekBefore | ReminderKinds.OverdueDigest);
        var reference = await NotifiedCaseAsync(app, lead, customDays: 10);
        var added = await app.ExecuteAsync<ManageCaseTeam.Handler, CommandResult>(h => h.AddMemberAsync(reference, member.Email, lead.Current));
        Assert.True(added.Succeeded, added.Summary);

        app.Time.SetUtcNow(Utc("2026-05-07T09:00:00Z"));
        await RunRemindersAsync(app);
        await RunRemindersAsync(app);
        await Task.WhenAll(RunRemindersAsync(app), RunRemindersAsync(app), RunRemindersAsync(app));

        Assert.Single(await ToAsync(app, member), m => m.Purpose == OutboxPurpose.DeadlineReminder);
        Assert.Empty(await ToAsync(app, lead));

        app.Time.SetUtcNow(Utc("2026-05-13T09:00:00Z"));
        await Task.WhenAll(RunRemindersAsync(app), RunRemindersAsync(app));
        app.Time.SetUtcNow(Utc("2026-05-14T10:00:00Z"));
        await RunRemindersAsync(app);

        Assert.Equal([OutboxPurpose.DeadlineReminder, OutboxPurpose.DeadlineReminder, OutboxPurpose.OverdueDigest], (await ToAsync(app, member)).Select(m => m.Purpose));
        var leadReminder = Assert.Single(await ToAsync(app, lead));
        Assert.Contains("Disclosure deadline tomorrow", leadReminder.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnerFollowUpsAndTeamReminders_CancellingOrSendingOne_LeavesTheOtherAlone()
    {
        await using var app = await StartAsync(Utc("2026-05-04T10:00:00Z"));
        var lead = await app.CreateResearcherAsync("both");
        var reference = await NotifiedCaseAsync(app, lead, customDays: 10);
        var caseId = await CaseIdAsync(app, reference);
        await DeliverDueAsync(app);

        app.Time.SetUtcNow(Utc("2026-05-07T09:00:00Z"));
        await RunRemindersAsync(app);
        var reminder = Assert.Single(await ToAsync(app, lead));
        var before = await ChainAsync(app, reference, lead);
        await DeliverDueAsync(app);

        var after = await ChainAsync(app, reference, lead);
        Assert.Equal(OutboxState.Sent, (await RowAsync(app, reminder.Id)).State);
        Assert.Equal(before.Case.LastEventSequence, after.Case.LastEventSequence);
        Assert.Equal(3, await CountAsync(app, caseId, OutboxPurpose.OwnerFollowUp, OutboxState.Scheduled));

        var acknowledged = await app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Acknowledged }, lead.Current));
        Assert.True(acknowledged.Succeeded, acknowledged.Summary);
        Assert.Equal(3, await CountAsync(app, caseId, OutboxPurpose.OwnerFollowUp, OutboxState.Cancelled));

        app.Time.SetUtcNow(Utc("2026-05-13T09:00:00Z"));
        await RunRemindersAsync(app);
        Assert.Equal(2, await CountAsync(app, caseId, OutboxPurpose.DeadlineReminder, OutboxState.Due) + await CountAsync(app, caseId, OutboxPurpose.DeadlineReminder, OutboxState.Sent));
    }

    [Fact]
    public async Task Run_OverdueItems_DigestListsTheResearchersOwnPastDeadlineUnansweredAndUndeliveredItems()
    {
        await using var app = await StartAsync(Utc("2026-05-04T10:00:00Z"));
        var lead = await app.CreateResearcherAsync("digest");
        var stranger = await app.CreateResearcherAsync("digest-other");
        await SetTimeZoneAsync(app, lead, "Europe/Amsterdam");
        var pastDeadline = await NotifiedCaseAsync(app, lead, customDays: 1);
        var unanswered = await NotifiedCaseAsync(app, lead, customDays: 60);
        var notMine = await NotifiedCaseAsync(app, stranger, customDays: 1);
        app.Time.SetUtcNow(Utc("2026-05-30T10:00:00Z"));
        var bounced = await NotifiedCaseAsync(app, lead, customDays: 60);
        var bouncedId = await CaseIdAsync(app, bounced);
        await app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.CaseId == bouncedId && m.Purpose == OutboxPurpose.OwnerNotification)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Failed).SetProperty(m => m.LastError, "550 5.1.1 mailbox unavailable")));

        app.Time.SetUtcNow(Utc("2026-06-01T10:00:00Z"));
        await app.ExecuteAsync<MarkUnansweredCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });
        var jobs = await RunRemindersRecordingJobsAsync(app);

        var digest = Assert.Single(await ToAsync(app, lead));
        Assert.Equal(OutboxPurpose.OverdueDigest, digest.Purpose);
        Assert.Null(digest.CaseId);
        Assert.Equal("DisclosureDesk: 3 overdue items on 2026-06-01", digest.Subject);
        var body = Body(digest);
        var sections = new[] { "Past the disclosure deadline", pastDeadline, "No response from the owner", unanswered, "Emails to owners that did not arrive", bounced, "550 5.1.1" }
            .Select(text => body.IndexOf(text, StringComparison.Ordinal)).ToList();
        Assert.All(sections, at => Assert.True(at >= 0, body));
        Assert.Equal(sections.Order(), sections);
        Assert.DoesNotContain(notMine, body, StringComparison.Ordinal);
        Assert.Single(await ToAsync(app, stranger));
        // Both digests are due at once, and one delivery run takes every due row: the run asks for exactly one.
        Assert.IsType<EnqueuedState>(Assert.Single(jobs.Requests).State);
    }

    [Fact]
    public async Task ProjectZero_GraceAndFix_MoveTheDeadlineByTheRulesAndRecordIt()
    {
        var notifiedAt = Utc("2026-04-01T12:00:00Z");
        await using var app = await StartAsync(notifiedAt);
        var lead = await app.CreateResearcherAsync("project-zero");
        var early = await NotifiedCaseAsync(app, lead, DisclosurePolicies.ProjectZero.Id);
        var late = await NotifiedCaseAsync(app, lead, DisclosurePolicies.ProjectZero.Id);
        var missed = await NotifiedCaseAsync(app, lead, DisclosurePolicies.ProjectZero.Id);
        Assert.Equal(notifiedAt.AddDays(90), (await ChainAsync(app, early, lead)).Case.DisclosureDeadlineAt);

        app.Time.SetUtcNow(notifiedAt.AddDays(47));
        await MoveAsync(app, lead, early, CaseStatus.Mitigated);
        app.Time.SetUtcNow(notifiedAt.AddDays(85));
        Assert.True((await GrantGraceAsync(app, lead, late, "Patch ships on day 100")).Succeeded);
        var twice = await GrantGraceAsync(app, lead, late, null);
        app.Time.SetUtcNow(notifiedAt.AddDays(91));
        var tooLate = await GrantGraceAsync(app, lead, missed, null);
        app.Time.SetUtcNow(notifiedAt.AddDays(100));
        await MoveAsync(app, lead, late, CaseStatus.Mitigated);

        Assert.Equal(notifiedAt.AddDays(77), (await ChainAsync(app, early, lead)).Case.DisclosureDeadlineAt);
        Assert.Contains("already been granted", twice.Summary, StringComparison.Ordinal);
        Assert.Contains("deadline has passed", tooLate.Summary, StringComparison.Ordinal);
        var lateCase = await ChainAsync(app, late, lead);
        Assert.Equal(notifiedAt.AddDays(120), lateCase.Case.DisclosureDeadlineAt);
        Assert.True(lateCase.Chain.IsValid, lateCase.Chain.Problem);
        var timeline = await app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(late), lead.Current));
        Assert.Equal(
            [
                "Disclosure deadline moved from 2026-06-30 to 2026-07-14 UTC: project-zero granted the owner a 14-day grace period. Note: Patch ships on day 100",
                "Disclosure deadline moved from 2026-07-14 to 2026-07-30 UTC: the owner fixed the exposure",
            ],
            timeline!.Events.Where(e => e.Type == TimelineEventType.DeadlineChanged).Reverse()
                .Select(e => e.Text[..e.Text.IndexOf(" (Google", StringComparison.Ordinal)].Replace(lead.DisplayName, "project-zero", StringComparison.Ordinal)));
        Assert.Equal(notifiedAt.AddDays(90), (await ChainAsync(app, missed, lead)).Case.DisclosureDeadlineAt);
    }

    private static async Task<SqliteDisclosureDeskFactory> StartAsync(DateTime at)
    {
        var app = new SqliteDisclosureDeskFactory();
        app.Time.SetUtcNow(at);
        await app.InitializeAsync();
        return app;
    }

    private static Task RunRemindersAsync(DisclosureDeskFactory app) =>
        app.ExecuteAsync<SendResearcherRemindersJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

    /// <summary>Runs the reminders with an outbox whose delivery requests are recorded rather than sent to Hangfire.</summary>
    private static async Task<RecordingJobClient> RunRemindersRecordingJobsAsync(DisclosureDeskFactory app)
    {
        var jobs = new RecordingJobClient();
        var services = app.Services;
        var emailOptions = services.GetRequiredService<IOptions<EmailOptions>>();
        await new SendResearcherRemindersJob(
                services.GetRequiredService<IDbContextFactory<AppDbContext>>(),
                new Outbox(emailOptions, app.Time, jobs),
                services.GetRequiredService<EmailTemplateStore>(),
                services.GetRequiredService<IOptions<ReminderOptions>>(),
                emailOptions,
                app.Time,
                NullLogger<SendResearcherRemindersJob>.Instance)
            .RunAsync(CancellationToken.None);
        return jobs;
    }

    private static Task<CommandResult> GrantGraceAsync(DisclosureDeskFactory app, TestUser user, string reference, string? note) =>
        app.ExecuteAsync<DisclosureDeadline.Handler, CommandResult>(h => h.GrantGraceAsync(reference, note, user.Current));

    private static async Task MoveAsync(DisclosureDeskFactory app, TestUser user, string reference, CaseStatus status)
    {
        var moved = await app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = status }, user.Current));
        Assert.True(moved.Succeeded, moved.Summary);
    }

    private static async Task<GetCase.Details> ChainAsync(DisclosureDeskFactory app, string reference, TestUser user) =>
        (await app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, user.Current)))!;

    private static Task SetTimeZoneAsync(DisclosureDeskFactory app, TestUser user, string zone) =>
        app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.TimeZoneId, zone)));

    private static Task SetRemindersOffAsync(DisclosureDeskFactory app, TestUser user, ReminderKinds off) =>
        app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.RemindersOff, off)));

    private static Task<int> CaseIdAsync(DisclosureDeskFactory app, string reference) =>
        app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

    private static Task<OutboxMessage> RowAsync(DisclosureDeskFactory app, long id) =>
        app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id));

    private static Task<int> CountAsync(DisclosureDeskFactory app, int caseId, OutboxPurpose purpose, OutboxState state) =>
        app.ExecuteDbContextAsync(db => db.OutboxMessages.CountAsync(m => m.CaseId == caseId && m.Purpose == purpose && m.State == state));

    /// <summary>The reminders and digests addressed to <paramref name="user"/>, oldest first.</summary>
    private static Task<List<OutboxMessage>> ToAsync(DisclosureDeskFactory app, TestUser user) =>
        app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.To == user.Email && (m.Purpose == OutboxPurpose.DeadlineReminder || m.Purpose == OutboxPurpose.OverdueDigest))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .ToListAsync());

    private static string Body(OutboxMessage message) =>
        MimeMessage.Load(new MemoryStream(message.Content)).TextBody ?? "";

    /// <summary>A case led by <paramref name="lead"/> whose owner was notified now under <paramref name="policyId"/>.</summary>
    private static async Task<string> NotifiedCaseAsync(DisclosureDeskFactory app, TestUser lead, string policyId = DisclosurePolicies.CustomId, int? customDays = null)
    {
        var reference = await app.CreateCaseAsync(lead);
        var added = await app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
            h.AddAsync(reference, new ManageCaseContacts.ContactForm { Name = "Security team", Email = "security@owner.example" }, lead.Current));
        Assert.True(added.Succeeded, added.Summary);
        await MoveAsync(app, lead, reference, CaseStatus.Triaged);
        await MoveAsync(app, lead, reference, CaseStatus.OwnerIdentified);
        var contactId = await app.ExecuteDbContextAsync(db => db.CaseContacts.Where(c => db.Cases.Any(k => k.Id == c.CaseId && k.Reference == reference)).Select(c => c.Id).SingleAsync());
        var form = new NotifyOwner.Form { ContactIds = [contactId], PolicyId = policyId, CustomDays = customDays, Subject = $"[{reference}] Exposed database", Body = "Please close it." };
        var sent = await app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.SendAsync(reference, form, lead.Current));
        Assert.True(sent.Succeeded, sent.Summary);
        return reference;
    }

    /// <summary>One delivery run, as Hangfire would start it: every row due now goes out.</summary>
    private static Task DeliverDueAsync(SqliteDisclosureDeskFactory app) =>
        app.ExecuteAsync<DeliverOutboxJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });
}
