using System.Diagnostics;
using DisclosureDesk.Features.Notifications;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// The app stopped in the middle of a batch and started again on the same data directory: the real Hangfire server
/// on jobs.db, the real SMTP transport, a real SMTP server, real SQLite files.
/// </summary>
[Collection(typeof(HangfireServerCollection))]
public sealed class OutboxRestartTests
{
    private const int Count = 200;

    [Fact]
    public async Task Delivery_AppStoppedMidBatchAndStartedAgain_DeliversEveryMessageExactlyOnce()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var smtp = TestSmtpServer.Start();
        // A server that takes a moment to answer, so the batch is still going when the app is told to stop.
        smtp.ReplyDelay = TimeSpan.FromMilliseconds(25);
        await using var data = new SqliteTestDatabase();

        List<OutboxMessage> queued;
        await using (var first = new HangfireSqliteFactory(smtp.Port, data))
        {
            await first.InitializeAsync();
            queued = await first.ExecuteDbContextAsync(async db =>
            {
                var outbox = first.Services.GetRequiredService<Outbox>();
                var rows = Enumerable.Range(1, Count)
                    .Select(i => outbox.Enqueue(db, new OutgoingEmail([$"owner-{i}@restart.example"], $"Notice {i}", $"Body {i}.\r\n")))
                    .ToList();
                await db.SaveChangesAsync(cancellationToken);
                outbox.Dispatch(rows);
                return rows;
            });
            await WaitUntilAsync(() => smtp.Received.Count >= 20, cancellationToken);
        }

        // The stopped app finished the message it had on the wire and claimed nothing more.
        var atStop = smtp.Received.Count;
        Assert.True(atStop < Count, $"All {Count} messages went out before the stop took effect; the test needs a stop mid-batch.");
        var states = await CountStatesAsync(data);
        Assert.Equal(new Dictionary<OutboxState, int> { [OutboxState.Sent] = atStop, [OutboxState.Due] = Count - atStop }, states);

        await using (var second = new HangfireSqliteFactory(smtp.Port, data))
        {
            await second.InitializeAsync();
            await WaitUntilAsync(async () => !(await CountStatesAsync(data)).ContainsKey(OutboxState.Due), cancellationToken);
            await WaitUntilAsync(async () => (await CountStatesAsync(data)).Keys.All(s => s == OutboxState.Sent), cancellationToken);
        }

        Assert.Equal(new Dictionary<OutboxState, int> { [OutboxState.Sent] = Count }, await CountStatesAsync(data));
        var arrived = smtp.Received.Select(bytes => MimeMessage.Load(new MemoryStream(bytes), cancellationToken).MessageId).ToList();
        Assert.Equal(queued.Select(m => m.MessageId).Order(StringComparer.Ordinal), arrived.Order(StringComparer.Ordinal));
        Assert.Equal(Count, smtp.DataCount);
    }

    private static async Task<Dictionary<OutboxState, int>> CountStatesAsync(SqliteTestDatabase data)
    {
        await using var connection = new SqliteConnection(data.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT State, COUNT(*) FROM OutboxMessages GROUP BY State";
        await using var reader = await command.ExecuteReaderAsync();
        var states = new Dictionary<OutboxState, int>();
        while (await reader.ReadAsync())
        {
            states[(OutboxState)reader.GetInt32(0)] = reader.GetInt32(1);
        }
        return states;
    }

    private static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), cancellationToken);

    /// <summary>Waits, within a generous bound, for something the assertions that follow then check.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition() && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
