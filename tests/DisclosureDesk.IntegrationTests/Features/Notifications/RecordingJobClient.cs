using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>An <see cref="IBackgroundJobClient"/> that only remembers what it was asked to run, and when.</summary>
public sealed class RecordingJobClient : IBackgroundJobClient
{
    public sealed record Request(Job Job, IState State)
    {
        public TimeSpan? Delay => State is ScheduledState scheduled ? scheduled.EnqueueAt - scheduled.ScheduledAt : null;
    }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public string Create(Job job, IState state)
    {
        Requests.Enqueue(new Request(job, state));
        return Guid.NewGuid().ToString("N");
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}
