using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Escalation;

/// <summary>
/// Climbs each silent case's escalation ladder by the rungs whose time has come. Recurring and stateless (ADR-018):
/// every run plans from the case as it is, so a reply, a pause or a new abuse contact needs no rescheduling. The
/// rung, its email and its timeline entry are one transaction on the case, and the email carries a per-rung dedup
/// key, so an overlapping run or a second instance cannot write a rung twice.
/// </summary>
public sealed class EscalateSilentCasesJob(
    IDbContextFactory<AppDbContext> dbFactory,
    CaseWriter writer,
    Outbox outbox,
    EmailTemplateStore templateStore,
    EscalationEmail escalationEmail,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalateSilentCasesJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<int> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var climbing = await db.Cases.AsNoTracking().Climbing().Include(c => c.Contacts).ToListAsync(cancellationToken);
            var authorities = await db.EscalationAuthorities.AsNoTracking().Where(a => a.RetiredAt == null).ToListAsync(cancellationToken);
            due = climbing
                .Where(c => EscalationLadder.Plan(c, options.Value.SilenceFor(c), authorities).DueBy(now).Any())
                .Select(c => c.Id)
                .ToList();
        }

        foreach (var caseId in due)
        {
            OutboxMessage? queued = null;
            var result = await writer.ChangeAsSystemAsync(caseId, async (db, @case, changedAt) =>
            {
                queued = null;
                return await ClimbAsync(db, @case, changedAt, message => queued = message, cancellationToken);
            }, cancellationToken);
            if (result.Succeeded && queued is not null)
            {
                outbox.Dispatch(queued);
                logger.LogInformation("Case {CaseId} escalated: outbox message {MessageId}", caseId, queued.Id);
            }
        }
    }

    private async Task<CommandResult> ClimbAsync(AppDbContext db, Case @case, DateTime now, Action<OutboxMessage> queued, CancellationToken cancellationToken)
    {
        // Planned again inside the transaction: an answer, a pause or another run may have come in since the query above.
        var authorities = await ManageEscalationLadder.Handler.AuthoritiesAsync(db, @case, cancellationToken);
        var plan = EscalationLadder.Plan(@case, options.Value.SilenceFor(@case), authorities);
        var rungs = plan.DueBy(now).ToList();
        if (rungs.Count == 0)
        {
            return CommandResult.Fail("Nothing on the ladder is due.");
        }
        foreach (var rung in rungs)
        {
            @case.EscalationReached = rung.Step;
            if (rung.Recipients.Count == 0)
            {
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.EscalationStepSkipped,
                    $"Escalation to {EscalationEmail.Describe(rung.Step)} skipped: {rung.Missing}");
                continue;
            }
            var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
            var email = await escalationEmail.RenderAsync(db, @case, rung, templates, now, cancellationToken);
            var message = outbox.Enqueue(db, new OutgoingEmail(rung.Recipients, email.Subject, email.TextBody, @case.Id,
                OutboxPurpose.Escalation, EscalationLadder.DedupKey(@case.Id, rung.Step)));
            queued(message);
            @case.EscalationSilenceSince = now;
            CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.Escalated,
                $"Escalated to {EscalationEmail.Describe(rung.Step)}, {rung.RecipientName}, after {plan.Silence.TotalDays:0} days without a reply: " +
                $"\"{email.Subject}\" queued to {string.Join(", ", rung.Recipients)} (Message-ID <{message.MessageId}>).",
                EventVisibility.Owner);
            if (@case.Status != CaseStatus.Escalated)
            {
                var from = @case.Status;
                @case.Status = CaseStatus.Escalated;
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.StatusChanged,
                    $"Status changed from {from.DisplayName()} to {CaseStatus.Escalated.DisplayName()}: the owner did not answer.",
                    changes: [new FieldChange("Status", from.DisplayName(), CaseStatus.Escalated.DisplayName())]);
            }
        }
        return CommandResult.Success;
    }
}
