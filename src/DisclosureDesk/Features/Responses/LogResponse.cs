using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Responses;

/// <summary>
/// Records an answer from the owner, however it came in. A person's answer ends the owner's follow-ups and the
/// No-response clock in the same transaction; the status change it suggests is offered, not made.
/// </summary>
public static class LogResponse
{
    /// <summary>How far ahead of the server's clock a typed time may be: the researcher's watch may run fast.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public sealed class Form
    {
        public ResponseChannel Channel { get; set; } = ResponseChannel.Email;
        public ResponseMeaning Meaning { get; set; } = ResponseMeaning.Acknowledged;

        [Required(ErrorMessage = "Say who responded: a name, a role or an address.")]
        [StringLength(CaseLimits.NameLength, ErrorMessage = "Who responded can be at most {1} characters.")]
        public string RespondedBy { get; set; } = "";

        /// <summary>Wall-clock time in the researcher's time zone.</summary>
        [Required(ErrorMessage = "Say when they responded.")]
        public DateTime? RespondedAt { get; set; }

        [Required(ErrorMessage = "Summarise what they said.")]
        [StringLength(CaseLimits.LongTextLength, ErrorMessage = "The summary can be at most {1} characters.")]
        public string Summary { get; set; } = "";

        [StringLength(ResponseLimits.VerbatimLength, ErrorMessage = "The verbatim text can be at most {1} characters.")]
        public string? VerbatimText { get; set; }

        public EventVisibility Visibility { get; set; } = EventVisibility.Owner;
    }

    /// <summary>A file that came with the response (a screenshot of a web-form reply, the vendor's PDF).</summary>
    public sealed record Attachment(string FileName, Stream Content);

    public const int MaxAttachments = 10;

    /// <summary>A response to record, already validated; <paramref name="RespondedAtUtc"/> in UTC.</summary>
    public sealed record Recorded(
        ResponseChannel Channel, ResponseMeaning Meaning, string RespondedBy, DateTime RespondedAtUtc, string Summary,
        string? VerbatimText, EventVisibility Visibility);

    /// <summary>
    /// What logging did: the status the response suggests (if the case may move there), the follow-ups it stopped,
    /// and where the response stands in the case's audit chain.
    /// </summary>
    public sealed record Outcome(CaseStatus? SuggestedStatus, int FollowUpsCancelled, int EventSequence);

