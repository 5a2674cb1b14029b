using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// Runs a change to one existing case: loads it only if the user may see it, lets the change append its
/// timeline events, and saves case and events in one transaction. When another writer moved the case's
/// audit head first, the whole change is retried on fresh data, so no event is lost or forked.
/// </summary>
public sealed class CaseWriter(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    private const int MaxAttempts = 5;

    public Task<CommandResult> ChangeAsync(
        string reference,
        CurrentUser user,
        Func<AppDbContext, Case, DateTime, Task<CommandResult>> change,
        CancellationToken cancellationToken = default) =>
        RunAsync(db => db.CasesVisibleTo(user).Where(c => c.Reference == reference), change, cancellationToken);

    /// <summary>The same, for the app's own jobs: no user, so no access filter; the case is found by id.</summary>
    public Task<CommandResult> ChangeAsSystemAsync(
        int caseId,
        Func<AppDbContext, Case, DateTime, Task<CommandResult>> change,
        CancellationToken cancellationToken = default) =>
        RunAsync(db => db.Cases.Where(c => c.Id == caseId), change, cancellationToken);

    private async Task<CommandResult> RunAsync(
        Func<AppDbContext, IQueryable<Case>> find,
        Func<AppDbContext, Case, DateTime, Task<CommandResult>> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var @case = await find(db)
                .Include(c => c.Members)
                .Include(c => c.Contacts)
                .AsSplitQuery()
                .SingleOrDefaultAsync(cancellationToken);
            if (@case is null)
            {
                return CommandResult.NotFound;
            }

            var result = await change(db, @case, time.GetUtcNow().UtcDateTime);
            if (!result.Succeeded)
            {
                return result;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (DbUpdateException conflict) when (conflict.IsWriteConflict() && attempt < MaxAttempts)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }
    }
}
