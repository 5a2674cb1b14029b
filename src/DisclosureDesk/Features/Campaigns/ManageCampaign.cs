using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Campaigns;

/// <summary>
/// A campaign's page and commands: recipients added from a list, the campaign sent (each recipient's notification and
/// follow-ups rendered and written to the outbox a batch at a time), recipients marked mitigated or given a corrected
/// address, and the recipients table, keyset-paged. Every entry point finds the umbrella case through
/// <see cref="CaseAccess"/>; someone off its team is told it does not exist.
/// </summary>
public static class ManageCampaign
{
    /// <summary>Recipients queued per transaction: big enough to keep round trips few, small enough to hold no lock for long.</summary>
    public const int SendBatch = 500;
    public const int MaxPageSize = 200;
    public const int MaxListLength = 5_000_000;

    public sealed record Summary(int CaseId, string Reference, string Title, bool IsCampaign, DateTime? FirstSentAt,
        IReadOnlyDictionary<CampaignRecipientState, int> Counts, int PossiblyMitigated, string? Policy)
    {
        public int Total => Counts.Values.Sum();
        public int Count(CampaignRecipientState state) => Counts.TryGetValue(state, out var n) ? n : 0;
    }

    public sealed record Row(long Id, string? Email, string? Domain, string? Name, string Findings, int FindingCount, CampaignRecipientState State,
        bool PossiblyMitigated, string? StateDetail, DateTime? NotifiedAt, DateTime? StateChangedAt, DateTime? NoResponseAt);

    /// <param name="After">The last id of the previous page (keyset); null for the first page.</param>
    public sealed record Query(CampaignRecipientState? State = null, string? Search = null, bool PossiblyMitigatedOnly = false, long? After = null, int PageSize = 50);

    public sealed record Page(IReadOnlyList<Row> Rows, long? NextAfter);

