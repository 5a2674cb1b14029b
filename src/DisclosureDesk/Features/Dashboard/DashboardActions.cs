using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses.Mail;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Dashboard;

/// <summary>
/// What needs the signed-in user's attention today, across the cases they may see: follow-ups due, deadlines close
/// or passed, escalations about to go out, bounces and failed emails, owners who never answered, and the mailbox's
/// unplaced messages.
/// Each list is one indexed query; nothing here is stored, so it is never stale.
/// </summary>
public static class DashboardActions
{
    /// <summary>Each kind shows at most this many items, the most urgent first; the pages behind the links show the rest.</summary>
    public const int MaxPerKind = 25;

    public static readonly TimeSpan DeadlineHorizon = TimeSpan.FromDays(7);

    public enum ActionKind
    {
        FollowUpDue,
        DeadlineSoon,
        Bounce,
        NoResponse,
        EscalationSoon,
    }

    /// <param name="At">The instant the item is about (UTC): when the follow-up is due, the deadline, the bounce, the unanswered notification.</param>
    public sealed record Item(ActionKind Kind, string CaseReference, string CaseTitle, DateTime At, string Detail);

    /// <param name="UntriagedMessages">Replies from the mailbox that matched no case; they belong to nobody yet, so everyone sees the count.</param>
    public sealed record Result(IReadOnlyList<Item> Items, int UntriagedMessages)
    {
        public IEnumerable<Item> Of(ActionKind kind) => Items.Where(i => i.Kind == kind);

