using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// Administrators' template versions: only validated text by an administrator is stored, the newest version is
/// what every caller renders, and the history keeps everything. The fixture's app and database are shared, so
/// each test puts the shipped default back when it is done.
/// </summary>
public abstract class EditEmailTemplatesTests
{
    private const string CustomInitial = """
        Subject: [{{ case.reference }}] Custom notice for {{ organization.name | default: "you" }}

        Hello {{ recipient.name | default: "there" }},

        CUSTOM-INITIAL-V{{ notification.notices_sent }}: {{ case.endpoint }} is open.
        """;

    private readonly DisclosureDeskFactory _app;

    private EditEmailTemplatesTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : EditEmailTemplatesTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : EditEmailTemplatesTests(app);

    [Fact]
    public async Task SaveAsync_ValidSource_BecomesActiveAndTheNextDraftUsesItUntilReset()
    {
        var admin = await _app.CreateAdministratorAsync("template-admin");
        var (lead, reference, contactId) = await CaseReadyToNotifyAsync("template-draft");
        try
        {
            var saved = await SaveAsync(admin, EmailTemplateId.InitialNotification, CustomInitial, "Shorter first notice");
            Assert.True(saved.Result.Succeeded, saved.Result.Summary);

            var draft = await DraftAsync(reference, lead, contactId);
            Assert.Equal($"[{reference}] Custom notice for Northwind Logistics", draft.Subject);
            Assert.Contains("CUSTOM-INITIAL-V1: 198.51.100.23:27017 is open.", draft.Body, StringComparison.Ordinal);
            // Only the edited template changed: the follow-ups still come from their defaults.
            Assert.Contains("Follow-up", draft.FollowUps[0].Email.Subject, StringComparison.Ordinal);

            // A second save in the same process is used at once: the parsed-template cache never serves the old one.
            var second = await SaveAsync(admin, EmailTemplateId.InitialNotification, CustomInitial.Replace("CUSTOM-INITIAL-V", "CUSTOM-SECOND-V", StringComparison.Ordinal), null);
            Assert.True(second.Result.Succeeded, second.Result.Summary);
            Assert.Equal(saved.Value + 1, second.Value);
            Assert.Contains("CUSTOM-SECOND-V1", (await DraftAsync(reference, lead, contactId)).Body, StringComparison.Ordinal);

            var editor = await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(EmailTemplateId.InitialNotification, admin.Current));
            Assert.True(editor.IsCustomised);
            Assert.Equal(second.Value, editor.ActiveVersion);
            Assert.Equal([second.Value, saved.Value], editor.History.Take(2).Select(h => h.Version));
            Assert.Equal("Shorter first notice", editor.History[1].Note);
            Assert.Equal(admin.DisplayName, editor.History[1].SavedByName);
        }
        finally
        {
            await ResetAsync(admin, EmailTemplateId.InitialNotification);
        }

