using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>The first notification of an owner: drafted, queued with the case change that records it, refused when it must be.</summary>
public abstract class NotifyOwnerTests
{
    private readonly DisclosureDeskFactory _app;

    private NotifyOwnerTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : NotifyOwnerTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : NotifyOwnerTests(app);

    [Fact]
    public async Task SendAsync_OwnerIdentified_QueuesTheEditedEmailSetsTheDeadlineAndMovesToNotifiedInOneChain()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("notify");
        var form = new NotifyOwner.Form { ContactIds = [contactId], PolicyId = DisclosurePolicies.CertCc.Id };

        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h => h.DraftAsync(reference, form, lead.Current));
        Assert.True(draft.Result.Succeeded, draft.Result.Summary);
        Assert.StartsWith($"[{reference}]", draft.Value!.Subject, StringComparison.Ordinal);
        Assert.Contains("198.51.100.23:27017", draft.Value.Body, StringComparison.Ordinal);
        var now = _app.Time.GetUtcNow().UtcDateTime;
        Assert.Equal(now.AddDays(45), draft.Value.DeadlineAt);
        Assert.Contains(now.AddDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), draft.Value.Body, StringComparison.Ordinal);

        form.Subject = draft.Value.Subject;
        form.Body = draft.Value.Body + "\nP.S. Edited by the researcher.";
        var sent = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.SendAsync(reference, form, lead.Current));
        Assert.True(sent.Succeeded, sent.Summary);

        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(CaseStatus.Notified, details!.Case.Status);
        Assert.Equal(now, details.Case.FirstNotifiedAt);
        Assert.Equal(now.AddDays(45), details.Case.DisclosureDeadlineAt);
        Assert.Equal(DisclosurePolicies.CertCc.Name, details.Case.DisclosurePolicy);
        Assert.True(details.Chain.IsValid, details.Chain.Problem);

        var row = await _app.ExecuteDbContextAsync(db => db.Set<OutboxMessage>().SingleAsync(m => m.CaseId == details.Case.Id && m.State == OutboxState.Due));
        Assert.Equal(OutboxState.Due, row.State);
        var message = MimeMessage.Load(new MemoryStream(row.Content), TestContext.Current.CancellationToken);
        Assert.Equal(row.MessageId, message.MessageId);
        Assert.Equal("owner-security@northwind.example", message.To.Mailboxes.Single().Address);
        Assert.Equal(form.Subject, message.Subject);
        Assert.EndsWith("P.S. Edited by the researcher.", message.TextBody?.TrimEnd(), StringComparison.Ordinal);

        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var notified = Assert.Single(timeline!.Events, e => e.Type == TimelineEventType.OwnerNotified);
        Assert.Contains(row.MessageId, notified.Text, StringComparison.Ordinal);
        Assert.Equal(EventVisibility.Owner, notified.Visibility);
        Assert.Equal(TimelineEventType.StatusChanged, timeline.Events[0].Type);
    }

    [Fact]
    public async Task SendAsync_ContactBouncingPermanently_IsRefusedAndNothingIsQueued()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("bouncing");
        await _app.ExecuteDbContextAsync(db => db.CaseContacts.Where(c => c.Id == contactId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Bouncing, BounceSeverity.Permanent).SetProperty(c => c.BouncedAt, _app.Time.GetUtcNow().UtcDateTime)));

        var sent = await SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [contactId], Subject = "[x] Exposed database", Body = "Hello" });

        Assert.False(sent.Succeeded);
        Assert.Equal(["Mail to owner-security@northwind.example bounced permanently; choose another contact."], sent.Errors[nameof(NotifyOwner.Form.ContactIds)]);
        Assert.False(await _app.ExecuteDbContextAsync(db => db.OutboxMessages.AnyAsync(m => db.Cases.Any(c => c.Id == m.CaseId && c.Reference == reference))));
    }

    [Fact]
    public async Task SendAsync_RefusedRequests_WriteNothing()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("refused");
        var valid = new NotifyOwner.Form { ContactIds = [contactId], Subject = "[x] Exposed database", Body = "Hello" };
        var before = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));

        Assert.False((await SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [], Subject = "s", Body = "b" })).Succeeded);
        Assert.False((await SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [contactId], Subject = "Line one\r\nBcc: victim@example.com", Body = "b" })).Succeeded);
        Assert.False((await SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [contactId], PolicyId = "custom", CustomDays = 0, Subject = "s", Body = "b" })).Succeeded);
        Assert.False((await SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [contactId], Subject = "", Body = "b" })).Succeeded);
        var stranger = await _app.CreateResearcherAsync("refused-stranger");
        Assert.Equal(CommandResult.NotFound.Summary, (await SendAsync(reference, stranger, valid)).Summary);

        var after = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(before!.Case.LastEventSequence, after!.Case.LastEventSequence);
        Assert.Null(after.Case.FirstNotifiedAt);
        Assert.False(await _app.ExecuteDbContextAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.CaseId == after.Case.Id)));

        Assert.True((await SendAsync(reference, lead, valid)).Succeeded);
        var again = await SendAsync(reference, lead, valid);
        Assert.Contains("already been notified", again.Summary, StringComparison.Ordinal);
        Assert.Equal(1 + FollowUpSchedule.Steps.Count, await _app.ExecuteDbContextAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.CaseId == after.Case.Id)));
    }

    [Fact]
    public async Task SendAsync_Notified_SchedulesFollowUpsAtSevenFourteenAndTwentyOneDaysAndNoResponseAtTwentyEight()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("follow-ups");
        var now = _app.Time.GetUtcNow().UtcDateTime;

        var draft = await DraftAsync(reference, lead, contactId);
        Assert.Equal([now.AddDays(7), now.AddDays(14), now.AddDays(21)], draft.FollowUps.Select(f => f.DueAt));
        Assert.Equal(now.AddDays(28), draft.NoResponseAt);
        Assert.All(draft.FollowUps, f => Assert.Contains($"[{reference}]", f.Email.Subject, StringComparison.Ordinal));
        Assert.Contains(now.AddDays(28).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), draft.FollowUps[^1].Email.TextBody, StringComparison.Ordinal);

        Assert.True((await SendDraftAsync(reference, lead, contactId, draft)).Succeeded);

        var rows = await RowsAsync(reference);
        Assert.Equal([OutboxState.Due, OutboxState.Scheduled, OutboxState.Scheduled, OutboxState.Scheduled], rows.Select(r => r.State));
        Assert.Equal([now, now.AddDays(7), now.AddDays(14), now.AddDays(21)], rows.Select(r => r.DueAt));
        Assert.Equal(draft.FollowUps.Select(f => f.Email.Subject), rows.Skip(1).Select(r => r.Subject));
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(now.AddDays(28), details!.Case.NoResponseAt);
    }

    [Fact]
    public async Task ChangeStatus_OwnerAcknowledges_CancelsTheFollowUpsNotYetSentAndSaysWhy()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("acknowledged");
        Assert.True((await SendDraftAsync(reference, lead, contactId, await DraftAsync(reference, lead, contactId))).Succeeded);

        var moved = await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Acknowledged }, lead.Current));
        Assert.True(moved.Succeeded, moved.Summary);

        var rows = await RowsAsync(reference);
        Assert.Equal([OutboxState.Due, OutboxState.Cancelled, OutboxState.Cancelled, OutboxState.Cancelled], rows.Select(r => r.State));
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        Assert.Equal(TimelineEventType.FollowUpsChanged, timeline!.Events[0].Type);
        Assert.Contains("3 scheduled follow-up email(s) cancelled: the case is now Acknowledged", timeline.Events[0].Text, StringComparison.Ordinal);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.True(details!.Chain.IsValid, details.Chain.Problem);
    }

    [Fact]
    public async Task DeliverFollowUp_AtAndBeforeItsTime_GoesOutOnlyWhenDueAndNeverAfterTheOwnerAnswered()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("fire");
        Assert.True((await SendDraftAsync(reference, lead, contactId, await DraftAsync(reference, lead, contactId))).Succeeded);
        var rows = await RowsAsync(reference);

        _app.Time.Advance(FollowUpSchedule.Steps[0].After - TimeSpan.FromMinutes(1));
        await DeliverDueAsync();
        Assert.Equal(OutboxState.Scheduled, (await RowsAsync(reference))[1].State);

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await DeliverDueAsync();
        Assert.Equal(OutboxState.Sent, (await RowsAsync(reference))[1].State);

        var answered = await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Acknowledged }, lead.Current));
        Assert.True(answered.Succeeded, answered.Summary);
        _app.Time.Advance(FollowUpSchedule.Steps[1].After - FollowUpSchedule.Steps[0].After);
        await DeliverDueAsync();

        Assert.Equal([OutboxState.Sent, OutboxState.Sent, OutboxState.Cancelled, OutboxState.Cancelled], (await RowsAsync(reference)).Select(r => r.State));
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var sent = timeline!.Events.Where(e => e.Type == TimelineEventType.EmailSent).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Contains(sent, e => e.Text.Contains(rows[1].MessageId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PauseAndResume_AfterFiveDays_ReplansTheRemainingFollowUpsFiveDaysLater()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("pause");
        var notifiedAt = _app.Time.GetUtcNow().UtcDateTime;
        Assert.True((await SendDraftAsync(reference, lead, contactId, await DraftAsync(reference, lead, contactId))).Succeeded);

        _app.Time.Advance(TimeSpan.FromDays(2));
        Assert.True((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.PauseAsync(reference, lead.Current))).Succeeded);
        Assert.All((await RowsAsync(reference)).Skip(1), r => Assert.Equal(OutboxState.Cancelled, r.State));
        Assert.False((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.PauseAsync(reference, lead.Current))).Succeeded);

        _app.Time.Advance(TimeSpan.FromDays(5));
        Assert.True((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.ResumeAsync(reference, lead.Current))).Succeeded);

        var replanned = (await RowsAsync(reference)).Where(r => r.State == OutboxState.Scheduled).Select(r => r.DueAt);
        Assert.Equal([notifiedAt.AddDays(12), notifiedAt.AddDays(19), notifiedAt.AddDays(26)], replanned);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Null(details!.Case.FollowUpsPausedAt);
        Assert.Equal(notifiedAt.AddDays(33), details.Case.NoResponseAt);
        Assert.True(details.Chain.IsValid, details.Chain.Problem);
    }

    [Fact]
    public async Task MarkUnansweredCases_SilentPastNoResponseDate_MovesToNoResponseButLeavesPausedCasesAlone()
    {
        var (lead, silent, silentContact) = await CaseReadyToNotifyAsync("silent");
        var (pausedLead, paused, pausedContact) = await CaseReadyToNotifyAsync("paused-silent");
        Assert.True((await SendDraftAsync(silent, lead, silentContact, await DraftAsync(silent, lead, silentContact))).Succeeded);
        Assert.True((await SendDraftAsync(paused, pausedLead, pausedContact, await DraftAsync(paused, pausedLead, pausedContact))).Succeeded);
        Assert.True((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.PauseAsync(paused, pausedLead.Current))).Succeeded);

        _app.Time.Advance(TimeSpan.FromDays(27));
        await _app.ExecuteAsync<MarkUnansweredCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });
        Assert.Equal(CaseStatus.Notified, (await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(silent, lead.Current)))!.Case.Status);

        _app.Time.Advance(TimeSpan.FromDays(1));
        await _app.ExecuteAsync<MarkUnansweredCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });
        await _app.ExecuteAsync<MarkUnansweredCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

        var silentCase = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(silent, lead.Current));
        Assert.Equal(CaseStatus.NoResponse, silentCase!.Case.Status);
        Assert.True(silentCase.Chain.IsValid, silentCase.Chain.Problem);
        Assert.DoesNotContain(await RowsAsync(silent), r => r.State == OutboxState.Scheduled);
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(silent), lead.Current));
        Assert.Single(timeline!.Events, e => e.Type == TimelineEventType.StatusChanged && e.Text.Contains("to No response", StringComparison.Ordinal));
        Assert.Equal(CaseStatus.Notified, (await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(paused, pausedLead.Current)))!.Case.Status);
    }

    [Fact]
    public async Task DraftAsync_CaseNotYetAtOwnerIdentified_IsRefusedWithTheStepToTake()
    {
        var lead = await _app.CreateResearcherAsync("too-early");
        var reference = await _app.CreateCaseAsync(lead);
        var contact = await _app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
            h.AddAsync(reference, new ManageCaseContacts.ContactForm { Name = "Ops", Email = "ops@too-early.example" }, lead.Current));
        Assert.True(contact.Succeeded, contact.Summary);
        var contactId = await ContactIdAsync(reference);

        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h =>
            h.DraftAsync(reference, new NotifyOwner.Form { ContactIds = [contactId] }, lead.Current));

        Assert.False(draft.Result.Succeeded);
        Assert.Contains("Owner identified", draft.Result.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner@example.com\r\nBcc: everyone@example.com")]
    [InlineData("owner@")]
    [InlineData("owner@localhost")]
    [InlineData("Owner <owner@example.com>")]
    [InlineData("a@example.com, b@example.com")]
    public async Task AddContact_AddressThatCannotBeMailedSafely_IsRefusedAtEntry(string email)
    {
        var lead = await _app.CreateResearcherAsync("bad-address");
        var reference = await _app.CreateCaseAsync(lead);

        var result = await _app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
            h.AddAsync(reference, new ManageCaseContacts.ContactForm { Name = "Owner", Email = email }, lead.Current));

        Assert.False(result.Succeeded);
        Assert.True(result.Errors.ContainsKey(nameof(ManageCaseContacts.ContactForm.Email)));
    }

    private async Task<NotifyOwner.Draft> DraftAsync(string reference, TestUser lead, int contactId)
    {
        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h =>
            h.DraftAsync(reference, new NotifyOwner.Form { ContactIds = [contactId] }, lead.Current));
        Assert.True(draft.Result.Succeeded, draft.Result.Summary);
        return draft.Value!;
    }

    /// <summary>One delivery run, as Hangfire would start it: it sends every row that is due, in this test's case and any other.</summary>
    private Task DeliverDueAsync() =>
        _app.ExecuteAsync<DeliverOutboxJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

    private Task<CommandResult> SendDraftAsync(string reference, TestUser lead, int contactId, NotifyOwner.Draft draft) =>
        SendAsync(reference, lead, new NotifyOwner.Form { ContactIds = [contactId], Subject = draft.Subject, Body = draft.Body });

    private Task<List<OutboxMessage>> RowsAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => db.Cases.Any(c => c.Id == m.CaseId && c.Reference == reference))
            .OrderBy(m => m.DueAt).ThenBy(m => m.Id)
            .ToListAsync());

    private Task<CommandResult> SendAsync(string reference, TestUser user, NotifyOwner.Form form) =>
        _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.SendAsync(reference, form, user.Current));

    private async Task<(TestUser Lead, string Reference, int ContactId)> CaseReadyToNotifyAsync(string label)
    {
        var lead = await _app.CreateResearcherAsync(label);
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Host = "198.51.100.23";
            form.OrganizationName = "Northwind Logistics";
            form.RecordCount = 2_100_000;
            form.DataCategories = DataCategories.Location;
        });
        var added = await _app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
            h.AddAsync(reference, new ManageCaseContacts.ContactForm { Name = "Security team", Email = "owner-security@northwind.example" }, lead.Current));
        Assert.True(added.Succeeded, added.Summary);
        foreach (var status in new[] { CaseStatus.Triaged, CaseStatus.OwnerIdentified })
        {
            var moved = await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
                h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = status }, lead.Current));
            Assert.True(moved.Succeeded, moved.Summary);
        }
        return (lead, reference, await ContactIdAsync(reference));
    }

    private Task<int> ContactIdAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.CaseContacts.Where(c => db.Cases.Any(k => k.Id == c.CaseId && k.Reference == reference)).Select(c => c.Id).SingleAsync());
}
