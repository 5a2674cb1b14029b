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

            var @case = new Case
            {
                Reference = await CaseReferenceAllocator.NextAsync(db, options.Value.ReferencePrefix, now.Year, cancellationToken),
                Status = CaseStatus.New,
                LeadId = user.Id,
                CreatedAt = now,
                UpdatedAt = now,
            };
            form.ApplyTo(@case);
            db.Cases.Add(@case);
            await db.SaveChangesAsync(cancellationToken);

            CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CaseCreated,
                $"Case {@case.Reference} filed: {@case.Service.DisplayName()} at {@case.Host}:{@case.Port}.");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return CommandResult<string>.Ok(@case.Reference);
        }
    }
}
