using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Responses;

/// <summary>An owner's answer logged by hand: recorded on the chain, ending the chase, refused when it is not an answer.</summary>
public abstract class LogResponseTests
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private readonly DisclosureDeskFactory _app;

    private LogResponseTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : LogResponseTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : LogResponseTests(app);

    [Fact]
    public async Task LogAsync_AcknowledgedByPhone_StopsTheFollowUpsAndNoResponseAndSuggestsAcknowledged()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("phone-ack", "security@northwind.example");
        _app.Time.Advance(TimeSpan.FromDays(3));
        var researcher = lead.Current with { TimeZone = Amsterdam };
        var respondedAt = UserTimeZones.ToLocal(_app.Time.GetUtcNow().UtcDateTime.AddHours(-2), Amsterdam);
        var form = new LogResponse.Form
        {
            Channel = ResponseChannel.Phone,
            Meaning = ResponseMeaning.Acknowledged,
            RespondedBy = "Dana, Northwind IT operations",
            RespondedAt = respondedAt,
            Summary = "Confirmed the server is theirs; closing the port today.",
            VerbatimText = "Thanks for the heads-up.\r\nWe are on it.",
        };

        var logged = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h => h.LogAsync(reference, form, researcher));

        Assert.True(logged.Result.Succeeded, logged.Result.Summary);
        Assert.Equal(CaseStatus.Acknowledged, logged.Value!.SuggestedStatus);
        Assert.Equal(FollowUpSchedule.Steps.Count, logged.Value.FollowUpsCancelled);
        Assert.All(await FollowUpsAsync(reference), r => Assert.Equal(OutboxState.Cancelled, r.State));

        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(CaseStatus.Notified, details!.Case.Status);
        Assert.Equal(UserTimeZones.ToUtc(respondedAt, Amsterdam), details.Case.FirstResponseAt);
        Assert.Null(details.Case.NoResponseAt);
        Assert.True(details.Chain.IsValid, details.Chain.Problem);

        var response = Assert.Single((await _app.ExecuteAsync<LogResponse.Handler, IReadOnlyList<LogResponse.Entry>?>(h => h.ListAsync(reference, lead.Current)))!);
        Assert.Equal("Thanks for the heads-up.\nWe are on it.", response.VerbatimText);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(response.VerbatimText!))), response.VerbatimSha256);
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var recorded = Assert.Single(timeline!.Events, e => e.Type == TimelineEventType.ResponseLogged);
        Assert.Equal(response.EventSequence, recorded.Sequence);
        Assert.Equal(EventVisibility.Owner, recorded.Visibility);
        Assert.Contains("Dana, Northwind IT operations (phone)", recorded.Text, StringComparison.Ordinal);
        Assert.Contains(response.VerbatimSha256!, recorded.Text, StringComparison.Ordinal);
        Assert.Equal(TimelineEventType.FollowUpsChanged, timeline.Events[0].Type);
        Assert.Contains("the owner responded (acknowledged, phone)", timeline.Events[0].Text, StringComparison.Ordinal);

        _app.Time.Advance(TimeSpan.FromDays(30));
        await _app.ExecuteAsync<MarkUnansweredCasesJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });
        Assert.Equal(CaseStatus.Notified, (await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current)))!.Case.Status);
        Assert.False((await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.PauseAsync(reference, lead.Current))).Succeeded);
    }

    [Fact]
    public async Task LogAsync_WithAttachments_KeepsThemAsEncryptedEvidenceInTheSameChange()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("attachments", "security@northwind.example");
        var form = new LogResponse.Form { Channel = ResponseChannel.WebForm, RespondedBy = "Northwind support portal", RespondedAt = _app.Time.GetUtcNow().UtcDateTime, Summary = "Ticket opened." };
        var ticket = "Ticket #4711: we are investigating the exposed database.\n"u8.ToArray();

        var logged = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h =>
            h.LogAsync(reference, form, lead.Current, [new LogResponse.Attachment("ticket.txt", new MemoryStream(ticket))]));

        Assert.True(logged.Result.Succeeded, logged.Result.Summary);
        var response = Assert.Single((await _app.ExecuteAsync<LogResponse.Handler, IReadOnlyList<LogResponse.Entry>?>(h => h.ListAsync(reference, lead.Current)))!);
        var file = Assert.Single((await _app.ExecuteAsync<ManageEvidence.Handler, IReadOnlyList<ManageEvidence.Entry>?>(h => h.ListAsync(reference, lead.Current)))!);
        Assert.Equal((EvidenceKind.Correspondence, "ticket.txt", Convert.ToHexStringLower(SHA256.HashData(ticket))), (file.Kind, file.FileName, file.Sha256));
        Assert.Equal(response.EventSequence, logged.Value!.EventSequence);
        Assert.Contains($"event #{response.EventSequence}", file.Description, StringComparison.Ordinal);
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var attached = Assert.Single(timeline!.Events, e => e.Sequence == file.EventSequence);
        Assert.Equal(TimelineEventType.EvidenceAdded, attached.Type);
        Assert.Contains(file.Sha256, attached.Text, StringComparison.Ordinal);
        Assert.True(attached.Sequence > response.EventSequence);
        var download = await _app.ExecuteAsync<ManageEvidence.Handler, ManageEvidence.Download?>(h => h.DownloadAsync(reference, file.Id, lead.Current));
        Assert.Equal(ticket, download!.Content);
    }

    [Fact]
    public async Task LogAsync_WithARefusedAttachment_LogsNothing()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("bad-attachment", "security@northwind.example");
        var before = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        var form = new LogResponse.Form { RespondedBy = "Ops", RespondedAt = _app.Time.GetUtcNow().UtcDateTime, Summary = "See attached." };

        var refused = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h =>
            h.LogAsync(reference, form, lead.Current,
                [new LogResponse.Attachment("reply.txt", new MemoryStream("fine"u8.ToArray())), new LogResponse.Attachment("payload.html", new MemoryStream("<script>x</script>"u8.ToArray()))]));

        Assert.Contains("\"payload.html\"", refused.Result.Summary, StringComparison.Ordinal);
        var after = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(before!.Case.LastEventSequence, after!.Case.LastEventSequence);
        Assert.Empty((await _app.ExecuteAsync<ManageEvidence.Handler, IReadOnlyList<ManageEvidence.Entry>?>(h => h.ListAsync(reference, lead.Current)))!);
        Assert.All(await FollowUpsAsync(reference), r => Assert.Equal(OutboxState.Scheduled, r.State));
    }

    [Fact]
    public async Task LogAsync_AutomaticReply_IsRecordedButTheOwnerIsStillChased()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("auto-reply", "security@northwind.example");

        var logged = await LogAsync(reference, lead.Current, ResponseMeaning.AutomaticReply, "Out of office until Monday.");

        Assert.True(logged.Result.Succeeded, logged.Result.Summary);
        Assert.Null(logged.Value!.SuggestedStatus);
        Assert.Equal(0, logged.Value.FollowUpsCancelled);
        Assert.All(await FollowUpsAsync(reference), r => Assert.Equal(OutboxState.Scheduled, r.State));
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Null(details!.Case.FirstResponseAt);
        Assert.NotNull(details.Case.NoResponseAt);
    }

    [Fact]
    public async Task LogAsync_FixedAfterAcknowledgement_SuggestsMitigatedAndKeepsTheFirstResponseTime()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("fixed", "security@northwind.example");
        Assert.True((await LogAsync(reference, lead.Current, ResponseMeaning.Acknowledged, "Looking into it.")).Result.Succeeded);
        var firstResponse = (await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current)))!.Case.FirstResponseAt;
        Assert.True((await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Acknowledged }, lead.Current))).Succeeded);
        _app.Time.Advance(TimeSpan.FromDays(2));

        var fixedResponse = await LogAsync(reference, lead.Current, ResponseMeaning.Fixed, "Firewalled the port.");

        Assert.Equal(CaseStatus.Mitigated, fixedResponse.Value!.SuggestedStatus);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(firstResponse, details!.Case.FirstResponseAt);
        Assert.Equal(2, (await _app.ExecuteAsync<LogResponse.Handler, IReadOnlyList<LogResponse.Entry>?>(h => h.ListAsync(reference, lead.Current)))!.Count);
    }

    [Fact]
    public async Task LogAsync_BadInputOrStranger_IsRefusedAndWritesNothing()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("refused-response", "security@northwind.example");
        var before = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        var now = _app.Time.GetUtcNow().UtcDateTime;
        LogResponse.Form Valid() => new() { RespondedBy = "Ops", RespondedAt = now, Summary = "Acknowledged." };

        var future = Valid();
        future.RespondedAt = now.AddHours(1);
        var nobody = Valid();
        nobody.RespondedBy = " ";
        var noWhen = Valid();
        noWhen.RespondedAt = null;
        var unknownMeaning = Valid();
        unknownMeaning.Meaning = (ResponseMeaning)42;
        var tooLong = Valid();
        tooLong.VerbatimText = new string('x', ResponseLimits.VerbatimLength + 1);
        foreach (var (form, field) in new[]
        {
            (future, nameof(LogResponse.Form.RespondedAt)),
            (nobody, nameof(LogResponse.Form.RespondedBy)),
            (noWhen, nameof(LogResponse.Form.RespondedAt)),
            (unknownMeaning, nameof(LogResponse.Form.Meaning)),
            (tooLong, nameof(LogResponse.Form.VerbatimText)),
        })
        {
            var refused = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h => h.LogAsync(reference, form, lead.Current));
            Assert.True(refused.Result.Errors.ContainsKey(field), $"{field}: {refused.Result.Summary}");
        }
        var stranger = await _app.CreateResearcherAsync("response-stranger");
        var hidden = await _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h => h.LogAsync(reference, Valid(), stranger.Current));
        Assert.Equal(CommandResult.NotFound.Summary, hidden.Result.Summary);
        Assert.Null(await _app.ExecuteAsync<LogResponse.Handler, IReadOnlyList<LogResponse.Entry>?>(h => h.ListAsync(reference, stranger.Current)));

        var after = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(before!.Case.LastEventSequence, after!.Case.LastEventSequence);
        Assert.False(await _app.ExecuteDbContextAsync(db => db.VendorResponses.AnyAsync(r => r.CaseId == after.Case.Id)));
        Assert.All(await FollowUpsAsync(reference), r => Assert.Equal(OutboxState.Scheduled, r.State));
    }

    [Fact]
    public async Task SaveChanges_EditingOrDeletingALoggedResponse_IsRefused()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("append-only-response", "security@northwind.example");
        Assert.True((await LogAsync(reference, lead.Current, ResponseMeaning.Disputed, "Says it is a honeypot.")).Result.Succeeded);

        var edit = await Assert.ThrowsAsync<InvalidOperationException>(() => _app.ExecuteDbContextAsync(async db =>
        {
            var response = await db.VendorResponses.SingleAsync(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference));
            response.Summary = "Acknowledged.";
            return await db.SaveChangesAsync();
        }));
        Assert.Contains("log a correcting response instead", edit.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _app.ExecuteDbContextAsync(async db =>
        {
            db.VendorResponses.Remove(await db.VendorResponses.SingleAsync(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference)));
            return await db.SaveChangesAsync();
        }));
    }

    private Task<CommandResult<LogResponse.Outcome>> LogAsync(string reference, CurrentUser user, ResponseMeaning meaning, string summary) =>
        _app.ExecuteAsync<LogResponse.Handler, CommandResult<LogResponse.Outcome>>(h => h.LogAsync(reference, new LogResponse.Form
        {
            Channel = ResponseChannel.Email,
            Meaning = meaning,
            RespondedBy = "security@northwind.example",
            RespondedAt = _app.Time.GetUtcNow().UtcDateTime,
            Summary = summary,
        }, user));

    private Task<List<OutboxMessage>> FollowUpsAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.DueAt > m.CreatedAt && db.Cases.Any(c => c.Id == m.CaseId && c.Reference == reference))
            .ToListAsync());
}
