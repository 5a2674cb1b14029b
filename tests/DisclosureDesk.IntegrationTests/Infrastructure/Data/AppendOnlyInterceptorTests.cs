using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Data;

[Collection(typeof(SqliteCollection))]
public sealed class AppendOnlyInterceptorTests(SqliteDisclosureDeskFactory app)
{
    [Fact]
    public async Task SaveChanges_TimelineEventModified_ThrowsAndLeavesRowUnchanged()
    {
        var first = await FirstEventOfNewCaseAsync();

        var refusal = await app.ExecuteDbContextAsync(async db =>
        {
            var tracked = await db.TimelineEvents.SingleAsync(e => e.Id == first.Id, TestContext.Current.CancellationToken);
            tracked.Text = "Case filed by somebody else.";
            return await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        });

        Assert.Contains("cannot be changed: the audit trail is append-only", refusal.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(first);
    }

    [Fact]
    public async Task SaveChanges_TimelineEventDeleted_ThrowsAndLeavesRowInPlace()
    {
        var first = await FirstEventOfNewCaseAsync();

        var refusal = await app.ExecuteDbContextAsync(async db =>
        {
            db.TimelineEvents.Remove(await db.TimelineEvents.SingleAsync(e => e.Id == first.Id, TestContext.Current.CancellationToken));
            return await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        });

        Assert.Contains("cannot be deleted: the audit trail is append-only", refusal.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(first);
    }

    private async Task<TimelineEvent> FirstEventOfNewCaseAsync()
    {
        var reference = await app.CreateCaseAsync(await app.CreateResearcherAsync("lead"));
        return await app.ExecuteDbContextAsync(db => db.TimelineEvents.AsNoTracking()
            .SingleAsync(e => e.Sequence == 1 && db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference), TestContext.Current.CancellationToken));
    }

    private async Task AssertUnchangedAsync(TimelineEvent expected)
    {
        var stored = await app.ExecuteDbContextAsync(db => db.TimelineEvents.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Id == expected.Id, TestContext.Current.CancellationToken));
        Assert.NotNull(stored);
        Assert.Equal(expected.Text, stored.Text);
        Assert.Equal(expected.Hash, stored.Hash);
        Assert.Equal(expected.Hash, AuditChain.ComputeHash(stored, await ReferenceOfAsync(stored.CaseId)));
    }

    private Task<string> ReferenceOfAsync(int caseId) =>
        app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Id == caseId).Select(c => c.Reference).SingleAsync(TestContext.Current.CancellationToken));
}