    public sealed record SendOutcome(int Queued, int Batches);

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        EmailTemplateStore templateStore,
        Outbox outbox,
        IOptions<EmailOptions> emailOptions)
    {
        /// <summary>The campaign's counts, or null when the user may not see the case.</summary>
        public async Task<Summary?> SummaryAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var @case = await db.CasesVisibleTo(user).AsNoTracking().Where(c => c.Reference == reference)
                .Select(c => new { c.Id, c.Reference, c.Title, c.DisclosurePolicy })
                .SingleOrDefaultAsync(cancellationToken);
            if (@case is null)
            {
                return null;
            }
            var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == @case.Id, cancellationToken);
            var counts = await db.CampaignRecipients.AsNoTracking().Where(r => r.CaseId == @case.Id)
                .GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
            var possibly = await db.CampaignRecipients.AsNoTracking().CountAsync(r => r.CaseId == @case.Id && r.PossiblyMitigated, cancellationToken);
            return new Summary(@case.Id, @case.Reference, @case.Title, campaign is not null, campaign?.FirstSentAt, counts, possibly, @case.DisclosurePolicy);
        }

        /// <summary>One page of recipients in id order, filtered by state and a search in address, domain, name and endpoints.</summary>
        public async Task<Page?> PageAsync(string reference, Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(query);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
            var rows = db.CampaignRecipients.AsNoTracking().Where(r => r.CaseId == caseId);
            if (query.State is { } state)
            {
                rows = rows.Where(r => r.State == state);
            }
            if (query.PossiblyMitigatedOnly)
            {
                rows = rows.Where(r => r.PossiblyMitigated);
            }
            if (!string.IsNullOrWhiteSpace(query.Search))
            {
                var term = query.Search.Trim().ToLowerInvariant();
                // Key holds the lower-cased address; Findings the endpoints (hosts are stored lower-cased).
                rows = rows.Where(r => r.Key.Contains(term) || r.Findings.Contains(term) || (r.Name != null && r.Name.ToLower().Contains(term)));
            }
            if (query.After is { } after)
            {
                rows = rows.Where(r => r.Id > after);
            }
            var page = await rows.OrderBy(r => r.Id).Take(size + 1)
                .Select(r => new Row(r.Id, r.Email, r.Domain, r.Name, r.Findings, r.FindingCount, r.State, r.PossiblyMitigated, r.StateDetail,
                    r.NotifiedAt, r.StateChangedAt, r.NoResponseAt))
                .ToListAsync(cancellationToken);
            return page.Count > size ? new Page(page[..size], page[size - 1].Id) : new Page(page, null);
        }

        /// <summary>
        /// Adds the recipients of a pasted or uploaded list (address, host, port[, name] per line) and makes the case a
        /// campaign if it is not one yet. A list with any bad line changes nothing.
        /// </summary>
        public async Task<CommandResult<CampaignRecipientList.Merged>> AddListAsync(string reference, string text, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (text is null || text.Length > MaxListLength)
            {
                return CommandResult.Fail($"The list is longer than {MaxListLength / 1_000_000} million characters; split it.");
            }
            var (entries, errors) = CampaignRecipientList.Parse(text);
            if (errors.Count > 0)
            {
                var shown = errors.Take(20).ToList();
                return CommandResult.Fail(string.Join(" ", shown) + (errors.Count > shown.Count ? $" … and {errors.Count - shown.Count} more line(s) with errors." : "") + " Nothing was added.");
            }
            if (entries.Count == 0)
            {
                return CommandResult.Fail("The list has no recipients.");
            }
            CampaignRecipientList.Merged? merged = null;
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                await EnsureCampaignAsync(db, @case, now, null, cancellationToken);
                merged = await CampaignRecipientList.MergeAsync(db, @case.Id, entries, now, cancellationToken);
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CampaignChanged,
                    $"Campaign list added by {user.Name}: {entries.Count} line(s), {merged.Added} new recipient(s), {merged.Updated} recipient(s) with new endpoints.");
                return CommandResult.Success;
            }, cancellationToken);
            return result.Succeeded ? CommandResult<CampaignRecipientList.Merged>.Ok(merged!) : result;
        }

        /// <summary>Makes <paramref name="case"/> a campaign, in the caller's transaction, unless it is one already.</summary>
        internal static async Task EnsureCampaignAsync(AppDbContext db, Case @case, DateTime now, long? importRunId, CancellationToken cancellationToken)
        {
            if (!await db.Campaigns.AnyAsync(c => c.CaseId == @case.Id, cancellationToken))
            {
                db.Campaigns.Add(new Campaign { CaseId = @case.Id, CreatedAt = now, ImportRunId = importRunId });
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.CampaignChanged,
                    "The case became a campaign: one case file, one recipient row per address.");
            }
        }

        /// <summary>
        /// Queues the notification and follow-ups of every recipient not sent to yet, <see cref="SendBatch"/> recipients
        /// per transaction. Each email carries the dedup key <c>campaign:{recipient}:notify</c> (and one per follow-up) under
        /// the outbox's unique index, and only recipients still "Not sent yet" are taken, so running it again (or twice at
        /// once) sends nobody twice.
        /// </summary>
        public async Task<CommandResult<SendOutcome>> SendAsync(string reference, string? policyId, int? customDays, CurrentUser user, CancellationToken cancellationToken = default)
        {
            int? caseId;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
                if (caseId is null)
                {
                    return CommandResult.NotFound;
                }
                if (!await db.Campaigns.AnyAsync(c => c.CaseId == caseId, cancellationToken))
                {
                    return CommandResult.Fail("This case is not a campaign; add recipients first.");
                }
            }
            var queued = 0;
            var batches = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var emails = new List<OutboxMessage>();
                var taken = 0;
                var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
                {
                    emails.Clear();
                    var policy = DisclosurePolicies.Of(@case) ?? DisclosurePolicies.Resolve(policyId ?? DisclosurePolicies.ExposedData.Id, customDays);
                    if (policy is null)
                    {
                        return CommandResult.Fail($"Choose a disclosure policy; a custom one needs {DisclosurePolicies.MinCustomDays} to {DisclosurePolicies.MaxCustomDays} days.", "PolicyId");
                    }
                    // Read inside the transaction: a batch another send took meanwhile is no longer pending.
                    var recipients = await db.CampaignRecipients
                        .Where(r => r.CaseId == @case.Id && r.State == CampaignRecipientState.Pending)
                        .OrderBy(r => r.Id).Take(SendBatch).ToListAsync(cancellationToken);
                    taken = recipients.Count;
                    if (taken == 0)
                    {
                        return CommandResult.Success;
                    }
                    var campaign = await db.Campaigns.SingleAsync(c => c.CaseId == @case.Id, cancellationToken);
                    if (@case.FirstNotifiedAt is null)
                    {
                        @case.FirstNotifiedAt = now;
                        @case.DisclosurePolicy = policy.Name;
                        @case.DisclosurePolicyId = policy.Id;
                        @case.DisclosureDays = policy.Days;
                        @case.DisclosureDeadlineAt = policy.DatesFor(now).PublishAfter;
                    }
                    campaign.FirstSentAt ??= now;
                    var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
                    foreach (var recipient in recipients)
                    {
                        emails.AddRange(Queue(db, @case, recipient, templates, policy, user, now));
                    }
                    var steps = FollowUpSchedule.Steps.Select(s => (now + s.After).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.OwnerNotified,
                        $"Campaign notification queued to {taken} recipient(s) (ids {recipients[0].Id}–{recipients[^1].Id}) under {policy.Name}; " +
                        $"follow-ups to each on {string.Join(", ", steps)} unless they answer; No response on {now + FollowUpSchedule.NoResponseAfter:yyyy-MM-dd}.",
                        EventVisibility.Internal);
                    return CommandResult.Success;
                }, cancellationToken);
                if (!result.Succeeded)
                {
                    return queued > 0
                        ? CommandResult.Fail($"{queued} recipient(s) were queued, then: {result.Summary}")
                        : result;
                }
                if (taken == 0)
                {
                    break;
                }
                outbox.Dispatch(emails);
                queued += taken;
                batches++;
            }
            return queued == 0
                ? CommandResult.Fail("Nobody is waiting to be sent: every recipient with an address was queued already.")
                : CommandResult<SendOutcome>.Ok(new SendOutcome(queued, batches));
        }

        /// <summary>Renders and adds one recipient's notification and follow-ups; the recipient becomes Scheduled.</summary>
        private IEnumerable<OutboxMessage> Queue(AppDbContext db, Case @case, CampaignRecipient recipient, ActiveEmailTemplates templates, DisclosurePolicy policy, CurrentUser user, DateTime now)
        {
            recipient.Round++;
            var options = emailOptions.Value;
            var parameters = new NotificationParameters
            {
                TimeZone = user.TimeZone,
                Now = now,
                ResearcherName = user.Name,
                TeamName = options.FromName,
                ReplyAddress = options.ReplyToAddress ?? options.FromAddress,
                RecipientName = recipient.Name,
                RecipientEmail = recipient.Email,
                Findings = recipient.Findings.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                FirstNotifiedAt = now,
                DeadlineAt = @case.DisclosureDeadlineAt ?? policy.DeadlineFrom(now),
                NoResponseAt = now + FollowUpSchedule.NoResponseAfter,
                PolicyName = policy.Name,
                PolicyUrl = policy.Url,
            };
            var to = new[] { recipient.Email! };
            var notification = templates.Render(EmailTemplateId.CampaignNotification, NotificationModel.Create(@case, parameters));
            var rows = new List<OutboxMessage>
            {
                outbox.Enqueue(db, new OutgoingEmail(to, notification.Subject, notification.TextBody, @case.Id, OutboxPurpose.CampaignNotification,
                    CampaignMail.NotifyKey(recipient.Id, recipient.Round), recipient.Id)),
            };
            for (var step = 0; step < FollowUpSchedule.Steps.Count; step++)
            {
                var followUp = templates.Render(EmailTemplateId.CampaignFollowUp,
                    NotificationModel.Create(@case, parameters with { NoticesSent = FollowUpSchedule.Steps[step].NoticeNumber }));
                rows.Add(outbox.Enqueue(db, new OutgoingEmail(to, followUp.Subject, followUp.TextBody, @case.Id, OutboxPurpose.CampaignFollowUp,
                    CampaignMail.FollowUpKey(recipient.Id, recipient.Round, step + 1), recipient.Id), now + FollowUpSchedule.Steps[step].After));
            }
            recipient.State = CampaignRecipientStates.Next(recipient.State, CampaignEvent.Queued);
            recipient.NotifiedAt = now;
            recipient.StateChangedAt = now;
            recipient.StateDetail = null;
            recipient.NoResponseAt = now + FollowUpSchedule.NoResponseAfter;
            return rows;
        }

        /// <summary>Records that the recipient fixed their hosts; their follow-ups stop.</summary>
        public Task<CommandResult> MarkMitigatedAsync(string reference, long recipientId, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (!await db.CampaignRecipients.AnyAsync(r => r.Id == recipientId && r.CaseId == @case.Id, cancellationToken))
                {
                    return CommandResult.Fail("No such recipient in this campaign.");
                }
                var change = await CampaignMail.ApplyAsync(db, recipientId, CampaignEvent.MarkedMitigated, now, $"marked by {user.Name}", cancellationToken);
                if (change is null)
                {
                    return CommandResult.Fail("This recipient cannot be marked mitigated (already mitigated, or no address).");
                }
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CampaignChanged, change);
                return CommandResult.Success;
            }, cancellationToken);

        /// <summary>
        /// Gives a bounced or address-less recipient a (corrected) address; once the campaign has been sent, the
        /// notification and follow-ups go to the new address at once, as a new round with its own dedup keys.
        /// </summary>
        public async Task<CommandResult> CorrectAddressAsync(string reference, long recipientId, string address, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var email = CampaignRecipientList.NormalizeAddress(address);
            if (email is null)
            {
                return CommandResult.Fail("Enter a single email address such as security@example.org.", "Address");
            }
            var emails = new List<OutboxMessage>();
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                emails.Clear();
                var recipient = await db.CampaignRecipients.SingleOrDefaultAsync(r => r.Id == recipientId && r.CaseId == @case.Id, cancellationToken);
                if (recipient is null)
                {
                    return CommandResult.Fail("No such recipient in this campaign.");
                }
                if (!CampaignRecipientStates.CanResend(recipient.State))
                {
                    return CommandResult.Fail($"Only a bounced recipient or one without an address can be given a new address; this one is {recipient.State.DisplayName()}.");
                }
                var key = CampaignRecipientList.KeyOf(email, "");
                if (key != recipient.Key && await db.CampaignRecipients.AnyAsync(r => r.CaseId == @case.Id && r.Key == key, cancellationToken))
                {
                    return CommandResult.Fail($"{email} is already a recipient of this campaign.", "Address");
                }
                var old = recipient.Email;
                recipient.Email = email;
                recipient.Domain = CampaignRecipientList.Domain(email);
                recipient.Key = key;
                recipient.State = CampaignRecipientStates.Next(recipient.State, CampaignEvent.AddressCorrected);
                recipient.StateChangedAt = now;
                recipient.StateDetail = old is null ? "address added" : $"address corrected from {old}";
                var campaign = await db.Campaigns.SingleAsync(c => c.CaseId == @case.Id, cancellationToken);
                var text = $"Campaign recipient {recipient.Id}: address {(old is null ? "added" : $"corrected from {old}")} to {email} by {user.Name}";
                if (campaign.FirstSentAt is not null)
                {
                    await CampaignMail.CancelFollowUpsAsync(db, recipient.Id, "the address was corrected", cancellationToken);
                    var policy = DisclosurePolicies.Of(@case) ?? DisclosurePolicies.ExposedData;
                    var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
                    emails.AddRange(Queue(db, @case, recipient, templates, policy, user, now));
                    text += $"; notification and follow-ups queued to the new address (round {recipient.Round}).";
                }
                else
                {
                    text += "; it is sent with the campaign.";
                }
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CampaignChanged, text);
                return CommandResult.Success;
            }, cancellationToken);
            if (result.Succeeded)
            {
                outbox.Dispatch(emails);
            }
            return result;
        }
    }
}
