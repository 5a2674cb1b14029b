using System.Diagnostics;
using System.Net;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Jobs;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Jobs;

/// <summary>
/// The one test of the real Hangfire server: an email handed to Identity's sender travels outbox → Hangfire
/// (SQLite storage in jobs.db) → MailKit → a real SMTP server, in the same process as EF on the app database.
/// </summary>
[Collection(typeof(HangfireServerCollection))]
public sealed class HangfireWiringTests
{
    [Fact]
    public async Task PasswordResetEmail_WithHangfireServerRunning_IsDeliveredThroughJobsDbAndRecordedAsSent()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var smtp = TestSmtpServer.Start();
        await using var app = new HangfireSqliteFactory(smtp.Port);
        await app.InitializeAsync();
        var user = await app.CreateResearcherAsync("reset");

        var clock = Stopwatch.StartNew();
        await app.ExecuteScopeAsync(async services =>
        {
            var sender = services.GetRequiredService<IEmailSender<ApplicationUser>>();
            await sender.SendPasswordResetLinkAsync(new ApplicationUser(), user.Email, "https://disclosuredesk.example/Account/ResetPassword?code=abc&amp;userId=42");
            return true;
        });
        while (smtp.Received.IsEmpty && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, cancellationToken);
        }

        var received = MimeMessage.Load(new MemoryStream(Assert.Single(smtp.Received)), cancellationToken);
        Assert.Equal(user.Email, received.To.Mailboxes.Single().Address);
        Assert.Contains("https://disclosuredesk.example/Account/ResetPassword?code=abc&userId=42", received.TextBody, StringComparison.Ordinal);
        // The server has the message before the job records the result; wait (bounded) for the record, then demand it.
        Task<OutboxMessage> LoadRowAsync() =>
            app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.MessageId == received.MessageId, cancellationToken));
        var row = await LoadRowAsync();
        while (row.State == OutboxState.Sending && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, cancellationToken);
            row = await LoadRowAsync();
        }
        Assert.Null(row.CaseId);
        Assert.Equal(OutboxState.Sent, row.State);

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var recurring = connection.GetRecurringJobs();
        Assert.Contains(recurring, job => job.Id == RecurringJobs.OutboxSweep && job.Cron == Cron.Minutely());
        Assert.Contains(recurring, job => job.Id == RecurringJobs.UnansweredCases && job.Cron == Cron.Hourly());
        Assert.Contains(recurring, job => job.Id == RecurringJobs.UnansweredCampaignRecipients && job.Cron == Cron.Hourly());
        Assert.Contains(recurring, job => job.Id == RecurringJobs.ResearcherReminders && job.Cron == "*/15 * * * *");
        Assert.Contains(recurring, job => job.Id == RecurringJobs.Escalations && job.Cron == "*/15 * * * *");
        Assert.Contains(recurring, job => job.Id == RecurringJobs.UnusedImports && job.Cron == Cron.Hourly());
        // No mailbox configured: no inbound-mail job polling nothing.
        Assert.DoesNotContain(recurring, job => job.Id == RecurringJobs.InboundMail);

        // Hangfire.Storage.SQLite (sqlite-net) and EF (Microsoft.Data.Sqlite) share one native library in this process.
        var jobsFile = Path.Combine(app.Database.DataDirectory, "jobs.db");
        Assert.True(File.Exists(jobsFile));
        using var jobsDb = new SQLite.SQLiteConnection(jobsFile);
        var hangfireVersion = jobsDb.ExecuteScalar<string>("SELECT sqlite_version()");
        var appVersion = await app.ExecuteDbContextAsync(async db =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT sqlite_version()";
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        });
        Assert.Equal(appVersion, hangfireVersion);
        Assert.Null(SqliteVersionCheck.Refusal(hangfireVersion));
    }

    [Fact]
    public async Task Dashboard_OnlyAdministratorsGetIn()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var app = new HangfireSqliteFactory(smtp.Port);
        await app.InitializeAsync();
        var cancellationToken = TestContext.Current.CancellationToken;
        var jobs = new Uri("/jobs", UriKind.Relative);

        using var anonymous = await app.CreateBrowser().GetAsync(jobs, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var researcherBrowser = await app.SignInAsync(await app.CreateResearcherAsync("nojobs"));
        using var researcher = await researcherBrowser.GetAsync(jobs, cancellationToken);
        Assert.True(researcher.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, researcher.StatusCode.ToString());
        if (researcher.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Contains("AccessDenied", researcher.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using var adminBrowser = await app.SignInAsync(await app.CreateAdministratorAsync("jobs"));
        using var admin = await adminBrowser.GetAsync(jobs, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Hangfire", await admin.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }
}
