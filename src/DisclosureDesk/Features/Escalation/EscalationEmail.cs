using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Escalation;

/// <summary>
/// Renders a rung's email as it would go out now: signed by the case's lead, in the lead's time zone, telling the
/// recipient how many notices the owner was sent and who was written to before them.
/// </summary>
public sealed class EscalationEmail(IOptions<EmailOptions> emailOptions)
{
    public async Task<RenderedEmail> RenderAsync(
        AppDbContext db, Case @case, PlannedRung rung, ActiveEmailTemplates templates, DateTime now, CancellationToken cancellationToken)
    {
        var lead = await db.Users.AsNoTracking()
            .Where(u => u.Id == @case.LeadId)
            .Select(u => new { u.DisplayName, u.UserName, u.Email, u.TimeZoneId })
            .SingleOrDefaultAsync(cancellationToken);
        var zone = UserTimeZones.Find(lead?.TimeZoneId);
        var earlier = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.CaseId == @case.Id && m.Purpose == OutboxPurpose.Escalation && m.State != OutboxState.Cancelled)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new { m.DedupKey, m.To, m.CreatedAt })
            .ToListAsync(cancellationToken);
        var ownerNotices = await db.OutboxMessages.AsNoTracking()
            .CountAsync(m => m.CaseId == @case.Id && m.State == OutboxState.Sent
                && (m.Purpose == OutboxPurpose.OwnerNotification || m.Purpose == OutboxPurpose.OwnerFollowUp), cancellationToken);
        var policy = DisclosurePolicies.Of(@case);
        var firstNotifiedAt = @case.FirstNotifiedAt ?? now;
        var parameters = new NotificationParameters
        {
            TimeZone = zone,
            Now = now,
            ResearcherName = lead is null ? emailOptions.Value.FromName : string.IsNullOrWhiteSpace(lead.DisplayName) ? lead.UserName ?? lead.Email ?? "" : lead.DisplayName,
            TeamName = emailOptions.Value.FromName,
            ReplyAddress = emailOptions.Value.ReplyToAddress ?? emailOptions.Value.FromAddress,
            RecipientName = rung.RecipientName,
            FirstNotifiedAt = firstNotifiedAt,
            // Before the owner is notified the preview counts the notification that is about to go.
            NoticesSent = Math.Max(ownerNotices, 1),
            DeadlineAt = @case.DisclosureDeadlineAt ?? policy?.DeadlineFrom(firstNotifiedAt) ?? firstNotifiedAt,
            NoResponseAt = @case.NoResponseAt,
            PolicyName = @case.DisclosurePolicy ?? policy?.Name ?? "",
            PolicyUrl = policy?.Url,
            EscalatedTo = [.. earlier.Select(e => $"{Describe(EscalationLadder.RungOf(e.DedupKey))} ({e.To}) on {LocalDate(e.CreatedAt, zone)}")],
        };
        return templates.Render(rung.Step.Template(), NotificationModel.Create(@case, parameters));
    }

    /// <summary>"the hosting provider", "the national CERT": how an email and the timeline name a rung.</summary>
    public static string Describe(EscalationSteps rung) => rung switch
    {
        EscalationSteps.HostingProvider => "the hosting provider",
        EscalationSteps.NationalCert => "the national CERT",
        EscalationSteps.DataProtectionAuthority => "the data-protection authority",
        _ => "an earlier rung",
    };

    private static string LocalDate(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