        public bool IsEmpty => Items.Count == 0 && UntriagedMessages == 0;
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, Microsoft.Extensions.Options.IOptions<EscalationOptions> escalation)
    {
        public async Task<Result> HandleAsync(CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var today = DateOnly.FromDateTime(UserTimeZones.ToLocal(now, user.TimeZone));
            var endOfToday = UserTimeZones.ToUtc(today.AddDays(1).ToDateTime(TimeOnly.MinValue), user.TimeZone);
            var problemsSince = now - SendResearcherRemindersJob.UndeliveredShownFor;
            var deadlineBefore = now + DeadlineHorizon;

            var cases = db.CasesVisibleTo(user).AsNoTracking();
            // ClosedAt is set on entering a final status and cleared on reopening: the stored form of CaseStatusMachine.IsOpen.
            var open = cases.Where(c => c.ClosedAt == null);
            var items = new List<Item>();

            var followUps = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.Purpose == OutboxPurpose.OwnerFollowUp
                            && OutboxStates.NotYetSent.Contains(m.State)
                            && m.DueAt < endOfToday)
                .Join(cases, m => m.CaseId, c => (int?)c.Id, (m, c) => new { c.Reference, c.Title, m.DueAt, m.Subject })
                .OrderBy(x => x.DueAt)
                .Take(MaxPerKind)
                .ToListAsync(cancellationToken);
            items.AddRange(followUps.Select(f => new Item(ActionKind.FollowUpDue, f.Reference, f.Title, f.DueAt,
                (f.DueAt < now ? "Overdue follow-up: " : "Follow-up due today: ") + f.Subject)));

            var deadlines = await open
                .Where(c => c.DisclosureDeadlineAt != null && c.DisclosureDeadlineAt < deadlineBefore)
                .OrderBy(c => c.DisclosureDeadlineAt)
                .Take(MaxPerKind)
                .Select(c => new { c.Reference, c.Title, DeadlineAt = c.DisclosureDeadlineAt!.Value })
                .ToListAsync(cancellationToken);
            items.AddRange(deadlines.Select(d => new Item(ActionKind.DeadlineSoon, d.Reference, d.Title, d.DeadlineAt,
                DeadlineText(DateOnly.FromDateTime(UserTimeZones.ToLocal(d.DeadlineAt, user.TimeZone)).DayNumber - today.DayNumber))));

            var bounces = await db.CaseContacts.AsNoTracking()
                .Where(k => k.Bouncing != null && k.BouncedAt >= problemsSince)
                .Join(open, k => k.CaseId, c => c.Id, (k, c) => new { c.Reference, c.Title, BouncedAt = k.BouncedAt!.Value, k.Email, k.Bouncing, k.BounceDetail })
                .OrderByDescending(x => x.BouncedAt)
                .Take(MaxPerKind)
                .ToListAsync(cancellationToken);
            items.AddRange(bounces.Select(b => new Item(ActionKind.Bounce, b.Reference, b.Title, b.BouncedAt,
                $"Mail to {b.Email} bounced ({(b.Bouncing == BounceSeverity.Permanent ? "permanent" : "temporary")})"
                + (string.IsNullOrWhiteSpace(b.BounceDetail) ? "" : ": " + b.BounceDetail))));

            var failed = await db.OutboxMessages.AsNoTracking()
                .Where(m => (m.Purpose == OutboxPurpose.OwnerNotification || m.Purpose == OutboxPurpose.OwnerFollowUp || m.Purpose == OutboxPurpose.Escalation)
                            && (m.State == OutboxState.Failed || m.State == OutboxState.Unknown)
                            && m.DueAt >= problemsSince)
                .Join(open, m => m.CaseId, c => (int?)c.Id, (m, c) => new { c.Reference, c.Title, m.DueAt, m.State, m.Subject, m.LastError })
                .OrderByDescending(x => x.DueAt)
                .Take(MaxPerKind)
                .ToListAsync(cancellationToken);
            items.AddRange(failed.Select(f => new Item(ActionKind.Bounce, f.Reference, f.Title, f.DueAt,
                (f.State == OutboxState.Failed ? $"Email failed: {f.Subject}" : $"Email outcome unknown: {f.Subject}")
                + (string.IsNullOrWhiteSpace(f.LastError) ? "" : " (" + f.LastError + ")"))));

            // Dated by the notification the owner never answered: NoResponseAt is only the planned date, later than
            // the status when a researcher set it by hand.
            var silent = await cases
                .Where(c => c.Status == CaseStatus.NoResponse)
                .OrderBy(c => c.FirstNotifiedAt ?? c.UpdatedAt)
                .Take(MaxPerKind)
                .Select(c => new { c.Reference, c.Title, At = c.FirstNotifiedAt ?? c.UpdatedAt })
                .ToListAsync(cancellationToken);
            items.AddRange(silent.Select(s => new Item(ActionKind.NoResponse, s.Reference, s.Title, s.At,
                "Notified, never answered: escalate, publish or close")));

            // The next rung of each climbing ladder, from the same plan the job climbs by: a researcher can still add a
            // contact, switch a rung off or answer for the owner before it goes.
            // A rung falls due a silence (of at least MinSilenceDays) after its silence began, so only a silence begun
            // before this cut-off can bring one due within the horizon.
            var silenceBeganBefore = deadlineBefore - TimeSpan.FromDays(EscalationOptions.MinSilenceDays);
            var climbing = await open.Climbing()
                .Where(c => (c.EscalationSilenceSince ?? c.FirstNotifiedAt) < silenceBeganBefore)
                .Include(c => c.Contacts)
                .ToListAsync(cancellationToken);
            var countries = climbing.Select(c => c.AffectedCountry?.ToUpperInvariant()).Where(c => c is not null).Distinct().ToList();
            var authorities = await db.EscalationAuthorities.AsNoTracking()
                .Where(a => a.RetiredAt == null && countries.Contains(a.CountryCode))
                .ToListAsync(cancellationToken);
            items.AddRange(climbing
                .Select(c => (Case: c, Next: EscalationLadder.Plan(c, escalation.Value.SilenceFor(c), authorities)
                    .Rungs.FirstOrDefault(r => r.DueAt is not null)))
                .Where(x => x.Next?.DueAt < deadlineBefore)
                .OrderBy(x => x.Next!.DueAt)
                .Take(MaxPerKind)
                .Select(x => new Item(ActionKind.EscalationSoon, x.Case.Reference, x.Case.Title, x.Next!.DueAt!.Value,
                    x.Next.Recipients.Count > 0
                        ? $"Escalation to {EscalationEmail.Describe(x.Next.Step)} ({string.Join(", ", x.Next.Recipients)}) unless someone answers"
                        : $"Escalation to {EscalationEmail.Describe(x.Next.Step)} will be skipped: {x.Next.Missing}")));

            var untriaged = await db.InboundMessages
                .CountAsync(m => m.State == InboundState.Unmatched || m.State == InboundState.Quarantined, cancellationToken);

            return new Result(items, untriaged);
        }

        private static string DeadlineText(int days) => days switch
        {
            < 0 => $"Disclosure deadline passed {-days} day{(days == -1 ? "" : "s")} ago",
            0 => "Disclosure deadline today",
            1 => "Disclosure deadline tomorrow",
            _ => $"Disclosure deadline in {days} days",
        };
    }
}
