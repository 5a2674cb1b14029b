namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Lets one <see cref="DeliverOutboxJob"/> run at a time deliver in this process; the others wait their turn. Runs
/// at once only contend for the same rows (each row is claimed by one of them anyway) and, on SQLite, for the one
/// writer lock, whose waits cost more than a second run saves. Runs in other processes are kept apart by the claims.
/// </summary>
public sealed class OutboxDeliveryGate : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for this process's turn; dispose the result to hand the turn on.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    public void Dispose() => _turn.Dispose();

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
