using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Escalation;

/// <summary>
/// The escalation ladder on the clock: owner, hosting provider, national CERT, data-protection authority, each
/// after the silence, stopped by a reply, held by a pause. Each test uses its own country, as the directory is shared.
/// </summary>
public abstract class EscalationLadderTests
{
    private static readonly TimeSpan Silence = TimeSpan.FromDays(14);
    private readonly DisclosureDeskFactory _app;

    private EscalationLadderTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : EscalationLadderTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : EscalationLadderTests(app);

    [Fact]
    public async Task Job_OwnerSilent_WritesToProviderThenCertThenAuthorityEachAfterTheSilenceAndOnlyOnce()
    {
        var (lead, reference) = await NotifiedCaseAsync("IS", withAbuseContact: true, EscalationLadder.AllRungs);
        var notifiedAt = _app.Time.GetUtcNow().UtcDateTime;

        _app.Time.Advance(Silence - TimeSpan.FromMinutes(1));
        await RunJobAsync();
        Assert.Empty(await EscalationsAsync(reference));

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await RunJobAsync();
        await RunJobAsync();
        var provider = Assert.Single(await EscalationsAsync(reference));
        Assert.Equal("abuse@provider-is.example", provider.To);
        Assert.Equal(OutboxState.Due, provider.State);
        var email = MimeMessage.Load(new MemoryStream(provider.Content), TestContext.Current.CancellationToken);
        Assert.Equal($"[{reference}] Request for help: exposed MongoDB database at 203.0.113.61:27017", email.Subject);
        Assert.Contains($"We notified Northwind Logistics on {notifiedAt:yyyy-MM-dd}", email.TextBody, StringComparison.Ordinal);
        var details = await CaseAsync(reference, lead);
        Assert.Equal(CaseStatus.Escalated, details.Case.Status);
        Assert.Equal(EscalationSteps.HostingProvider, details.Case.EscalationReached);

        _app.Time.Advance(Silence - TimeSpan.FromMinutes(1));
        await RunJobAsync();
        Assert.Single(await EscalationsAsync(reference));
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await RunJobAsync();
        var cert = (await EscalationsAsync(reference))[1];
        Assert.Equal("incident@cert-is.example", cert.To);
        var certEmail = MimeMessage.Load(new MemoryStream(cert.Content), TestContext.Current.CancellationToken);
        Assert.StartsWith($"[{reference}] Request for coordination", certEmail.Subject, StringComparison.Ordinal);
        Assert.Contains($"the hosting provider (abuse@provider-is.example) on {(notifiedAt + Silence):yyyy-MM-dd}", certEmail.TextBody, StringComparison.Ordinal);

        _app.Time.Advance(Silence);
        await RunJobAsync();
        await RunJobAsync();
        var all = await EscalationsAsync(reference);
        Assert.Equal(["abuse@provider-is.example", "incident@cert-is.example", "complaints@dpa-is.example"], all.Select(m => m.To));
        Assert.Equal(
            [EscalationLadder.DedupKey(details.Case.Id, EscalationSteps.HostingProvider), EscalationLadder.DedupKey(details.Case.Id, EscalationSteps.NationalCert),
             EscalationLadder.DedupKey(details.Case.Id, EscalationSteps.DataProtectionAuthority)],
            all.Select(m => m.DedupKey));

        var after = await CaseAsync(reference, lead);
        Assert.True(after.Chain.IsValid, after.Chain.Problem);
        var escalated = (await TimelineAsync(reference, lead)).Where(e => e.Type == TimelineEventType.Escalated).ToList();
        Assert.Equal(3, escalated.Count);
        Assert.All(escalated, e => Assert.Equal(EventVisibility.Owner, e.Visibility));
        Assert.Contains("the data-protection authority, Persónuvernd", escalated[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_ReplyAfterTheFirstStep_StopsTheLadder()
    {
        var (lead, reference) = await NotifiedCaseAsync("LI", withAbuseContact: true, EscalationLadder.AllRungs);
        _app.Time.Advance(Silence);
        await RunJobAsync();
        Assert.Single(await EscalationsAsync(reference));

        var logged = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h => h.LogAsync(reference, new LogResponse.Form
        {
            Channel = ResponseChannel.Email,
            Meaning = ResponseMeaning.Acknowledged,
            RespondedBy = "Provider abuse desk",
            RespondedAt = _app.Time.GetUtcNow().UtcDateTime,
            Summary = "Forwarded to the customer.",
        }, lead.Current));
        Assert.True(logged.Result.Succeeded, logged.Result.Summary);

        _app.Time.Advance(Silence * 3);
        await RunJobAsync();

        Assert.Single(await EscalationsAsync(reference));
        Assert.Equal(LadderState.Answered, EscalationLadder.StateOf((await CaseAsync(reference, lead)).Case));
    }

    [Fact]
    public async Task Job_NoAbuseContact_RecordsTheSkipAndWritesToTheCertInTheSameRun()
    {
        var (lead, reference) = await NotifiedCaseAsync("MT", withAbuseContact: false, EscalationSteps.HostingProvider | EscalationSteps.NationalCert);

        _app.Time.Advance(Silence);
        await RunJobAsync();

        var cert = Assert.Single(await EscalationsAsync(reference));
        Assert.Equal("incident@cert-mt.example", cert.To);
        var timeline = await TimelineAsync(reference, lead);
        var skipped = Assert.Single(timeline, e => e.Type == TimelineEventType.EscalationStepSkipped);
        Assert.Contains("no abuse contact", skipped.Text, StringComparison.Ordinal);
        Assert.True(skipped.Sequence < Assert.Single(timeline, e => e.Type == TimelineEventType.Escalated).Sequence);

        _app.Time.Advance(Silence * 3);
        await RunJobAsync();
        Assert.Single(await EscalationsAsync(reference));
        Assert.Equal(LadderState.Finished, EscalationLadder.StateOf((await CaseAsync(reference, lead)).Case));
    }

    [Fact]
    public async Task Job_FollowUpsPaused_HoldTheLadderAndResumingShiftsItByThePause()
    {
        var (lead, reference) = await NotifiedCaseAsync("CY", withAbuseContact: true, EscalationSteps.HostingProvider);
        _app.Time.Advance(TimeSpan.FromDays(5));
        Assert.True((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.PauseAsync(reference, lead.Current))).Succeeded);

        _app.Time.Advance(TimeSpan.FromDays(10));
        await RunJobAsync();
        Assert.Empty(await EscalationsAsync(reference));

        Assert.True((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.ResumeAsync(reference, lead.Current))).Succeeded);
        _app.Time.Advance(TimeSpan.FromDays(9) - TimeSpan.FromMinutes(1));
        await RunJobAsync();
        Assert.Empty(await EscalationsAsync(reference));

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await RunJobAsync();
        Assert.Single(await EscalationsAsync(reference));
    }

