using System.Globalization;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.IntegrationTests.Infrastructure.ScaleOut;

/// <summary>
/// The test's own view of a shared PostgreSQL database: the app in memory, running no Hangfire server, through whose
/// handlers the test files cases, queues notifications (Hangfire jobs land in the shared storage for the instances
/// to run) and reads the results.
/// </summary>
internal sealed class ScaleOutHost(string connectionString, int smtpPort) : DisclosureDeskFactory
{
    /// <summary>
    /// The clock of the test's handlers: 22 days behind the machine's, which the separate instances run on. So every
    /// follow-up planned now (7, 14 and 21 days later) has already fallen due by the instances' clock and goes out in
    /// the same batch, while the 28-day No-response mark has not come, so the hourly job leaves the cases alone.
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow() - TimeSpan.FromDays(22));

    public IReadOnlyDictionary<string, string?> InstanceSettings => new Dictionary<string, string?>(DatabaseSettings)
    {
        ["Jobs:RunServer"] = "true",
        ["Jobs:QueuePollIntervalMilliseconds"] = "200",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
    };

    protected override IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = nameof(DatabaseProvider.PostgreSql),
        ["Database:ConnectionString"] = connectionString,
    };

    protected override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>(InstanceSettings)
    {
        ["Jobs:RunServer"] = "false",
    };

    public override void RequireDatabase() => PostgreSqlTestDatabase.RequireServer();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }
}
