using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The reminders an owner gets after the first notification, and when an unanswered case becomes No
/// response. Follow-ups are outbox rows in the Scheduled state, rendered when they are planned, so the
/// researcher reads the exact emails and dates before anything goes out.
/// </summary>
public static class FollowUpSchedule
{
    public sealed record Step(EmailTemplateId Template, TimeSpan After, int NoticeNumber);

    public static IReadOnlyList<Step> Steps { get; } =
    [
        new(EmailTemplateId.FollowUp1, TimeSpan.FromDays(7), 2),
        new(EmailTemplateId.FollowUp2, TimeSpan.FromDays(14), 3),
        new(EmailTemplateId.FinalFollowUp, TimeSpan.FromDays(21), 4),
    ];

    public static readonly TimeSpan NoResponseAfter = TimeSpan.FromDays(28);

    /// <summary>Statuses in which the owner is no longer chased: they answered, or the case is over.</summary>
    public static bool EndsFollowUps(CaseStatus status) =>
        status is CaseStatus.Acknowledged or CaseStatus.Mitigated or CaseStatus.Closed or CaseStatus.Rejected
            or CaseStatus.Published or CaseStatus.NoResponse;

    public sealed record PlannedEmail(EmailTemplateId Template, DateTime DueAt, RenderedEmail Email);

    /// <summary>
    /// Renders the follow-ups still to come. <paramref name="shift"/> moves every date later (the length of a
    /// pause); steps that were already due before <paramref name="notBefore"/> are not planned again.
    /// </summary>
    public static IReadOnlyList<PlannedEmail> Plan(
        Case @case, ActiveEmailTemplates templates, NotificationParameters parameters, DateTime firstNotifiedAt, TimeSpan shift, DateTime notBefore)
    {
        var noResponseAt = firstNotifiedAt + NoResponseAfter + shift;
        return Steps
            .Where(step => firstNotifiedAt + step.After >= notBefore)
            .Select(step => new PlannedEmail(step.Template, firstNotifiedAt + step.After + shift,
                templates.Render(step.Template, NotificationModel.Create(@case, parameters with
                {
                    NoticesSent = step.NoticeNumber,
                    NoResponseAt = noResponseAt,
                }))))
            .ToList();
    }

    /// <summary>
    /// Cancels the case's owner follow-ups that have not gone out (only those <paramref name="which"/> picks, when
    /// given) and records why; returns how many. Other emails about the case (the team's deadline reminders) are
    /// not the owner's and stay as they are.
    /// </summary>
    public static async Task<int> CancelAsync(
        AppDbContext db, Case @case, Actor actor, DateTime now, string reason, CancellationToken cancellationToken, Func<OutboxMessage, bool>? which = null)
    {
        var scheduled = (await db.OutboxMessages
            .Where(m => m.CaseId == @case.Id && m.State == OutboxState.Scheduled && m.Purpose == OutboxPurpose.OwnerFollowUp)
            .ToListAsync(cancellationToken))
            .Where(which ?? (_ => true))
            .ToList();
        foreach (var message in scheduled)
        {
            message.State = OutboxState.Cancelled;
            message.LastError = reason;
            // A delivery job claiming the row at this moment loses on this token, or this save loses and retries.
            message.Version = Guid.NewGuid();
        }
        if (scheduled.Count > 0)
        {
            CaseTimeline.Append(db, @case, actor, now, TimelineEventType.FollowUpsChanged,
                $"{scheduled.Count} scheduled follow-up email(s) cancelled: {reason}");
        }
        return scheduled.Count;
    }
}
