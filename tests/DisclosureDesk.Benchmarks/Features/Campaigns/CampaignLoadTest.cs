using System.Diagnostics;
using System.Globalization;
using System.Text;
using DisclosureDesk.Benchmarks.Features.Notifications;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using DisclosureDesk.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Benchmarks.Features.Campaigns;

/// <summary>
/// <c>-- --campaign</c>: a 10,000-recipient campaign end to end through the app's own code: the list added to an
/// umbrella case (<see cref="ManageCampaign.Handler.AddListAsync"/>), "Send campaign" (every notification and its three
/// follow-ups rendered and written to the outbox), and every notification delivered by the real outbox (Hangfire on
/// jobs.db, the SMTP transport) to a loopback SMTP sink that counts Message-IDs. Reports each phase, the end-to-end
/// throughput, duplicate and missing Message-IDs at the sink, and the recipients' states once the results are recorded.
/// </summary>
internal static class CampaignLoadTest
{
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(15);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var count = args.SkipWhile(a => a != "--count").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(10_000);
        output.WriteLine($"Campaign load test: {count:N0} recipients, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        await using var sink = SmtpSink.Start();
        var dataDirectory = Directory.CreateTempSubdirectory("disclosuredesk-campaignbench-");
        try
        {
            using var host = BuildHost(dataDirectory.FullName, sink.Port);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            }
            await host.StartAsync();
            var (user, reference, caseId) = await UmbrellaCaseAsync(host.Services);
            var list = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                list.Append(CultureInfo.InvariantCulture, $"owner-{i}@net{i % 997}.example, 10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}, 27017, Owner {i}\n");
            }

            var clock = Stopwatch.StartNew();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var added = await scope.ServiceProvider.GetRequiredService<ManageCampaign.Handler>().AddListAsync(reference, list.ToString(), user);
                Check(added.Result, "add the list");
            }
            var created = clock.Elapsed;
            ManageCampaign.SendOutcome sent;
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var outcome = await scope.ServiceProvider.GetRequiredService<ManageCampaign.Handler>().SendAsync(reference, null, null, user);
                Check(outcome.Result, "send");
                sent = outcome.Value!;
            }
            var queued = clock.Elapsed;
            var complete = await sink.WaitForAsync(count, PhaseLimit);
            var delivered = clock.Elapsed;

            // The sink has every message once the last reply went out; the runs still record the results on the case.
            var dbFactory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
            Dictionary<CampaignRecipientState, int> states;
            var settle = Stopwatch.StartNew();
            do
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                states = await db.CampaignRecipients.Where(r => r.CaseId == caseId).GroupBy(r => r.State).ToDictionaryAsync(g => g.Key, g => g.Count());
                if (states.GetValueOrDefault(CampaignRecipientState.Sent) < count)
                {
                    await Task.Delay(200);
                }
            }
            while (states.GetValueOrDefault(CampaignRecipientState.Sent) < count && settle.Elapsed < TimeSpan.FromMinutes(2));
            var recorded = clock.Elapsed;

            List<string> expected;
            int emailSentEvents, outboxRows;
            bool chainValid;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                expected = await db.OutboxMessages.Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.CampaignNotification).Select(m => m.MessageId).ToListAsync();
                outboxRows = await db.OutboxMessages.CountAsync(m => m.CaseId == caseId);
                emailSentEvents = await db.TimelineEvents.CountAsync(e => e.CaseId == caseId && e.Type == TimelineEventType.EmailSent);
            }
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var details = await scope.ServiceProvider.GetRequiredService<GetCase.Handler>().HandleAsync(reference, user);
                chainValid = details!.Chain.IsValid;
            }
            var seen = sink.MessageIds;
            var wanted = expected.ToHashSet(StringComparer.Ordinal);
            var duplicates = seen.Values.Sum(n => n - 1) + seen.Keys.Count(id => !wanted.Contains(id));
            var missing = expected.Count(id => !seen.ContainsKey(id));

            output.WriteLine($"Create (add {count:N0} recipients from a list): {created.TotalSeconds:0.00} s");
            output.WriteLine($"Send ({sent.Queued:N0} recipients in {sent.Batches} batches, {outboxRows:N0} outbox rows with the follow-ups): {(queued - created).TotalSeconds:0.00} s");
            output.WriteLine($"Deliver until the sink had all {count:N0}: {(delivered - queued).TotalSeconds:0.00} s = {count / (delivered - queued).TotalSeconds:N0} msgs/s" + (complete ? "" : " (stopped at the limit)"));
            output.WriteLine($"All results recorded (recipients Sent, EmailSent events on the case): {(recorded - queued).TotalSeconds:0.00} s");
            output.WriteLine($"End to end: {recorded.TotalSeconds:0.00} s = {count / recorded.TotalSeconds:N0} recipients/s");
            output.WriteLine($"Sink: {sink.Received:N0} received, duplicates {duplicates}, missing {missing}; recipients {string.Join(", ", states.Select(s => $"{s.Key} {s.Value:N0}"))}; " +
                             $"EmailSent events {emailSentEvents:N0}; audit chain {(chainValid ? "verified" : "BROKEN")}; load average {LoadAverage()}");
            await host.StopAsync();
            return complete && duplicates == 0 && missing == 0 && chainValid && states.GetValueOrDefault(CampaignRecipientState.Sent) == count ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dataDirectory.Delete(recursive: true);
        }
    }

    private static void Check(CommandResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {result.Summary}");
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<(CurrentUser User, string Reference, int CaseId)> UmbrellaCaseAsync(IServiceProvider services)
    {
        var user = new CurrentUser("campaign-bench", "Bench Researcher", IsAdministrator: true, IsApproved: true, TimeZoneInfo.Utc);
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        db.Users.Add(new ApplicationUser { Id = user.Id, UserName = "bench@example.org", Email = "bench@example.org", DisplayName = user.Name });
        await db.SaveChangesAsync();
        var form = new CaseForm { Title = "Campaign: open MongoDB", Host = "10.0.0.0", Port = 27017, Service = ServiceEngine.MongoDB };
        var @case = await CreateCase.FileAsync(db, form, user.Id, user.AsActor(), services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            services.GetRequiredService<IOptions<CaseOptions>>().Value.ReferencePrefix, "Campaign load test.", CancellationToken.None);
        return (user, @case.Reference, @case.Id);
    }

    /// <summary>The app's registrations for data, mail, jobs and campaigns, as Program.cs makes them, without the web front.</summary>
    private static IHost BuildHost(string dataDirectory, int smtpPort)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = dataDirectory,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = nameof(SmtpSecurity.None),
            // Unpaced: at the default 600 a minute, delivering 10,000 takes 16 min 40 s by design; the run measures the app.
            ["Email:Pacing:MessagesPerMinute"] = "0",
            ["Email:Pacing:PerDomainPerMinute"] = "0",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddData();
        builder.AddUsers();
        builder.AddCases();
        builder.AddEmail();
        builder.AddJobs();
        builder.AddNotifications();
        builder.AddCampaigns();
        return builder.Build();
    }
}
