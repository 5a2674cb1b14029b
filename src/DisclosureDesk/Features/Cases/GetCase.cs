using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Cases;

public static class GetCase
{
    public sealed record TeamMember(string Id, string Name, string? Email, bool IsLead);

    public sealed record Details(Case Case, IReadOnlyList<TeamMember> Team, ChainVerification Chain, bool IsCampaign)
    {
        public TeamMember Lead => Team.Single(m => m.IsLead);
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory)
    {
        /// <summary>The case with its team and the verdict on its audit chain, or null when the user may not see it.</summary>
        public async Task<Details?> HandleAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var @case = await db.CasesVisibleTo(user).AsNoTracking()
                .Include(c => c.Members)
                .Include(c => c.Contacts)
                .AsSplitQuery()
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);
            if (@case is null)
            {
                return null;
            }

            var memberIds = @case.Members.Select(m => m.UserId).Append(@case.LeadId).ToList();
            var users = await db.Users.AsNoTracking().Where(u => memberIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
            var team = memberIds
                .Select(id => users.TryGetValue(id, out var u)
                    ? new TeamMember(id, u.Label, u.Email, id == @case.LeadId)
                    : new TeamMember(id, id, null, id == @case.LeadId))
                .OrderByDescending(m => m.IsLead).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();

            var events = db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == @case.Id).OrderBy(e => e.Sequence).AsAsyncEnumerable();
            var chain = await AuditChain.VerifyAsync(@case.Reference, events, @case.LastEventSequence, @case.LastEventHash, cancellationToken);
            var isCampaign = await db.Campaigns.AnyAsync(c => c.CaseId == @case.Id, cancellationToken);
            return new Details(@case, team, chain, isCampaign);
        }
    }
}

public static class GetCaseTimeline
{
    public const int PageSize = 50;

    public sealed record Query(string Reference, IReadOnlySet<TimelineEventType>? Types = null, int? BeforeSequence = null);

    public sealed record Page(IReadOnlyList<TimelineEvent> Events, bool HasOlder);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory)
    {
        /// <summary>The newest events first, <see cref="PageSize"/> at a time, optionally of some types only.</summary>
        public async Task<Page?> HandleAsync(Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var caseId = await db.CasesVisibleTo(user).AsNoTracking()
                .Where(c => c.Reference == query.Reference)
                .Select(c => (int?)c.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            var events = db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == caseId);
            if (query.Types is { Count: > 0 } types)
            {
                var typeList = types.ToList();
                events = events.Where(e => typeList.Contains(e.Type));
            }
            if (query.BeforeSequence is { } before)
            {
                events = events.Where(e => e.Sequence < before);
            }
            var page = await events.OrderByDescending(e => e.Sequence).Take(PageSize + 1).ToListAsync(cancellationToken);
            var hasOlder = page.Count > PageSize;
            return new Page(hasOlder ? page[..PageSize] : page, hasOlder);
        }
    }
}
