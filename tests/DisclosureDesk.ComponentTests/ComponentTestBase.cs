using System.Security.Claims;
using Bunit.TestDoubles;
using DisclosureDesk.Components.Shared;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Dashboard;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Microsoft.AspNetCore.Components;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.ComponentTests;

/// <summary>A user row in AspNetUsers and the principal the pages see when they are signed in.</summary>
public sealed record TestUser(string Id, string Name, string Role)
{
    public bool IsAdministrator => Role == Roles.Administrator;

    public CurrentUser AsCurrentUser() => new(Id, Name, IsAdministrator, IsApproved: true, TimeZoneInfo.Utc);
}

/// <summary>
/// Renders components against the app's real handlers over a real, migrated SQLite file of its own, so
/// a test sees what the page does to data and not what a stub says it would. Signed in as
/// <see cref="Researcher"/> unless the test signs in as someone else before rendering.
/// </summary>
public abstract class ComponentTestBase : BunitContext
{
    protected static readonly TestUser Researcher = new("researcher-rita", "Rita Researcher", Roles.Researcher);
    protected static readonly TestUser OtherResearcher = new("researcher-otto", "Otto Other", Roles.Researcher);
    protected static readonly TestUser Administrator = new("admin-ada", "Ada Admin", Roles.Administrator);

    private readonly string _directory;
    private readonly string _connectionString;
    private readonly DbContextOptions<AppDbContext> _dbOptions;
    private readonly BunitAuthorizationContext _authorization;

    protected ComponentTestBase()
    {
        _directory = Directory.CreateTempSubdirectory("disclosuredesk-components-").FullName;
        _connectionString = $"Data Source={Path.Combine(_directory, "disclosuredesk.db")}";
        var database = new DatabaseOptions { ConnectionString = _connectionString };
        _dbOptions = DataServiceCollectionExtensions.BuildOptions(database, _directory);
        using (var db = CreateDbContext())
        {
            db.Database.Migrate();
            // The app turns WAL on at start-up; tests should write the way it does.
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode = WAL");
            db.Users.AddRange(new[] { Researcher, OtherResearcher, Administrator }.Select(u => new ApplicationUser
            {
                Id = u.Id,
                UserName = u.Id + "@example.test",
                NormalizedUserName = (u.Id + "@example.test").ToUpperInvariant(),
                Email = u.Id + "@example.test",
                NormalizedEmail = (u.Id + "@example.test").ToUpperInvariant(),
                DisplayName = u.Name,
                RegisteredAt = Clock.GetUtcNow().UtcDateTime,
            }));
            db.SaveChanges();
        }

        Services.AddSingleton(_dbOptions);
        Services.AddSingleton(Options.Create(database));
        Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderDbContextFactory>();
        Services.AddSingleton(Options.Create(new CaseOptions()));
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<MarkdownRenderer>();
        Services.AddScoped<CurrentUserAccessor>();
        Services.AddScoped<CaseWriter>();
        Services.AddScoped<CreateCase.Handler>();
        Services.AddScoped<ChangeCaseStatus.Handler>();
        Services.AddScoped<ListCases.Handler>();
        Services.AddScoped<ListOutbox.Handler>();
        Services.AddSingleton<ISendPacingLanes, InMemorySendPacingLanes>();
        Services.AddSingleton<SendPacer>();
        Services.AddSingleton<IMailTransport>(new PickupFolderTransport(PickupDirectory));
        Services.AddSingleton(Options.Create(new EmailOptions()));
        Services.AddSingleton<IBackgroundJobClient, NoJobClient>();
        Services.AddSingleton<Outbox>();
        Services.AddSingleton<EmailTemplateRenderer>();
        Services.AddSingleton<EmailTemplateStore>();
        Services.AddScoped<EditEmailTemplates.Handler>();
        Services.AddScoped<NotifyOwner.Handler>();
        Services.AddScoped<DisclosureDeadline.Handler>();
        Services.AddSingleton(Options.Create(new ReminderOptions()));
        Services.AddScoped<ManageCaseContacts.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Discovery.FindCaseContacts.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Timeline.AddCaseNote.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Export.ExportPreview.Handler>();
        Services.AddScoped<DashboardActions.Handler>();
        Services.AddScoped<DashboardCharts.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Escalation.EscalationEmail>();
        Services.AddScoped<DisclosureDesk.Features.Escalation.ManageEscalationLadder.Handler>();
        Services.AddSingleton(Options.Create(new DisclosureDesk.Features.Import.ImportOptions()));
        Services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment
        {
            ContentRootPath = _directory,
            EnvironmentName = "Development",
        });
        Services.AddScoped<DisclosureDesk.Features.Import.ImportScanResults.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Import.LookUpImportOwners.Handler>();
        Services.AddScoped<DisclosureDesk.Features.Campaigns.ManageCampaign.Handler>();

        _authorization = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        SignInAs(Researcher);
    }

    /// <summary>A year that is not this one, so a reference year can only have come from this clock.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2031, 3, 14, 9, 30, 0, TimeSpan.Zero));

    /// <summary>Where the embedded default's mail transport would write; nothing is written by rendering a page.</summary>
    protected string PickupDirectory => Path.Combine(_directory, "mail", "pickup");

    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <param name="timeZoneId">The profile's time zone, carried as a claim as the sign-in cookie does; UTC when null.</param>
    protected void SignInAs(TestUser user, string? timeZoneId = null)
    {
        _authorization.SetAuthorized(user.Name);
        _authorization.SetRoles(user.Role);
        Claim[] claims = [new(ClaimTypes.NameIdentifier, user.Id), new(CurrentUser.DisplayNameClaim, user.Name)];
        _authorization.SetClaims(timeZoneId is null ? claims : [.. claims, new Claim(CurrentUser.TimeZoneClaim, timeZoneId)]);
    }

    /// <summary>A fresh context for arranging and checking data, as the app uses one per operation.</summary>
    protected AppDbContext CreateDbContext() => new SqliteAppDbContext(_dbOptions);

    /// <summary>Files a case through the app's own handler, so stored keys are normalised exactly as in use.</summary>
    protected async Task<string> FileCaseAsync(CaseForm form, TestUser lead)
    {
        var outcome = await Services.GetRequiredService<CreateCase.Handler>()
            .HandleAsync(form, lead.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(outcome.Result.Succeeded, outcome.Result.Summary);
        return outcome.Value!;
    }

    protected async Task ChangeStatusAsync(string reference, CaseStatus status, TestUser user)
    {
        var result = await Services.GetRequiredService<ChangeCaseStatus.Handler>()
            .HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = status }, user.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Summary);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(_directory))
        {
            // Pooled connections keep the file open; only this test's pool is cleared, not its neighbours'.
            using (var connection = new SqliteConnection(_connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
            Directory.Delete(_directory, recursive: true);
        }
    }
}
