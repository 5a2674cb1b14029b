using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The first notification of a case's owner: drafted from the initial-notification template, shown to the
/// researcher to read and edit, then queued in the outbox in the same transaction that records it on the
/// case, sets the disclosure deadline and moves the case to Notified.
/// </summary>
public static class NotifyOwner
{
    public const int MaxSubjectLength = 250;
    public const int MaxBodyLength = 50_000;

    public sealed class Form
    {
        public HashSet<int> ContactIds { get; set; } = [];
        public string PolicyId { get; set; } = DisclosurePolicies.ExposedData.Id;
        public int? CustomDays { get; set; }

        /// <summary>The rungs of the escalation ladder the case climbs if the owner stays silent; None: no escalation.</summary>
        public EscalationSteps EscalationSteps { get; set; }

        [Required(ErrorMessage = "The email needs a subject.")]
        [StringLength(MaxSubjectLength, ErrorMessage = "The subject can be at most {1} characters.")]
        public string Subject { get; set; } = "";

        [Required(ErrorMessage = "The email needs a body.")]
        [StringLength(MaxBodyLength, ErrorMessage = "The body can be at most {1} characters.")]
        public string Body { get; set; } = "";
    }

    public sealed record CaseEmail(long Id, DateTime CreatedAt, OutboxState State, string To, string Subject, DateTime? SentAt, string? LastError, string MessageId);

    public sealed record Draft(
        string Subject,
        string Body,
        DateTime DeadlineAt,
        DisclosurePolicy Policy,
        IReadOnlyList<string> Recipients,
        IReadOnlyList<FollowUpSchedule.PlannedEmail> FollowUps,
        DateTime NoResponseAt,
        LadderPlan Ladder);