        var afterReset = await DraftAsync(reference, lead, contactId);
        Assert.Equal($"[{reference}] Exposed MongoDB database at 198.51.100.23:27017", afterReset.Subject);
        var history = await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(EmailTemplateId.InitialNotification, admin.Current));
        Assert.False(history.IsCustomised);
        Assert.True(history.History[0].IsDefault);
        Assert.Contains(history.History, h => !h.IsDefault && h.Note == "Shorter first notice");
    }

    [Fact]
    public async Task SaveAsync_UnknownFieldOnLineFive_IsRefusedWithLineAndReasonAndStoresNothing()
    {
        var admin = await _app.CreateAdministratorAsync("template-invalid");
        var before = await VersionCountAsync();
        var source = CustomInitial.Replace("{{ case.endpoint }}", "{{ case.endpont }}", StringComparison.Ordinal);

        var result = await SaveAsync(admin, EmailTemplateId.InitialNotification, source, null);

        Assert.False(result.Result.Succeeded);
        var message = Assert.Single(result.Result.Errors[nameof(EditEmailTemplates.SaveCommand.Source)]);
        Assert.StartsWith("Line 5: Unknown field 'case.endpont'.", message, StringComparison.Ordinal);
        Assert.Equal(before, await VersionCountAsync());
    }

    [Fact]
    public async Task SaveAsync_UnclosedTag_IsRefusedWithTheLineOfTheParseError()
    {
        var admin = await _app.CreateAdministratorAsync("template-parse");
        var before = await VersionCountAsync();

        var result = await SaveAsync(admin, EmailTemplateId.FollowUp1, "Subject: Hello\n\nLine three\n{% if case.last_seen %}\nno end\n", null);

        Assert.False(result.Result.Succeeded);
        Assert.Matches(@"^Line \d+: ", result.Result.Summary);
        Assert.Equal(before, await VersionCountAsync());
    }

    [Fact]
    public async Task Commands_Researcher_AreRefusedAndStoreNothing()
    {
        var researcher = await _app.CreateResearcherAsync("template-researcher");
        var before = await VersionCountAsync();

        var results = await _app.ExecuteAsync<EditEmailTemplates.Handler, CommandResult<int>[]>(async h =>
        [
            await h.SaveAsync(new EditEmailTemplates.SaveCommand { TemplateId = EmailTemplateId.InitialNotification, Source = CustomInitial }, researcher.Current),
            await h.ResetToDefaultAsync(EmailTemplateId.InitialNotification, 0, researcher.Current),
            await h.RestoreAsync(EmailTemplateId.InitialNotification, 1, 0, researcher.Current),
        ]);

        Assert.All(results, r => Assert.Equal(EditEmailTemplates.AdministratorsOnly, r.Result.Summary));
        Assert.Equal(before, await VersionCountAsync());
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(EmailTemplateId.InitialNotification, researcher.Current)));
    }

    [Fact]
    public async Task SaveAsync_SomeoneSavedSinceTheEditorOpened_IsRefusedAndKeepsTheirVersion()
    {
        var admin = await _app.CreateAdministratorAsync("template-race");
        var other = await _app.CreateAdministratorAsync("template-race-other");
        var openedAt = await ActiveVersionAsync(admin, EmailTemplateId.FollowUp2);
        try
        {
            Assert.True((await SaveAsync(other, EmailTemplateId.FollowUp2, "Subject: Theirs\n\nTheir body\n", null)).Result.Succeeded);

            var mine = await _app.ExecuteAsync<EditEmailTemplates.Handler, CommandResult<int>>(h => h.SaveAsync(new EditEmailTemplates.SaveCommand
            {
                TemplateId = EmailTemplateId.FollowUp2,
                Source = "Subject: Mine\n\nMy body\n",
                BasedOnVersion = openedAt,
            }, admin.Current));

            Assert.False(mine.Result.Succeeded);
            Assert.Contains($"saved version {openedAt + 1}", mine.Result.Summary, StringComparison.Ordinal);
            var editor = await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(EmailTemplateId.FollowUp2, admin.Current));
            Assert.StartsWith("Subject: Theirs", editor.Source, StringComparison.Ordinal);
        }
        finally
        {
            await ResetAsync(admin, EmailTemplateId.FollowUp2);
        }
    }

    [Fact]
    public async Task RestoreAsync_EarlierVersion_SavesItsTextAgainAsTheNewestVersion()
    {
        var admin = await _app.CreateAdministratorAsync("template-restore");
        try
        {
            var first = await SaveAsync(admin, EmailTemplateId.Escalation, "Subject: First\n\nFirst body\n", null);
            var second = await SaveAsync(admin, EmailTemplateId.Escalation, "Subject: Second\n\nSecond body\n", null);
            Assert.True(second.Result.Succeeded, second.Result.Summary);

            var restored = await _app.ExecuteAsync<EditEmailTemplates.Handler, CommandResult<int>>(h =>
                h.RestoreAsync(EmailTemplateId.Escalation, first.Value, second.Value, admin.Current));

            Assert.True(restored.Result.Succeeded, restored.Result.Summary);
            Assert.Equal(second.Value + 1, restored.Value);
            var editor = await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(EmailTemplateId.Escalation, admin.Current));
            Assert.Equal("Subject: First\n\nFirst body\n", editor.Source);
            Assert.Equal(first.Value, editor.History[0].RestoredFromVersion);
            Assert.Equal([restored.Value, second.Value, first.Value], editor.History.Take(3).Select(h => h.Version));
        }
        finally
        {
            await ResetAsync(admin, EmailTemplateId.Escalation);
        }
    }

    [Fact]
    public async Task PasswordResetEmail_WithAnAdministratorsVersion_IsRenderedFromIt()
    {
        var admin = await _app.CreateAdministratorAsync("template-account");
        var user = await _app.CreateResearcherAsync("template-reset");
        try
        {
            var saved = await SaveAsync(admin, EmailTemplateId.ResetPassword,
                "Subject: {{ site_name }}: new password for {{ user.name }}\n\nCUSTOM-RESET {{ link }}\n", null);
            Assert.True(saved.Result.Succeeded, saved.Result.Summary);

            await _app.ExecuteScopeAsync(async services =>
            {
                await services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(
                    new ApplicationUser { DisplayName = "Reset Person" }, user.Email, "https://disclosuredesk.example/Account/ResetPassword?code=abc&amp;userId=42");
                return true;
            });

            var row = await _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking()
                .Where(m => m.To == user.Email).OrderByDescending(m => m.Id).FirstAsync(TestContext.Current.CancellationToken));
            Assert.Equal("DisclosureDesk: new password for Reset Person", row.Subject);
            var message = MimeKit.MimeMessage.Load(new MemoryStream(row.Content), TestContext.Current.CancellationToken);
            Assert.Equal("CUSTOM-RESET https://disclosuredesk.example/Account/ResetPassword?code=abc&userId=42", message.TextBody?.Trim());
        }
        finally
        {
            await ResetAsync(admin, EmailTemplateId.ResetPassword);
        }
    }

    [Fact]
    public async Task SaveChanges_TemplateVersionEdited_IsRefusedBecauseHistoryIsAppendOnly()
    {
        var admin = await _app.CreateAdministratorAsync("template-append-only");
        try
        {
            var saved = await SaveAsync(admin, EmailTemplateId.DeadlineReminder, "Subject: Reminder\n\nOriginal\n", null);
            Assert.True(saved.Result.Succeeded, saved.Result.Summary);

            var refusal = await _app.ExecuteDbContextAsync(async db =>
            {
                var version = await db.EmailTemplateVersions.SingleAsync(v => v.TemplateId == EmailTemplateId.DeadlineReminder && v.Version == saved.Value, TestContext.Current.CancellationToken);
                version.Source = "Subject: Rewritten\n\nHistory\n";
                return await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
            });

            Assert.Contains("template history is append-only", refusal.Message, StringComparison.Ordinal);
            Assert.StartsWith("Subject: Reminder", (await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h =>
                h.GetAsync(EmailTemplateId.DeadlineReminder, admin.Current))).Source, StringComparison.Ordinal);
        }
        finally
        {
            await ResetAsync(admin, EmailTemplateId.DeadlineReminder);
        }
    }

    private Task<CommandResult<int>> SaveAsync(TestUser admin, EmailTemplateId id, string source, string? note) =>
        _app.ExecuteAsync<EditEmailTemplates.Handler, CommandResult<int>>(async h => await h.SaveAsync(new EditEmailTemplates.SaveCommand
        {
            TemplateId = id,
            Source = source,
            Note = note,
            BasedOnVersion = (await h.GetAsync(id, admin.Current)).ActiveVersion,
        }, admin.Current));

    private Task<int> ActiveVersionAsync(TestUser admin, EmailTemplateId id) =>
        _app.ExecuteAsync<EditEmailTemplates.Handler, int>(async h => (await h.GetAsync(id, admin.Current)).ActiveVersion);

    /// <summary>Puts the shipped default back, so the other tests of the shared app render what they expect.</summary>
    private async Task ResetAsync(TestUser admin, EmailTemplateId id)
    {
        var editor = await _app.ExecuteAsync<EditEmailTemplates.Handler, EditEmailTemplates.Editor>(h => h.GetAsync(id, admin.Current));
        if (editor.IsCustomised)
        {
            var reset = await _app.ExecuteAsync<EditEmailTemplates.Handler, CommandResult<int>>(h => h.ResetToDefaultAsync(id, editor.ActiveVersion, admin.Current));
            Assert.True(reset.Result.Succeeded, reset.Result.Summary);
        }
    }

    private Task<int> VersionCountAsync() => _app.ExecuteDbContextAsync(db => db.EmailTemplateVersions.CountAsync(TestContext.Current.CancellationToken));

    private async Task<NotifyOwner.Draft> DraftAsync(string reference, TestUser lead, int contactId)
    {
        var draft = await _app.ExecuteAsync<NotifyOwner.Handler, CommandResult<NotifyOwner.Draft>>(h =>
            h.DraftAsync(reference, new NotifyOwner.Form { ContactIds = [contactId] }, lead.Current));
        Assert.True(draft.Result.Succeeded, draft.Result.Summary);
        return draft.Value!;
    }

    private async Task<(TestUser Lead, string Reference, int ContactId)> CaseReadyToNotifyAsync(string label)
    {
        var lead = await _app.CreateResearcherAsync(label);
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Host = "198.51.100.23";
            form.OrganizationName = "Northwind Logistics";
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
        var contactId = await _app.ExecuteDbContextAsync(db => db.CaseContacts
            .Where(c => db.Cases.Any(k => k.Id == c.CaseId && k.Reference == reference)).Select(c => c.Id).SingleAsync());
        return (lead, reference, contactId);
    }
}
