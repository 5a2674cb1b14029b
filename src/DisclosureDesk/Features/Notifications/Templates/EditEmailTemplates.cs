using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Fluid;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// What administrators do to email templates: read them with their history, preview an edit against a case,
/// save a validated version, reset to the shipped default or restore an earlier version. Every change is a new
/// version; none is edited or removed.
/// </summary>
public static class EditEmailTemplates
{
    public const string AdministratorsOnly = "Only administrators edit email templates.";

    /// <param name="Version">The active version, 0 when none was ever saved.</param>
    /// <param name="Problems">Why the active version no longer validates (a release renamed a field); the default is sent meanwhile.</param>
    public sealed record TemplateSummary(
        EmailTemplateId Id, int Version, bool IsCustomised, DateTime? SavedAt, string? SavedByName, IReadOnlyList<TemplateError> Problems);

    public sealed record HistoryEntry(int Version, DateTime SavedAt, string SavedByName, string? Note, bool IsDefault, int? RestoredFromVersion);

    /// <param name="Source">The text emails are rendered from now: the active version's, or the shipped default.</param>
    public sealed record Editor(EmailTemplateId Id, string Source, int ActiveVersion, bool IsCustomised, IReadOnlyList<HistoryEntry> History);

    /// <summary>What a preview renders with: a case's model, or a sample; <paramref name="Description"/> says which.</summary>
    public sealed record PreviewModel(object Model, string Description);

    /// <param name="RenderError">Set when the template validates but rendering it failed (e.g. it loops too long).</param>
    public sealed record Preview(IReadOnlyList<TemplateError> Errors, RenderedEmail? Email, string? RenderError)
    {
        public bool IsValid => Errors.Count == 0 && RenderError is null;
    }

    public sealed class SaveCommand
    {
        public EmailTemplateId TemplateId { get; set; }
        public string Source { get; set; } = "";

        [StringLength(EmailTemplateLimits.NoteLength, ErrorMessage = "The note can be at most {1} characters.")]
        public string? Note { get; set; }