    [Fact]
    public async Task Job_LadderOff_NeverWritesToAnyoneButTheOwner()
    {
        var (_, reference) = await NotifiedCaseAsync("EE", withAbuseContact: true, EscalationSteps.None);

        _app.Time.Advance(Silence * 4);
        await RunJobAsync();

        Assert.Empty(await EscalationsAsync(reference));
    }

    [Fact]
    public async Task DraftAsync_PlansEachStepAfterTheSilenceWithItsRecipients()
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("HR", withAbuseContact: false);
        var now = _app.Time.GetUtcNow().UtcDateTime;

        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h =>
            h.DraftAsync(reference, new NotifyOwner.Form { ContactIds = [contactId], EscalationSteps = EscalationLadder.AllRungs }, lead.Current));

        Assert.True(draft.Result.Succeeded, draft.Result.Summary);
        var ladder = draft.Value!.Ladder;
        Assert.Equal(LadderState.Climbing, ladder.State);
        // No abuse contact: the provider step is skipped when due, and the CERT follows at once rather than a silence later.
        Assert.Equal([now + Silence, now + Silence, now + Silence * 2], ladder.Rungs.Select(r => r.DueAt));
        Assert.Empty(ladder.Rungs[0].Recipients);
        Assert.Equal(["incident@cert-hr.example"], ladder.Rungs[1].Recipients);
        Assert.Equal(["complaints@dpa-hr.example"], ladder.Rungs[2].Recipients);
    }

    [Fact]
    public async Task SaveAsync_ChangesTheLadderOnTheTimelineAndRefusesBadInputOrStrangers()
    {
        var (lead, reference) = await NotifiedCaseAsync("SI", withAbuseContact: true, EscalationSteps.HostingProvider);
        var before = (await CaseAsync(reference, lead)).Case.LastEventSequence;

        var tooShort = await SaveAsync(reference, lead, new ManageEscalationLadder.Form { Steps = EscalationLadder.AllRungs, SilenceDays = 0 });
        Assert.Equal(["The silence before each step must be 1 to 90 days."], tooShort.Errors[nameof(ManageEscalationLadder.Form.SilenceDays)]);
        var unknown = await SaveAsync(reference, lead, new ManageEscalationLadder.Form { Steps = (EscalationSteps)64, SilenceDays = 14 });
        Assert.False(unknown.Succeeded);
        var stranger = await _app.CreateResearcherAsync("ladder-stranger");
        Assert.Equal(CommandResult.NotFound.Summary,
            (await SaveAsync(reference, stranger, new ManageEscalationLadder.Form { Steps = EscalationSteps.None, SilenceDays = 14 })).Summary);
        Assert.Equal(before, (await CaseAsync(reference, lead)).Case.LastEventSequence);

        var saved = await SaveAsync(reference, lead, new ManageEscalationLadder.Form { Steps = EscalationSteps.NationalCert, SilenceDays = 21 });

        Assert.True(saved.Succeeded, saved.Summary);
        var after = (await CaseAsync(reference, lead)).Case;
        Assert.Equal((EscalationSteps.NationalCert, (int?)21), (after.EscalationSteps, after.EscalationSilenceDays));
        Assert.Equal("Escalation ladder: the national CERT, each after 21 days without a reply.",
            (await TimelineAsync(reference, lead)).First(e => e.Type == TimelineEventType.EscalationLadderChanged).Text);
        Assert.Contains("already set", (await SaveAsync(reference, lead, new ManageEscalationLadder.Form { Steps = EscalationSteps.NationalCert, SilenceDays = 21 })).Summary,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_EscalationEmail_IsRecordedOnTheCaseChainAsProofOfNotice()
    {
        var (lead, reference) = await NotifiedCaseAsync("LV", withAbuseContact: true, EscalationSteps.HostingProvider);
        _app.Time.Advance(Silence);
        await RunJobAsync();

        await _app.ExecuteAsync<DeliverOutboxJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

        var row = Assert.Single(await EscalationsAsync(reference));
        Assert.Equal(OutboxState.Sent, row.State);
        Assert.Contains(await TimelineAsync(reference, lead), e => e.Type == TimelineEventType.EmailSent && e.Text.Contains(row.MessageId, StringComparison.Ordinal));
    }

    private async Task<(TestUser Lead, string Reference)> NotifiedCaseAsync(string country, bool withAbuseContact, EscalationSteps steps)
    {
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync(country, withAbuseContact);
        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h =>
            h.DraftAsync(reference, new NotifyOwner.Form { ContactIds = [contactId] }, lead.Current));
        Assert.True(draft.Result.Succeeded, draft.Result.Summary);
        var sent = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.SendAsync(reference,
            new NotifyOwner.Form { ContactIds = [contactId], Subject = draft.Value!.Subject, Body = draft.Value.Body, EscalationSteps = steps }, lead.Current));
        Assert.True(sent.Succeeded, sent.Summary);
        return (lead, reference);
    }

    /// <summary>A case about people in <paramref name="country"/>, with its CERT and authority in the directory, ready to notify.</summary>
    private async Task<(TestUser Lead, string Reference, int OwnerContactId)> CaseReadyToNotifyAsync(string country, bool withAbuseContact)
    {
        var code = country.ToLowerInvariant();
        var admin = await _app.CreateAdministratorAsync($"ladder-admin-{code}");
        foreach (var (kind, name, email) in new[]
        {
            (AuthorityKind.NationalCert, $"CERT-{country}", $"incident@cert-{code}.example"),
            (AuthorityKind.DataProtectionAuthority, country == "IS" ? "Persónuvernd" : $"DPA {country}", $"complaints@dpa-{code}.example"),
        })
        {
            var saved = await _app.ExecuteAsync<ManageEscalationDirectory.Handler, CommandResult<int>>(h => h.SaveAsync(null,
                new ManageEscalationDirectory.Form { Kind = kind, CountryCode = country, Name = name, Email = email }, admin.Current));
            Assert.True(saved.Result.Succeeded, saved.Result.Summary);
        }

        var lead = await _app.CreateResearcherAsync($"ladder-{code}");
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Host = "203.0.113.61";
            form.OrganizationName = "Northwind Logistics";
            form.DataCategories = DataCategories.Location;
            form.AffectedCountry = country;
        });
        var contacts = new List<ManageCaseContacts.ContactForm> { new() { Name = "Security team", Email = $"security@owner-{code}.example" } };
        if (withAbuseContact)
        {
            contacts.Add(new() { Name = "Provider abuse desk", Email = $"abuse@provider-{code}.example", Role = EscalationLadder.AbuseContactRole });
        }
        foreach (var contact in contacts)
        {
            var added = await _app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h => h.AddAsync(reference, contact, lead.Current));
            Assert.True(added.Succeeded, added.Summary);
        }
        foreach (var status in new[] { CaseStatus.Triaged, CaseStatus.OwnerIdentified })
        {
            var moved = await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
                h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = status }, lead.Current));
            Assert.True(moved.Succeeded, moved.Summary);
        }
        var ownerContactId = await _app.ExecuteDbContextAsync(db => db.CaseContacts
            .Where(c => c.Email == $"security@owner-{code}.example" && db.Cases.Any(k => k.Id == c.CaseId && k.Reference == reference))
            .Select(c => c.Id).SingleAsync());
        return (lead, reference, ownerContactId);
    }

    private Task RunJobAsync() =>
        _app.ExecuteAsync<EscalateSilentCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

    private Task<List<OutboxMessage>> EscalationsAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.Purpose == OutboxPurpose.Escalation && db.Cases.Any(c => c.Id == m.CaseId && c.Reference == reference))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .ToListAsync());

    private Task<CommandResult> SaveAsync(string reference, TestUser user, ManageEscalationLadder.Form form) =>
        _app.ExecuteAsync<ManageEscalationLadder.Handler, CommandResult>(h => h.SaveAsync(reference, form, user.Current));

    private async Task<GetCase.Details> CaseAsync(string reference, TestUser user) =>
        (await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, user.Current)))!;

    private async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(string reference, TestUser user) =>
        (await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), user.Current)))!.Events;
}
