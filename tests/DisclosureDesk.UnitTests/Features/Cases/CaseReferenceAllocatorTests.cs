using DisclosureDesk.Features.Cases;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.UnitTests.Features.Cases;

public sealed class CaseReferenceAllocatorTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "disclosuredesk-unit-" + Guid.NewGuid().ToString("N"));
    private DbContextOptions<AppDbContext> _options = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "allocator.db");
        _options = DataServiceCollectionExtensions.BuildOptions(new DatabaseOptions { ConnectionString = $"Data Source={file}" }, _directory);
        await using var db = new SqliteAppDbContext(_options);
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open, and an open file cannot be deleted on every OS.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("DD", 2026, 1, "DD-2026-00001")]
    [InlineData("DD", 2026, 12345, "DD-2026-12345")]
    [InlineData("CVD", 999, 42, "CVD-0999-00042")]
    public void Format_PrefixYearNumber_PadsYearAndNumber(string prefix, int year, int number, string expected)
    {
        Assert.Equal(expected, CaseReferenceAllocator.Format(prefix, year, number));
    }

    [Fact]
    public async Task NextAsync_ConcurrentTransactions_HandOutEachNumberOnce()
    {
        const int Allocations = 40;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allocations = Enumerable.Range(0, Allocations)
            .Select(_ => Task.Run(async () =>
            {
                await go.Task;
                return await AllocateAsync(2026);
            }))
            .ToList();

        go.SetResult();
        var references = await Task.WhenAll(allocations);

        var expected = Enumerable.Range(1, Allocations).Select(n => CaseReferenceAllocator.Format("DD", 2026, n));
        Assert.Equal(expected, references.Order(StringComparer.Ordinal));
        await using var db = new SqliteAppDbContext(_options);
        var counter = await db.CaseNumberCounters.SingleAsync(c => c.Year == 2026, TestContext.Current.CancellationToken);
        Assert.Equal(Allocations, counter.LastNumber);
    }

    [Fact]
    public async Task NextAsync_NewYear_StartsAgainAtOne()
    {
        Assert.Equal("DD-2026-00001", await AllocateAsync(2026));
        Assert.Equal("DD-2026-00002", await AllocateAsync(2026));

        Assert.Equal("DD-2027-00001", await AllocateAsync(2027));
        Assert.Equal("DD-2026-00003", await AllocateAsync(2026));
    }

    [Fact]
    public async Task NextAsync_CallersTransactionRolledBack_NumberIsNotConsumed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var db = new SqliteAppDbContext(_options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            Assert.Equal("DD-2026-00001", await CaseReferenceAllocator.NextAsync(db, "DD", 2026, ct));
            await transaction.RollbackAsync(ct);
        }

        Assert.Equal("DD-2026-00001", await AllocateAsync(2026));
    }

    [Fact]
    public async Task NextAsync_Block_HandsOutConsecutiveNumbersAfterTheLastAndBeforeTheNext()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("DD-2026-00001", await AllocateAsync(2026));
        IReadOnlyList<string> block, firstOfYear;
        await using (var db = new SqliteAppDbContext(_options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            block = await CaseReferenceAllocator.NextAsync(db, "DD", 2026, 3, ct);
            firstOfYear = await CaseReferenceAllocator.NextAsync(db, "DD", 2027, 2, ct);
            await transaction.CommitAsync(ct);
        }

        Assert.Equal(["DD-2026-00002", "DD-2026-00003", "DD-2026-00004"], block);
        Assert.Equal(["DD-2027-00001", "DD-2027-00002"], firstOfYear);
        Assert.Equal("DD-2026-00005", await AllocateAsync(2026));
    }

    private async Task<string> AllocateAsync(int year)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = new SqliteAppDbContext(_options);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var reference = await CaseReferenceAllocator.NextAsync(db, "DD", year, ct);
        await transaction.CommitAsync(ct);
        return reference;
    }
}