    public sealed record Entry(
        long Id, ResponseChannel Channel, ResponseMeaning Meaning, string RespondedBy, DateTime RespondedAt, string Summary,
        string? VerbatimText, string? VerbatimSha256, EventVisibility Visibility, string LoggedByName, DateTime LoggedAt, int EventSequence);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, CaseWriter writer, ManageEvidence.Handler evidence, TimeProvider time)
    {
        /// <summary>
        /// Records the response, and its attachments as evidence, in one transaction: a refused attachment refuses
        /// the whole response, so nothing is half logged.
        /// </summary>
        public async Task<CommandResult<Outcome>> LogAsync(
            string reference, Form form, CurrentUser user, IReadOnlyList<Attachment>? attachments = null, CancellationToken cancellationToken = default)
        {
            var errors = Validate(form, user.TimeZone, out var respondedAtUtc);
            attachments ??= [];
            if (attachments.Count > MaxAttachments)
            {
                errors.Add(new ValidationResult($"Attach at most {MaxAttachments} files to one response.", ["Attachments"]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            var files = new List<ManageEvidence.CheckedFile>();
            foreach (var attachment in attachments)
            {
                var (file, refusal) = await evidence.CheckAsync(attachment.FileName, attachment.Content, cancellationToken);
                if (file is null)
                {
                    return CommandResult.Fail(refusal!, "Attachments");
                }
                files.Add(file);
            }
            Outcome? outcome = null;
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                var recorded = await RecordAsync(db, @case, user.AsActor(), now, new Recorded(form.Channel, form.Meaning, form.RespondedBy,
                    respondedAtUtc, form.Summary, form.VerbatimText, form.Visibility), cancellationToken);
                foreach (var file in files)
                {
                    evidence.Attach(db, @case, user.AsActor(), now, file, EvidenceKind.Correspondence,
                        $"Attached to the response from {form.RespondedBy.Trim()} of {respondedAtUtc:yyyy-MM-dd HH:mm} UTC (event #{recorded.EventSequence}).", redacted: false);
                }
                outcome = recorded;
                return CommandResult.Success;
            }, cancellationToken);
            return result.Succeeded ? CommandResult<Outcome>.Ok(outcome!) : result;
        }

        /// <summary>
        /// Appends the response and its event to the case, inside the caller's change; a person's answer also ends
        /// the follow-ups and the No-response clock. The one path for responses typed by a researcher and those
        /// read from the mailbox, so both stop the chasing the same way.
        /// </summary>
        public static async Task<Outcome> RecordAsync(AppDbContext db, Case @case, Actor actor, DateTime now, Recorded response, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(db);
            ArgumentNullException.ThrowIfNull(@case);
            ArgumentNullException.ThrowIfNull(actor);
            ArgumentNullException.ThrowIfNull(response);
            var verbatim = string.IsNullOrWhiteSpace(response.VerbatimText) ? null : response.VerbatimText.ReplaceLineEndings("\n");
            var verbatimSha256 = verbatim is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(verbatim)));
            var logged = CaseTimeline.Append(db, @case, actor, now, TimelineEventType.ResponseLogged,
                Describe(response, verbatim, verbatimSha256), response.Visibility);
            db.VendorResponses.Add(new VendorResponse
            {
                CaseId = @case.Id,
                Channel = response.Channel,
                Meaning = response.Meaning,
                RespondedBy = response.RespondedBy.Trim(),
                RespondedAt = response.RespondedAtUtc,
                Summary = response.Summary.Trim(),
                VerbatimText = verbatim,
                VerbatimSha256 = verbatimSha256,
                Visibility = response.Visibility,
                LoggedById = actor.Id ?? "",
                LoggedByName = actor.Name,
                LoggedAt = now,
                EventSequence = logged.Sequence,
            });

            var cancelled = 0;
            if (response.Meaning.IsHumanAnswer())
            {
                @case.FirstResponseAt = @case.FirstResponseAt is { } first && first <= response.RespondedAtUtc ? first : response.RespondedAtUtc;
                @case.NoResponseAt = null;
                @case.FollowUpsPausedAt = null;
                cancelled = await FollowUpSchedule.CancelAsync(db, @case, actor, now,
                    $"the owner responded ({response.Meaning.DisplayName().ToLowerInvariant()}, {response.Channel.DisplayName().ToLowerInvariant()})", cancellationToken);
            }
            return new Outcome(response.Meaning.SuggestedStatus(@case.Status), cancelled, logged.Sequence);
        }

        /// <summary>The case's responses, newest first, or null when the user may not see the case.</summary>
        public async Task<IReadOnlyList<Entry>?> ListAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            return await db.VendorResponses.AsNoTracking()
                .Where(r => r.CaseId == caseId)
                .OrderByDescending(r => r.RespondedAt).ThenByDescending(r => r.Id)
                .Select(r => new Entry(r.Id, r.Channel, r.Meaning, r.RespondedBy, r.RespondedAt, r.Summary, r.VerbatimText,
                    r.VerbatimSha256, r.Visibility, r.LoggedByName, r.LoggedAt, r.EventSequence))
                .ToListAsync(cancellationToken);
        }

        private List<ValidationResult> Validate(Form form, TimeZoneInfo zone, out DateTime respondedAtUtc)
        {
            var errors = ModelValidation.Validate(form);
            respondedAtUtc = default;
            if (!Enum.IsDefined(form.Channel))
            {
                errors.Add(new ValidationResult("Choose how they responded.", [nameof(Form.Channel)]));
            }
            if (!Enum.IsDefined(form.Meaning))
            {
                errors.Add(new ValidationResult("Choose what the response means.", [nameof(Form.Meaning)]));
            }
            if (!Enum.IsDefined(form.Visibility))
            {
                errors.Add(new ValidationResult("Choose who may see this response.", [nameof(Form.Visibility)]));
            }
            if (form.RespondedAt is { } local)
            {
                respondedAtUtc = UserTimeZones.ToUtc(local, zone);
                if (respondedAtUtc > time.GetUtcNow().UtcDateTime + ClockSkew)
                {
                    errors.Add(new ValidationResult("The response cannot be in the future.", [nameof(Form.RespondedAt)]));
                }
            }
            return errors;
        }

        private static string Describe(Recorded response, string? verbatim, string? verbatimSha256)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture,
                $"Response from {response.RespondedBy.Trim()} ({response.Channel.DisplayName().ToLowerInvariant()}) on {response.RespondedAtUtc:yyyy-MM-dd HH:mm} UTC: ");
            text.Append(CultureInfo.InvariantCulture, $"{response.Meaning.DisplayName()}. {response.Summary.Trim()}");
            if (verbatim is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $" Verbatim text kept ({verbatim.Length:N0} characters, SHA-256 {verbatimSha256}).");
            }
            return text.ToString();
        }
    }
}
