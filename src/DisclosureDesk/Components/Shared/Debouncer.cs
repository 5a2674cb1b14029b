namespace DisclosureDesk.Components.Shared;

/// <summary>
/// Runs an action once input has paused for <paramref name="delay"/>: each call cancels the one before, so
/// typing a word costs one run, not one per key. Waits on the injected clock, so tests advance it instead of sleeping.
/// </summary>
public sealed class Debouncer(TimeProvider time, TimeSpan delay) : IDisposable
{
    private CancellationTokenSource? _pending;

    /// <summary>True from a call until its action has run or been superseded and the last one ran.</summary>
    public bool IsPending => _pending is not null;

    /// <summary>Completes after <paramref name="action"/> ran, or at once (without running it) when a later call superseded this one.</summary>
    public async Task RunAsync(Func<Task> action)
    {
        _pending?.Cancel();
        _pending?.Dispose();
        var pending = _pending = new CancellationTokenSource();
        try
        {
            await Task.Delay(delay, time, pending.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // The delay may have ended just before a later call cancelled it; that later call will run instead.
        if (pending.IsCancellationRequested)
        {
            return;
        }
        if (_pending == pending)
        {
            _pending = null;
            pending.Dispose();
        }
        await action();
    }

    public void Dispose()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = null;
    }
}
