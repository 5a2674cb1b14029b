using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Cases;

public static class CreateCase
{
    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, IOptions<CaseOptions> options)
    {
        /// <summary>Files a new case led by <paramref name="user"/>; returns its reference.</summary>
        public async Task<CommandResult<string>> HandleAsync(CaseForm form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsApproved)
            {
                return CommandResult.Fail("Your account must be approved before you can file cases.");
            }
            var errors = ModelValidation.Validate(form);
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }

            var now = time.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            var @case = await FileAsync(db, form, user.Id, user.AsActor(), now, options.Value.ReferencePrefix, origin: null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return CommandResult<string>.Ok(@case.Reference);
        }
    }

    /// <summary>
    /// Adds a validated case and its CaseCreated event inside the caller's transaction (the form and the import both
    /// file cases this way). <paramref name="origin"/>, when given, ends the event's text: where the case came from.
    /// </summary>
    internal static async Task<Case> FileAsync(
        AppDbContext db, CaseForm form, string leadId, Actor actor, DateTime now, string referencePrefix, string? origin,
        CancellationToken cancellationToken) =>
        await FileAsAsync(db, form, await CaseReferenceAllocator.NextAsync(db, referencePrefix, now.Year, cancellationToken), leadId, actor, now, origin,
            cancellationToken);

    /// <summary>
    /// <see cref="FileAsync"/> with a <paramref name="reference"/> the caller allocated in the same transaction
    /// (<see cref="CaseReferenceAllocator"/>; the import takes a batch's references in one statement).
    /// </summary>
    internal static async Task<Case> FileAsAsync(
        AppDbContext db, CaseForm form, string reference, string leadId, Actor actor, DateTime now, string? origin,
        CancellationToken cancellationToken)
    {
        var @case = new Case
        {
            Reference = reference,
            Status = CaseStatus.New,
            LeadId = leadId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        form.ApplyTo(@case);
        db.Cases.Add(@case);
        await db.SaveChangesAsync(cancellationToken);

        CaseTimeline.Append(db, @case, actor, now, TimelineEventType.CaseCreated,
            $"Case {@case.Reference} filed: {@case.Service.DisplayName()} at {@case.Host}:{@case.Port}." + (origin is null ? "" : " " + origin));
        await db.SaveChangesAsync(cancellationToken);
        return @case;
    }
}
