using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Cases;

/// <summary>A case from filing to reopening, and its audit chain, on each supported database.</summary>
public abstract class CaseLifecycleTests
{
    private readonly DisclosureDeskFactory _app;

    private CaseLifecycleTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : CaseLifecycleTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : CaseLifecycleTests(app);

    [Fact]
    public async Task Case_FiledEditedTriagedRejectedAndReopened_KeepsAValidChainOfEveryChange()
    {
        var lead = await _app.CreateResearcherAsync("lead");
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Title = "Redis without a password";
            form.Service = ServiceEngine.Redis;
            form.Host = "cache.lifecycle.example";
            form.Port = 6379;
            form.Severity = Severity.Medium;
        });

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var editedAt = _app.Time.GetUtcNow().UtcDateTime;
        var original = await GetAsync(reference, lead);
        var form = CaseForm.From(original.Case);
        form.Title = "Redis without a password, 2 million sessions";
        form.Severity = Severity.Critical;
        Succeeded(await _app.ExecuteAsync<EditCase.Handler, CommandResult>(h => h.HandleAsync(reference, form, lead.Current)));

        Succeeded(await ChangeStatusAsync(reference, lead, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Triaged }));

        var beforeRefusals = await GetAsync(reference, lead);
        var skipAhead = await ChangeStatusAsync(reference, lead, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Closed });
        Assert.Equal("A case cannot move from Triaged to Closed; it can move to Owner identified, Rejected.",
            Assert.Single(skipAhead.Errors[nameof(ChangeCaseStatus.Command.NewStatus)]));
        var rejectWithoutReason = await ChangeStatusAsync(reference, lead, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Rejected });
        Assert.Equal("Say why the case is rejected: invalid or duplicate.",
            Assert.Single(rejectWithoutReason.Errors[nameof(ChangeCaseStatus.Command.RejectionReason)]));
        var afterRefusals = await GetAsync(reference, lead);
        Assert.Equal(CaseStatus.Triaged, afterRefusals.Case.Status);
        Assert.Equal(beforeRefusals.Case.LastEventSequence, afterRefusals.Case.LastEventSequence);
        Assert.Equal(beforeRefusals.Case.LastEventHash, afterRefusals.Case.LastEventHash);
        Assert.Equal(beforeRefusals.Case.UpdatedAt, afterRefusals.Case.UpdatedAt);
        Assert.Equal(beforeRefusals.Chain.EventCount, await CountEventsAsync(reference));

        Succeeded(await ChangeStatusAsync(reference, lead,
            new ChangeCaseStatus.Command { NewStatus = CaseStatus.Rejected, RejectionReason = RejectionReason.Invalid, Note = "Honeypot." }));
        Assert.False((await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h => h.ReopenAsync(reference, " ", lead.Current))).Succeeded);
        Succeeded(await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
            h.ReopenAsync(reference, "Not a honeypot after all: real customer data.", lead.Current)));

        var details = await GetAsync(reference, lead);
        Assert.Equal(CaseStatus.Triaged, details.Case.Status);
        Assert.Null(details.Case.RejectionReason);
        Assert.True(details.Chain.IsValid, details.Chain.Problem);
        Assert.Equal(5, details.Chain.EventCount);
        Assert.Equal(5, details.Case.LastEventSequence);

        var events = await TimelineAsync(reference, lead);
        Assert.Equal(
            [TimelineEventType.CaseCreated, TimelineEventType.FieldsChanged, TimelineEventType.StatusChanged, TimelineEventType.StatusChanged, TimelineEventType.CaseReopened],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(lead.Id, e.ActorId));
        var edit = events[1];
        Assert.Equal(editedAt, edit.OccurredAt);
        Assert.Equal(
            [
                new FieldChange("Title", "Redis without a password", "Redis without a password, 2 million sessions"),
                new FieldChange("Severity", "Medium", "Critical"),
            ],
            CaseTimeline.ReadChanges(edit.Changes));
        Assert.Equal([new FieldChange("Status", "New", "Triaged")], CaseTimeline.ReadChanges(events[2].Changes));
        Assert.Equal([new FieldChange("Status", "Triaged", "Rejected")], CaseTimeline.ReadChanges(events[3].Changes));
        Assert.Contains("as invalid", events[3].Text, StringComparison.Ordinal);
        Assert.Equal([new FieldChange("Status", "Rejected", "Triaged")], CaseTimeline.ReadChanges(events[4].Changes));
    }

    [Fact]
    public async Task AddCaseNote_ByMember_AppendsNoteWithItsVisibilityAndBlankNoteWritesNothing()
    {
        var lead = await _app.CreateResearcherAsync("note-lead");
        var reference = await _app.CreateCaseAsync(lead, form => form.Host = "notes.lifecycle.example");

        var blank = await _app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new AddCaseNote.Command { Text = "   " }, lead.Current));
        Assert.False(blank.Succeeded);
        Assert.Equal(1, await CountEventsAsync(reference));

        Succeeded(await _app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new AddCaseNote.Command { Text = "Called the hosting provider's NOC.", Visibility = EventVisibility.Owner }, lead.Current)));

        var details = await GetAsync(reference, lead);
        Assert.True(details.Chain.IsValid);
        Assert.Equal(2, details.Chain.EventCount);
        var page = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var note = page!.Events[0];
        Assert.Equal(TimelineEventType.NoteAdded, note.Type);
        Assert.Equal(EventVisibility.Owner, note.Visibility);
        Assert.Equal("Called the hosting provider's NOC.", note.Text);
    }

    [Fact]
    public async Task VerifyAuditCommand_UntamperedDatabase_ExitsZeroWithOk()
    {
        var lead = await _app.CreateResearcherAsync("lead");
        await _app.CreateCaseAsync(lead);

        var run = await _app.RunCommandLineAsync("verify-audit");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}{run.Output}");
        Assert.Matches(@"(?m)^OK: \d+ case\(s\), \d+ timeline event\(s\); every audit chain verifies\.$", run.Output);
    }

    [Fact]
    public async Task GetCase_EventTextRewrittenWithSql_ReportsBrokenChainAndVerifyAuditCommandFails()
    {
        var lead = await _app.CreateResearcherAsync("lead");
        var reference = await _app.CreateCaseAsync(lead);
        var form = CaseForm.From((await GetAsync(reference, lead)).Case);
        form.RecordCount = 120_000;
        Succeeded(await _app.ExecuteAsync<EditCase.Handler, CommandResult>(h => h.HandleAsync(reference, form, lead.Current)));
        var edit = (await TimelineAsync(reference, lead))[1];

        await RewriteTextAsync(edit.Id, "Changed nothing of interest.");
        try
        {
            var details = await GetAsync(reference, lead);
            Assert.False(details.Chain.IsValid);
            Assert.Equal(edit.Id, details.Chain.BrokenEventId);
            Assert.Equal(2, details.Chain.BrokenSequence);
            Assert.Contains("the event was altered", details.Chain.Problem, StringComparison.Ordinal);

            var run = await _app.RunCommandLineAsync("verify-audit");

            Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}: {run.Error}{run.Output}");
            Assert.Contains($"BROKEN: case {reference}: event #2 (id {edit.Id})", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            // The other tests of the collection share this database and expect every chain to verify.
            await RewriteTextAsync(edit.Id, edit.Text);
        }
        Assert.True((await GetAsync(reference, lead)).Chain.IsValid);
    }

    private Task<int> RewriteTextAsync(long eventId, string text) =>
        _app.ExecuteDbContextAsync(db => db.Database.ExecuteSqlRawAsync(
            """UPDATE "TimelineEvents" SET "Text" = {0} WHERE "Id" = {1}""", [text, eventId], TestContext.Current.CancellationToken));

    private async Task<GetCase.Details> GetAsync(string reference, TestUser user) =>
        await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, user.Current))
        ?? throw new InvalidOperationException($"{user.Email} cannot see {reference}.");

    /// <summary>The case's events, oldest first, read the way the case page reads them.</summary>
    private async Task<List<TimelineEvent>> TimelineAsync(string reference, TestUser user)
    {
        var page = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), user.Current));
        return [.. page!.Events.OrderBy(e => e.Sequence)];
    }

    private Task<int> CountEventsAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.TimelineEvents.CountAsync(e => db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference)));

    private Task<CommandResult> ChangeStatusAsync(string reference, TestUser user, ChangeCaseStatus.Command command) =>
        _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h => h.HandleAsync(reference, command, user.Current));

    private static void Succeeded(CommandResult result) => Assert.True(result.Succeeded, result.Summary);
}
