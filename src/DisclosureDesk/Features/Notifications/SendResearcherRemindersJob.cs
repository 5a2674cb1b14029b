using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Sends each case-team member the deadline reminders (7 days and 1 day before) and the daily overdue digest
/// they have not switched off, at their local hour. Recurring and stateless: every run derives what is due now
/// from the cases, teams and preferences as they are, so a moved deadline, a new team member or a changed
/// preference needs no rescheduling. Each email carries a dedup key (user, case, kind, local date) under a unique
/// index, so a rerun, an overlapping run or a second instance never writes, and so never sends, it twice.
/// Reminders are internal to the team: they go through the outbox but not onto the case's audit trail.
/// </summary>
public sealed class SendResearcherRemindersJob(
    IDbContextFactory<AppDbContext> dbFactory,
    Outbox outbox,
    EmailTemplateStore templateStore,
    IOptions<ReminderOptions> options,
    IOptions<EmailOptions> emailOptions,
    TimeProvider time,
    ILogger<SendResearcherRemindersJob> logger)
{
    /// <summary>Failed or unknown emails older than this no longer appear in the digest: by then someone has decided.</summary>
    public static readonly TimeSpan UndeliveredShownFor = TimeSpan.FromDays(14);

    // Wider than any reminder window in any time zone (UTC-12 to UTC+14), so the exact check happens per user.
    private static readonly TimeSpan LookAhead = TimeSpan.FromDays(9);

    private sealed record Recipient(string Id, string Email, string Name, TimeZoneInfo Zone, ReminderKinds Off);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var emails = new List<OutgoingEmail>();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
            emails.AddRange(await DeadlineRemindersAsync(db, templates, now, cancellationToken));
            emails.AddRange(await DigestsAsync(db, templates, now, cancellationToken));
            var keys = emails.Select(e => e.DedupKey!).ToList();
            var written = (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.DedupKey != null && keys.Contains(m.DedupKey))
                .Select(m => m.DedupKey!)
                .ToListAsync(cancellationToken)).ToHashSet();
            emails.RemoveAll(e => written.Contains(e.DedupKey!));
        }
        var queued = new List<OutboxMessage>();
        try
        {
            foreach (var email in emails)
            {
                if (await WriteAsync(email, cancellationToken) is { } row)
                {
                    queued.Add(row);
                }
            }
        }
        finally
        {
            // One request for the whole run (a delivery run takes every due row), also for the rows written before a failure.
            outbox.Dispatch(queued);
        }
    }

    private async Task<List<OutgoingEmail>> DeadlineRemindersAsync(AppDbContext db, ActiveEmailTemplates templates, DateTime now, CancellationToken cancellationToken)
    {
        var from = now - TimeSpan.FromDays(1);
        var until = now + LookAhead;
        var cases = await OpenCases(db)
            .Include(c => c.Members)
            .Where(c => c.DisclosureDeadlineAt > from && c.DisclosureDeadlineAt < until)
            .ToListAsync(cancellationToken);
        var recipients = await RecipientsAsync(db, cases.SelectMany(Team), cancellationToken);
        var hour = options.Value.DeadlineReminderHour;
        var emails = new List<OutgoingEmail>();
        foreach (var @case in cases)
        {
            foreach (var userId in Team(@case).Distinct())
            {
                if (!recipients.TryGetValue(userId, out var recipient)
                    || ReminderSchedule.DueAt(@case.DisclosureDeadlineAt!.Value, recipient.Zone, hour, now) is not { } due
                    || recipient.Off.HasFlag(due.Kind))
                {
                    continue;
                }
                var rendered = templates.Render(EmailTemplateId.DeadlineReminder, NotificationModel.Create(@case, ReminderParameters(@case, recipient, now)));
                emails.Add(new OutgoingEmail([recipient.Email], rendered.Subject, rendered.TextBody, @case.Id, OutboxPurpose.DeadlineReminder,
                    $"reminder:{due.DaysBefore}d:{@case.Id}:{recipient.Id}:{Iso(due.DeadlineDate)}"));
            }
        }
        return emails;
    }

    private NotificationParameters ReminderParameters(Case @case, Recipient recipient, DateTime now)
    {
        var policy = DisclosurePolicies.Of(@case);
        return new NotificationParameters
        {
            TimeZone = recipient.Zone,
            Now = now,
            ResearcherName = recipient.Name,
            TeamName = emailOptions.Value.FromName,
            ReplyAddress = emailOptions.Value.ReplyToAddress ?? emailOptions.Value.FromAddress,
            FirstNotifiedAt = @case.FirstNotifiedAt ?? now,
            DeadlineAt = @case.DisclosureDeadlineAt!.Value,
            NoResponseAt = @case.NoResponseAt,
            PolicyName = @case.DisclosurePolicy ?? policy?.Name ?? "",
            PolicyUrl = policy?.Url,
            CaseUrl = options.Value.Link($"cases/{@case.Reference}"),
        };
    }

    private sealed record CaseItem(int Id, string Reference, string Title, CaseStatus Status, DateTime? DeadlineAt, DateTime? NoResponseAt, string LeadId, List<string> Members);

    private async Task<List<OutgoingEmail>> DigestsAsync(AppDbContext db, ActiveEmailTemplates templates, DateTime now, CancellationToken cancellationToken)
    {
        var pastDeadline = await OpenCases(db)
            .Where(c => c.DisclosureDeadlineAt <= now)
            .Select(c => new CaseItem(c.Id, c.Reference, c.Title, c.Status, c.DisclosureDeadlineAt, c.NoResponseAt, c.LeadId, c.Members.Select(m => m.UserId).ToList()))
            .ToListAsync(cancellationToken);
        var noResponse = await db.Cases.AsNoTracking()
            .Where(c => c.Status == CaseStatus.NoResponse && (c.DisclosureDeadlineAt == null || c.DisclosureDeadlineAt > now))
            .Select(c => new CaseItem(c.Id, c.Reference, c.Title, c.Status, c.DisclosureDeadlineAt, c.NoResponseAt, c.LeadId, c.Members.Select(m => m.UserId).ToList()))
            .ToListAsync(cancellationToken);
        var shownSince = now - UndeliveredShownFor;
        var undelivered = await db.OutboxMessages.AsNoTracking()
            .Where(m => (m.State == OutboxState.Failed || m.State == OutboxState.Unknown) && m.DueAt >= shownSince
                && (m.Purpose == OutboxPurpose.OwnerNotification || m.Purpose == OutboxPurpose.OwnerFollowUp))
            .Join(OpenCases(db), m => m.CaseId, c => c.Id, (m, c) => new
            {
                m.Id, m.Subject, m.To, m.State, m.LastError, c.Reference, c.LeadId, Members = c.Members.Select(x => x.UserId).ToList(),
            })
            .OrderBy(m => m.Id)
            .ToListAsync(cancellationToken);

        var userIds = pastDeadline.Concat(noResponse).SelectMany(c => c.Members.Append(c.LeadId))
            .Concat(undelivered.SelectMany(m => m.Members.Append(m.LeadId)));
        var recipients = await RecipientsAsync(db, userIds, cancellationToken);
        var hour = options.Value.DigestHour;
        var emails = new List<OutgoingEmail>();
        foreach (var recipient in recipients.Values.Where(r => !r.Off.HasFlag(ReminderKinds.OverdueDigest)))
        {
            var today = ReminderSchedule.LocalDate(now, recipient.Zone);
            if (now < ReminderSchedule.AtLocal(today, hour, recipient.Zone))
            {
                continue;
            }
            bool Mine(string leadId, List<string> members) => leadId == recipient.Id || members.Contains(recipient.Id);
            var minePast = pastDeadline.Where(c => Mine(c.LeadId, c.Members)).OrderBy(c => c.DeadlineAt)
                .Select(c => Item(c, c.DeadlineAt!.Value, recipient.Zone, today)).ToList();
            var mineSilent = noResponse.Where(c => Mine(c.LeadId, c.Members)).OrderBy(c => c.NoResponseAt)
                .Select(c => Item(c, c.NoResponseAt ?? now, recipient.Zone, today)).ToList();
            var mineUndelivered = undelivered.Where(m => Mine(m.LeadId, m.Members)).Select(m => new DigestEmailFields
            {
                Reference = m.Reference,
                Subject = m.Subject,
                To = m.To,
                State = m.State.ToString(),
                LastError = m.LastError,
                CaseUrl = options.Value.Link($"cases/{m.Reference}"),
            }).ToList();
            var count = minePast.Count + mineSilent.Count + mineUndelivered.Count;
            if (count == 0)
            {
                continue;
            }
            var rendered = templates.Render(EmailTemplateId.OverdueDigest, new OverdueDigestModel
            {
                Researcher = new DigestResearcherFields { Name = recipient.Name, Team = emailOptions.Value.FromName },
                Digest = new DigestFields { Date = Iso(today), TimeZone = recipient.Zone.Id, ItemCount = count, OutboxUrl = options.Value.Link("outbox") },
                PastDeadline = minePast,
                NoResponse = mineSilent,
                Undelivered = mineUndelivered,
            });
            emails.Add(new OutgoingEmail([recipient.Email], rendered.Subject, rendered.TextBody, null, OutboxPurpose.OverdueDigest,
                $"digest:{recipient.Id}:{Iso(today)}"));
        }
        return emails;
    }

    private DigestCaseFields Item(CaseItem c, DateTime since, TimeZoneInfo zone, DateOnly today)
    {
        var sinceDate = ReminderSchedule.LocalDate(since, zone);
        return new DigestCaseFields
        {
            Reference = c.Reference,
            Title = c.Title,
            Status = c.Status.DisplayName(),
            Since = Iso(sinceDate),
            DaysOverdue = today.DayNumber - sinceDate.DayNumber,
            CaseUrl = options.Value.Link($"cases/{c.Reference}"),
        };
    }

    private static IQueryable<Case> OpenCases(AppDbContext db) =>
        db.Cases.AsNoTracking().Where(c => c.Status != CaseStatus.Closed && c.Status != CaseStatus.Rejected && c.Status != CaseStatus.Published);

    private static IEnumerable<string> Team(Case @case) => @case.Members.Select(m => m.UserId).Append(@case.LeadId);

    /// <summary>Team members who can receive mail: enabled accounts with an address.</summary>
    private static async Task<Dictionary<string, Recipient>> RecipientsAsync(AppDbContext db, IEnumerable<string> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.Distinct().ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => ids.Contains(u.Id) && !u.IsDisabled && u.Email != null)
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.UserName, u.TimeZoneId, u.RemindersOff })
            .ToListAsync(cancellationToken);
        return users.ToDictionary(u => u.Id, u => new Recipient(u.Id, u.Email!,
            string.IsNullOrWhiteSpace(u.DisplayName) ? u.UserName ?? u.Email! : u.DisplayName,
            UserTimeZones.Find(u.TimeZoneId), u.RemindersOff));
    }

    /// <summary>Writes one email in its own transaction; null when a duplicate key shows another run wrote it first.</summary>
    private async Task<OutboxMessage?> WriteAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = outbox.Enqueue(db, email);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException duplicate) when (duplicate.IsWriteConflict())
        {
            logger.LogDebug("Reminder {Key} was already written by another run", email.DedupKey);
            return null;
        }
        logger.LogInformation("Queued {Purpose} {Key} to {To}", email.Purpose, email.DedupKey, row.To);
        return row;
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