    /// <summary>Statuses in which the owner is known and may be told: from Owner identified on, while the case is open.</summary>
    public static bool CanNotifyIn(CaseStatus status) =>
        status is CaseStatus.OwnerIdentified or CaseStatus.Notified or CaseStatus.NoResponse or CaseStatus.Escalated;

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        EmailTemplateStore templateStore,
        Outbox outbox,
        IOptions<EmailOptions> emailOptions,
        IOptions<EscalationOptions> escalationOptions,
        TimeProvider time)
    {
        /// <summary>The email as it would go out now to the chosen contacts, or the reason it cannot.</summary>
        public async Task<CommandResult<Draft>> DraftAsync(string reference, Form form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var @case = await db.CasesVisibleTo(user).AsNoTracking().Include(c => c.Contacts)
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);
            if (@case is null)
            {
                return CommandResult.NotFound;
            }
            var refusal = Check(@case, form, out var policy, out var contacts);
            if (refusal is not null)
            {
                return refusal;
            }
            var now = time.GetUtcNow().UtcDateTime;
            var parameters = Parameters(@case, user, policy, contacts, now, now);
            var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
            var rendered = templates.Render(EmailTemplateId.InitialNotification, NotificationModel.Create(@case, parameters));
            var followUps = FollowUpSchedule.Plan(@case, templates, parameters, now, TimeSpan.Zero, now);
            // The ladder as it will stand once the notification is sent: planned on this untracked copy of the case.
            @case.FirstNotifiedAt = now;
            @case.Status = CaseStatus.Notified;
            var ladder = EscalationLadder.Plan(@case, escalationOptions.Value.SilenceFor(@case), await ManageEscalationLadder.Handler.AuthoritiesAsync(db, @case, cancellationToken), form.EscalationSteps);
            return CommandResult<Draft>.Ok(new Draft(rendered.Subject, rendered.TextBody, parameters.DeadlineAt, policy,
                contacts.Select(c => c.Email!).ToList(), followUps, now + FollowUpSchedule.NoResponseAfter, ladder));
        }

        /// <summary>The case's emails, newest first, or null when the user may not see the case.</summary>
        public async Task<IReadOnlyList<CaseEmail>?> EmailsAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            return await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.CaseId == caseId
                    && (m.Purpose == OutboxPurpose.OwnerNotification || m.Purpose == OutboxPurpose.OwnerFollowUp || m.Purpose == OutboxPurpose.Escalation))
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
                .Select(m => new CaseEmail(m.Id, m.CreatedAt, m.State, m.To, m.Subject, m.SentAt, m.LastError, m.MessageId))
                .ToListAsync(cancellationToken);
        }

        /// <summary>Queues the (possibly edited) email and records the notification on the case.</summary>
        public async Task<CommandResult> SendAsync(string reference, Form form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(form);
            if (form.Subject.Contains('\r', StringComparison.Ordinal) || form.Subject.Contains('\n', StringComparison.Ordinal))
            {
                errors.Add(new ValidationResult("The subject must be a single line.", [nameof(Form.Subject)]));
            }
            if ((form.EscalationSteps & ~EscalationLadder.AllRungs) != EscalationSteps.None)
            {
                errors.Add(new ValidationResult("Choose among the hosting provider, the national CERT and the data-protection authority.", [nameof(Form.EscalationSteps)]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }

            var queued = new List<OutboxMessage>();
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                var refusal = Check(@case, form, out var policy, out var contacts);
                if (refusal is not null)
                {
                    return refusal;
                }
                var recipients = contacts.Select(c => c.Email!).ToList();
                queued.Clear();
                var initial = outbox.Enqueue(db, new OutgoingEmail(recipients, form.Subject.Trim(), form.Body, @case.Id));
                queued.Add(initial);
                var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
                var followUps = FollowUpSchedule.Plan(@case, templates, Parameters(@case, user, policy, contacts, now, now), now, TimeSpan.Zero, now);
                foreach (var followUp in followUps)
                {
                    queued.Add(outbox.Enqueue(db, new OutgoingEmail(recipients, followUp.Email.Subject, followUp.Email.TextBody, @case.Id, OutboxPurpose.OwnerFollowUp), followUp.DueAt));
                }
                @case.FirstNotifiedAt = now;
                @case.DisclosurePolicy = policy.Name;
                @case.DisclosurePolicyId = policy.Id;
                @case.DisclosureDays = policy.Days;
                @case.DisclosureDeadlineAt = policy.DatesFor(now).PublishAfter;
                @case.NoResponseAt = now + FollowUpSchedule.NoResponseAfter;
                @case.EscalationSteps = form.EscalationSteps;
                @case.EscalationSilenceSince = now;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.OwnerNotified,
                    $"Owner notification queued to {string.Join(", ", recipients)}: \"{form.Subject.Trim()}\" (Message-ID <{initial.MessageId}>). " +
                    $"Disclosure deadline {@case.DisclosureDeadlineAt:yyyy-MM-dd} UTC under {policy.Name}. " +
                    $"Follow-ups scheduled for {string.Join(", ", followUps.Select(f => f.DueAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))}; " +
                    $"No response on {@case.NoResponseAt:yyyy-MM-dd} if the owner stays silent.",
                    EventVisibility.Owner);
                if (form.EscalationSteps != EscalationSteps.None)
                {
                    CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.EscalationLadderChanged,
                        ManageEscalationLadder.Handler.Describe(form.EscalationSteps, escalationOptions.Value.SilenceFor(@case).Days));
                }
                if (@case.Status == CaseStatus.OwnerIdentified)
                {
                    @case.Status = CaseStatus.Notified;
                    CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.StatusChanged,
                        $"Status changed from {CaseStatus.OwnerIdentified.DisplayName()} to {CaseStatus.Notified.DisplayName()}.",
                        changes: [new FieldChange("Status", CaseStatus.OwnerIdentified.DisplayName(), CaseStatus.Notified.DisplayName())]);
                }
                return CommandResult.Success;
            }, cancellationToken);

            if (result.Succeeded)
            {
                outbox.Dispatch(queued);
            }
            return result;
        }

        /// <summary>Stops the follow-ups until resumed; the case will not become No response meanwhile.</summary>
        public Task<CommandResult> PauseAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (@case.FirstNotifiedAt is null || @case.FirstResponseAt is not null || FollowUpSchedule.EndsFollowUps(@case.Status))
                {
                    return CommandResult.Fail("There are no follow-ups to pause.");
                }
                if (@case.FollowUpsPausedAt is not null)
                {
                    return CommandResult.Fail("The follow-ups are already paused.");
                }
                @case.FollowUpsPausedAt = now;
                if (await FollowUpSchedule.CancelAsync(db, @case, user.AsActor(), now, "paused by the researcher", cancellationToken) == 0)
                {
                    CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.FollowUpsChanged, "Follow-ups paused.");
                }
                return CommandResult.Success;
            }, cancellationToken);

        /// <summary>Plans the follow-ups that were still to come when paused, each later by the length of the pause.</summary>
        public async Task<CommandResult> ResumeAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var queued = new List<OutboxMessage>();
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (@case.FollowUpsPausedAt is not { } pausedAt || @case.FirstNotifiedAt is not { } firstNotifiedAt)
                {
                    return CommandResult.Fail("The follow-ups are not paused.");
                }
                if (FollowUpSchedule.EndsFollowUps(@case.Status))
                {
                    return CommandResult.Fail($"The case is {@case.Status.DisplayName()}; the owner is no longer chased.");
                }
                if (@case.FirstResponseAt is not null)
                {
                    return CommandResult.Fail("The owner has responded; they are no longer chased.");
                }
                var first = await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.CaseId == @case.Id && m.Purpose == OutboxPurpose.OwnerNotification)
                    .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                    .Select(m => m.To)
                    .FirstAsync(cancellationToken);
                var recipients = first.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var policy = DisclosurePolicies.Of(@case)
                    ?? DisclosurePolicies.Standard.FirstOrDefault(p => p.Name == @case.DisclosurePolicy)
                    ?? new DisclosurePolicy("recorded", @case.DisclosurePolicy ?? "", 0, null);
                var shift = now - pausedAt;
                var parameters = Parameters(@case, user, policy, [], firstNotifiedAt, now) with
                {
                    DeadlineAt = @case.DisclosureDeadlineAt ?? policy.DeadlineFrom(firstNotifiedAt),
                };
                queued.Clear();
                var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
                var followUps = FollowUpSchedule.Plan(@case, templates, parameters, firstNotifiedAt, shift, pausedAt);
                foreach (var followUp in followUps)
                {
                    queued.Add(outbox.Enqueue(db, new OutgoingEmail(recipients, followUp.Email.Subject, followUp.Email.TextBody, @case.Id, OutboxPurpose.OwnerFollowUp), followUp.DueAt));
                }
                @case.FollowUpsPausedAt = null;
                @case.NoResponseAt = (@case.NoResponseAt ?? firstNotifiedAt + FollowUpSchedule.NoResponseAfter) + shift;
                // The pause held the ladder too: its silence resumes where it stood.
                @case.EscalationSilenceSince = (@case.EscalationSilenceSince ?? firstNotifiedAt) + shift;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.FollowUpsChanged,
                    followUps.Count == 0
                        ? $"Follow-ups resumed; none were left to send. No response on {@case.NoResponseAt:yyyy-MM-dd}."
                        : $"Follow-ups resumed: {string.Join(", ", followUps.Select(f => f.DueAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))}; " +
                          $"No response on {@case.NoResponseAt:yyyy-MM-dd}.");
                return CommandResult.Success;
            }, cancellationToken);
            if (result.Succeeded)
            {
                outbox.Dispatch(queued);
            }
            return result;
        }

        private NotificationParameters Parameters(Case @case, CurrentUser user, DisclosurePolicy policy, List<CaseContact> contacts, DateTime firstNotifiedAt, DateTime now) => new()
        {
            TimeZone = user.TimeZone,
            Now = now,
            ResearcherName = user.Name,
            TeamName = emailOptions.Value.FromName,
            ReplyAddress = emailOptions.Value.ReplyToAddress ?? emailOptions.Value.FromAddress,
            RecipientName = contacts.Count == 1 ? contacts[0].Name : null,
            FirstNotifiedAt = firstNotifiedAt,
            DeadlineAt = policy.DeadlineFrom(firstNotifiedAt),
            PolicyName = policy.Name,
            PolicyUrl = policy.Url,
        };

        private static CommandResult? Check(Case @case, Form form, out DisclosurePolicy policy, out List<CaseContact> contacts)
        {
            contacts = [];
            policy = DisclosurePolicies.ExposedData;
            if (@case.FirstNotifiedAt is not null)
            {
                return CommandResult.Fail("The owner has already been notified; follow-ups continue from that first notification.");
            }
            if (!CanNotifyIn(@case.Status))
            {
                return CommandResult.Fail($"Identify the owner before notifying them: move the case to {CaseStatus.OwnerIdentified.DisplayName()} first.");
            }
            if (DisclosurePolicies.Resolve(form.PolicyId, form.CustomDays) is not { } chosen)
            {
                return CommandResult.Fail($"Choose a disclosure policy; a custom one needs {DisclosurePolicies.MinCustomDays} to {DisclosurePolicies.MaxCustomDays} days.", nameof(Form.PolicyId));
            }
            policy = chosen;
            contacts = @case.Contacts.Where(c => form.ContactIds.Contains(c.Id) && c.Email is not null).OrderBy(c => c.AddedAt).ToList();
            if (contacts.FirstOrDefault(c => c.Bouncing == BounceSeverity.Permanent) is { } dead)
            {
                return CommandResult.Fail($"Mail to {dead.Email} bounced permanently; choose another contact.", nameof(Form.ContactIds));
            }
            if (contacts.Count == 0)
            {
                return CommandResult.Fail("Choose at least one contact with an email address.", nameof(Form.ContactIds));
            }
            return null;
        }
    }
}