        /// <summary>The version the administrator started from (0 when none was saved); saving over a newer one is refused.</summary>
        public int BasedOnVersion { get; set; }
    }

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        EmailTemplateRenderer renderer,
        IOptions<EmailOptions> emailOptions,
        TimeProvider time)
    {
        public async Task<IReadOnlyList<TemplateSummary>> ListAsync(CurrentUser user, CancellationToken cancellationToken = default)
        {
            RequireAdministrator(user);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var active = await db.EmailTemplateVersions.AsNoTracking()
                .Where(v => v.Version == db.EmailTemplateVersions.Where(w => w.TemplateId == v.TemplateId).Max(w => w.Version))
                .ToDictionaryAsync(v => v.TemplateId, cancellationToken);
            return Enum.GetValues<EmailTemplateId>().Select(id => active.TryGetValue(id, out var v)
                    ? new TemplateSummary(id, v.Version, !v.IsDefault, v.SavedAt, v.SavedByName,
                        v.Source is null ? [] : TemplateValidator.Validate(id, v.Source).Errors)
                    : new TemplateSummary(id, 0, false, null, null, []))
                .ToList();
        }

        public async Task<Editor> GetAsync(EmailTemplateId id, CurrentUser user, CancellationToken cancellationToken = default)
        {
            RequireAdministrator(user);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var versions = await db.EmailTemplateVersions.AsNoTracking()
                .Where(v => v.TemplateId == id)
                .OrderByDescending(v => v.Version)
                .ToListAsync(cancellationToken);
            var active = versions.FirstOrDefault();
            return new Editor(
                id,
                active?.Source ?? EmailTemplateCatalog.DefaultSource(id),
                active?.Version ?? 0,
                active is { IsDefault: false },
                versions.Select(v => new HistoryEntry(v.Version, v.SavedAt, v.SavedByName, v.Note, v.IsDefault, v.RestoredFromVersion)).ToList());
        }

        /// <summary>Saves <see cref="SaveCommand.Source"/> as the template's new active version, if it validates.</summary>
        public Task<CommandResult<int>> SaveAsync(SaveCommand command, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(command);
            return errors.Count > 0
                ? Task.FromResult<CommandResult<int>>(CommandResult.Fail(errors))
                : AppendAsync(command.TemplateId, command.Source, command.Note, command.BasedOnVersion, null, user, cancellationToken);
        }

        /// <summary>Makes the shipped default active again, as a new version, so the history keeps what was replaced.</summary>
        public Task<CommandResult<int>> ResetToDefaultAsync(EmailTemplateId id, int basedOnVersion, CurrentUser user, CancellationToken cancellationToken = default) =>
            AppendAsync(id, null, "Reset to the shipped default.", basedOnVersion, null, user, cancellationToken);

        /// <summary>Saves an earlier version's text (or its reset) again as the newest version.</summary>
        public async Task<CommandResult<int>> RestoreAsync(EmailTemplateId id, int version, int basedOnVersion, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsAdministrator)
            {
                return CommandResult.Fail(AdministratorsOnly);
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var earlier = await db.EmailTemplateVersions.AsNoTracking()
                .Where(v => v.TemplateId == id && v.Version == version)
                .Select(v => new { v.Source })
                .SingleOrDefaultAsync(cancellationToken);
            return earlier is null
                ? CommandResult.Fail($"There is no version {version} of this template.")
                : await AppendAsync(id, earlier.Source, $"Restored version {version}.", basedOnVersion, version, user, cancellationToken);
        }

        /// <summary>
        /// The model a preview renders: the case <paramref name="reference"/> as its owner would be told about it
        /// now (a sample case when none is given), or a sample account for the account emails. Null when the user
        /// may not see the case.
        /// </summary>
        public async Task<PreviewModel?> PreviewModelAsync(
            EmailTemplateId id, string? reference, CurrentUser user, string siteBaseUrl, CancellationToken cancellationToken = default)
        {
            RequireAdministrator(user);
            if (id.ModelType() == typeof(AccountEmailModel))
            {
                return new PreviewModel(SampleAccount(id, user, siteBaseUrl), "a sample account");
            }
            if (id.ModelType() == typeof(OverdueDigestModel))
            {
                return new PreviewModel(SampleDigest(user, siteBaseUrl), "a sample digest");
            }
            if (string.IsNullOrWhiteSpace(reference))
            {
                return new PreviewModel(NotificationModel.Create(SampleCase(), Parameters(id, SampleCase(), user, siteBaseUrl)), "a sample case");
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var @case = await db.CasesVisibleTo(user).AsNoTracking().Include(c => c.Contacts)
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);
            return @case is null
                ? null
                : new PreviewModel(NotificationModel.Create(@case, Parameters(id, @case, user, siteBaseUrl)), $"{@case.Reference} · {@case.Title}");
        }

        /// <summary>Validates <paramref name="source"/> and, if it is valid, renders it with <paramref name="model"/>.</summary>
        public Preview Preview(EmailTemplateId id, string source, object model)
        {
            var validation = TemplateValidator.Validate(id, source.ReplaceLineEndings("\n"));
            if (validation.Template is not { } template)
            {
                return new Preview(validation.Errors, null, null);
            }
            return TryRender(template, model, out var email, out var error)
                ? new Preview([], email, null)
                : new Preview([], null, error);
        }

        private async Task<CommandResult<int>> AppendAsync(
            EmailTemplateId id, string? source, string? note, int basedOnVersion, int? restoredFrom, CurrentUser user, CancellationToken cancellationToken)
        {
            if (!user.IsAdministrator)
            {
                return CommandResult.Fail(AdministratorsOnly);
            }
            if (!Enum.IsDefined(id))
            {
                return CommandResult.Fail("There is no such email template.");
            }
            if (source is not null)
            {
                source = source.ReplaceLineEndings("\n");
                if (source.Length > EmailTemplateLimits.SourceLength)
                {
                    return CommandResult.Fail($"The template can be at most {EmailTemplateLimits.SourceLength:N0} characters.", nameof(SaveCommand.Source));
                }
                var validation = TemplateValidator.Validate(id, source);
                if (validation.Template is not { } template)
                {
                    return CommandResult.Fail(validation.Errors.Select(e => new ValidationResult(e.ToString(), [nameof(SaveCommand.Source)])));
                }
                // Validation cannot see a loop that runs too long; one render against a sample can.
                const string sampleSite = "https://disclosuredesk.example/";
                var sample = id.ModelType() == typeof(AccountEmailModel) ? SampleAccount(id, user, sampleSite)
                    : id.ModelType() == typeof(OverdueDigestModel) ? SampleDigest(user, sampleSite)
                    : (object)NotificationModel.Create(SampleCase(), Parameters(id, SampleCase(), user, sampleSite));
                if (!TryRender(template, sample, out _, out var renderError))
                {
                    return CommandResult.Fail(renderError, nameof(SaveCommand.Source));
                }
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var newest = await db.EmailTemplateVersions.AsNoTracking()
                .Where(v => v.TemplateId == id)
                .OrderByDescending(v => v.Version)
                .FirstOrDefaultAsync(cancellationToken);
            var current = newest?.Version ?? 0;
            if (current != basedOnVersion)
            {
                return CommandResult.Fail(
                    $"{newest?.SavedByName ?? "Someone"} saved version {current} of this template at {newest?.SavedAt:yyyy-MM-dd HH:mm} UTC, after you opened it. " +
                    "Copy your text, reload the page and apply your change to their version.");
            }
            if (source is null && newest is null or { IsDefault: true })
            {
                return CommandResult.Fail("The template already is the shipped default.");
            }
            if (source is not null && source == (newest?.Source ?? (newest is null or { IsDefault: true } ? EmailTemplateCatalog.DefaultSource(id) : null)))
            {
                return CommandResult.Fail("Nothing to save: this is the text emails are already rendered from.");
            }

            db.EmailTemplateVersions.Add(new EmailTemplateVersion
            {
                TemplateId = id,
                Version = current + 1,
                Source = source,
                SavedAt = time.GetUtcNow().UtcDateTime,
                SavedById = user.Id,
                SavedByName = user.Name,
                Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
                RestoredFromVersion = restoredFrom,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (exception.IsWriteConflict())
            {
                return CommandResult.Fail("Another administrator saved this template at the same moment. Reload the page to see their version.");
            }
            return CommandResult<int>.Ok(current + 1);
        }

        private bool TryRender(EmailTemplate template, object model, out RenderedEmail? email, out string error)
        {
            try
            {
                email = renderer.Render(template, model);
                error = "";
                return true;
            }
            catch (Exception exception) when (exception is InvalidOperationException or ParseException)
            {
                email = null;
                error = $"The template could not be rendered: {exception.Message}";
                return false;
            }
        }

        private NotificationParameters Parameters(EmailTemplateId id, Case @case, CurrentUser user, string siteBaseUrl)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var firstNotifiedAt = @case.FirstNotifiedAt ?? now;
            var policy = DisclosurePolicies.Standard.FirstOrDefault(p => p.Name == @case.DisclosurePolicy)
                ?? (@case.DisclosurePolicy is { } recorded ? new DisclosurePolicy("recorded", recorded, 0, null) : DisclosurePolicies.ExposedData);
            var options = emailOptions.Value;
            return new NotificationParameters
            {
                TimeZone = user.TimeZone,
                Now = now,
                ResearcherName = user.Name,
                TeamName = options.FromName,
                ReplyAddress = options.ReplyToAddress ?? options.FromAddress,
                RecipientName = @case.Contacts.Where(c => c.Email is not null).OrderBy(c => c.AddedAt).FirstOrDefault()?.Name,
                FirstNotifiedAt = firstNotifiedAt,
                NoticesSent = FollowUpSchedule.Steps.FirstOrDefault(s => s.Template == id)?.NoticeNumber
                    ?? (id == EmailTemplateId.Escalation ? FollowUpSchedule.Steps.Count + 1 : 1),
                DeadlineAt = @case.DisclosureDeadlineAt ?? policy.DeadlineFrom(firstNotifiedAt),
                NoResponseAt = @case.NoResponseAt ?? firstNotifiedAt + FollowUpSchedule.NoResponseAfter,
                PolicyName = policy.Name,
                PolicyUrl = policy.Url,
                CaseUrl = siteBaseUrl + "cases/" + Uri.EscapeDataString(@case.Reference),
                // A campaign email lists the recipient's own endpoints; the preview shows two.
                Findings = id is EmailTemplateId.CampaignNotification or EmailTemplateId.CampaignFollowUp
                    ? [$"{@case.Host}:{@case.Port}", "192.0.2.10:" + @case.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                    : [],
            };
        }

        private static AccountEmailModel SampleAccount(EmailTemplateId id, CurrentUser user, string siteBaseUrl) => new()
        {
            User = new AccountUserFields { Name = user.Name, Email = "new.researcher@example.org" },
            Link = siteBaseUrl + (id == EmailTemplateId.ResetPassword ? "Account/ResetPassword?code=SAMPLE" : "Account/ConfirmEmail?userId=SAMPLE&code=SAMPLE"),
            SiteName = OutboxEmailSender.SiteName,
        };

        /// <summary>A digest with one item of each kind, so every branch of the template shows in the preview.</summary>
        private OverdueDigestModel SampleDigest(CurrentUser user, string siteBaseUrl)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(time.GetUtcNow().UtcDateTime, user.TimeZone));
            string Day(int daysAgo) => today.AddDays(-daysAgo).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            return new OverdueDigestModel
            {
                Researcher = new DigestResearcherFields { Name = user.Name, Team = OutboxEmailSender.SiteName },
                Digest = new DigestFields { Date = Day(0), TimeZone = user.TimeZone.Id, ItemCount = 3, OutboxUrl = siteBaseUrl + "outbox" },
                PastDeadline = [new DigestCaseFields { Reference = "DD-0000-00001", Title = "Sample: open MongoDB with GPS traces", Status = "Notified", Since = Day(4), DaysOverdue = 4, CaseUrl = siteBaseUrl + "cases/DD-0000-00001" }],
                NoResponse = [new DigestCaseFields { Reference = "DD-0000-00002", Title = "Sample: Elasticsearch with ID numbers", Status = "No response", Since = Day(2), DaysOverdue = 2, CaseUrl = siteBaseUrl + "cases/DD-0000-00002" }],
                Undelivered = [new DigestEmailFields { Reference = "DD-0000-00003", Subject = "[DD-0000-00003] Exposed Redis", To = "security@example.org", State = "Failed", LastError = "550 5.1.1 User unknown", CaseUrl = siteBaseUrl + "cases/DD-0000-00003" }],
            };
        }

        /// <summary>A made-up case for previews before any case exists, and for the trial render on save.</summary>
        private Case SampleCase() => new()
        {
            Reference = "DD-0000-00000",
            Title = "Sample: open Elasticsearch with customer orders",
            Service = ServiceEngine.Elasticsearch,
            Host = "192.0.2.10",
            Port = 9200,
            HostingProvider = "Example Hosting",
            Asn = "AS64500",
            AuthenticationState = ServiceAuthentication.None,
            DatabaseNames = "orders, customers",
            RecordCount = 120_000,
            RecordCountMethod = RecordCountMethod.Estimated,
            DataCategories = DataCategories.ContactDetails | DataCategories.Financial,
            AffectedCountry = "NL",
            FirstSeenAt = time.GetUtcNow().UtcDateTime.AddDays(-3),
            LastSeenAt = time.GetUtcNow().UtcDateTime.AddDays(-1),
            OrganizationName = "Example Corp.",
            Contacts = [new CaseContact { Name = "Security team", Email = "security@example.com" }],
        };

        private static void RequireAdministrator(CurrentUser user)
        {
            if (!user.IsAdministrator)
            {
                throw new UnauthorizedAccessException(AdministratorsOnly);
            }
        }
    }
}
