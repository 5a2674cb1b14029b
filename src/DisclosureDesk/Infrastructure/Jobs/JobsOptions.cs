using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Infrastructure.Jobs;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>False: this process only enqueues, and another instance (or nobody, in some tests) runs the jobs.</summary>
    public bool RunServer { get; set; } = true;

    [Range(1, 20, ErrorMessage = "Jobs:WorkerCount must be between 1 and 20.")]
    public int WorkerCount { get; set; } = 2;

    /// <summary>How often idle workers look for new jobs; it bounds how long an immediate email waits to start.</summary>
    [Range(50, 60_000, ErrorMessage = "Jobs:QueuePollIntervalMilliseconds must be between 50 and 60000.")]
    public int QueuePollIntervalMilliseconds { get; set; } = 500;
}
