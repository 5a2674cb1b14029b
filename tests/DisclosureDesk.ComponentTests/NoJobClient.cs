using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace DisclosureDesk.ComponentTests;

/// <summary>Accepts jobs and runs none: component tests look at what a page shows, not at delivery.</summary>
internal sealed class NoJobClient : IBackgroundJobClient
{
    private int _next;

    public string Create(Job job, IState state) => Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}
