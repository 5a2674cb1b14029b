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
        (await FileManyAsync(db, [(form, await CaseReferenceAllocator.NextAsync(db, referencePrefix, now.Year, cancellationToken))], leadId, actor, now, origin,
            cancellationToken))[0];

    /// <summary>
    /// <see cref="FileAsync"/> for many cases at once, each with a reference the caller allocated in the same transaction
    /// (<see cref="CaseReferenceAllocator"/>): the cases in one save, then each one's CaseCreated event, the first link
    /// of its own chain, in a second. The import files a batch this way instead of paying two saves per case.
    /// </summary>
    internal static async Task<IReadOnlyList<Case>> FileManyAsync(
        AppDbContext db, IReadOnlyList<(CaseForm Form, string Reference)> filings, string leadId, Actor actor, DateTime now, string? origin,
        CancellationToken cancellationToken)
    {
        var cases = new List<Case>(filings.Count);
        foreach (var (form, reference) in filings)
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
            cases.Add(@case);
        }
        db.Cases.AddRange(cases);
        await db.SaveChangesAsync(cancellationToken);

        foreach (var @case in cases)
        {
            CaseTimeline.Append(db, @case, actor, now, TimelineEventType.CaseCreated,
                $"Case {@case.Reference} filed: {@case.Service.DisplayName()} at {@case.Host}:{@case.Port}." + (origin is null ? "" : " " + origin));
        }
        await db.SaveChangesAsync(cancellationToken);
        return cases;
    }
}
