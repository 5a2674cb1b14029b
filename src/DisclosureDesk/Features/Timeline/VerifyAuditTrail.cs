using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Timeline;

/// <summary>Re-checks the audit chain of every case; behind the <c>verify-audit</c> command.</summary>
public static class VerifyAuditTrail
{
    public sealed record CaseResult(string Reference, ChainVerification Verification);

    public sealed record Report(int CasesChecked, int EventsChecked, CaseResult? FirstBroken)
    {
        public bool IsValid => FirstBroken is null;
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory)
    {
        /// <summary>Walks the cases in id order, a batch at a time, and stops at the first broken chain.</summary>
        public async Task<Report> HandleAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await VerifyAsync(db, cancellationToken);
        }
    }

    /// <summary>The same walk on a given context, e.g. inside the transaction that is copying the data in (<c>migrate-data</c>).</summary>
    public static async Task<Report> VerifyAsync(AppDbContext db, CancellationToken cancellationToken = default)
    {
        const int Batch = 500;
        var cases = 0;
        var events = 0;
        var lastId = 0;
        while (true)
        {
            var heads = await db.Cases.AsNoTracking()
                .Where(c => c.Id > lastId)
                .OrderBy(c => c.Id)
                .Take(Batch)
                .Select(c => new { c.Id, c.Reference, c.LastEventSequence, c.LastEventHash })
                .ToListAsync(cancellationToken);
            if (heads.Count == 0)
            {
                return new Report(cases, events, null);
            }
            var ids = heads.Select(h => h.Id).ToList();
            var byCase = (await db.TimelineEvents.AsNoTracking().Where(e => ids.Contains(e.CaseId)).ToListAsync(cancellationToken))
                .ToLookup(e => e.CaseId);
            foreach (var head in heads)
            {
                var verification = AuditChain.Verify(head.Reference, byCase[head.Id], head.LastEventSequence, head.LastEventHash);
                cases++;
                events += verification.EventCount;
                if (!verification.IsValid)
                {
                    return new Report(cases, events, new CaseResult(head.Reference, verification));
                }
            }
            lastId = heads[^1].Id;
        }
    }
}
