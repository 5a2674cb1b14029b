using DisclosureDesk.Features.Timeline;
using System.Net;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Discovery;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Features.Cases;

/// <summary>
/// Every page and case command, tried by everyone who might try it: a case led by researcher A with member B,
/// looked at by an anonymous visitor, an unrelated researcher C, B, A, an administrator and a pending account.
/// </summary>
[Collection(typeof(SqliteCollection))]
public sealed class AuthorizationSweepTests(SqliteDisclosureDeskFactory app, AuthorizationSweepTests.Scenario scenario)
    : IClassFixture<AuthorizationSweepTests.Scenario>
{
    public enum Who
    {
        Anonymous,
        UnrelatedResearcher,
        Member,
        Lead,
        Administrator,
        Pending,
    }

    // Placeholders the scenario fills in: the case is filed at run time, and every account's email is unique.
    private const string CasePage = "/cases/{ref}";
    private const string EditPage = "/cases/{ref}/edit";
    private const string CampaignPage = "/cases/{ref}/campaign";
    private const string MissingCasePage = "/cases/DD-2099-99999";
    private const string FullExport = "/cases/{ref}/export?format=json&profile=full";
    private const string Reference = "{ref}";
    private const string Title = "{title}";
    private const string Host = "{host}";
    private const string LeadEmail = "{lead}";
    private const string MemberEmail = "{member}";
    private const string UnrelatedEmail = "{unrelated}";
    private const string AdministratorEmail = "{administrator}";
    private const string PendingEmail = "{pending}";

    private const string TemplatesPage = "/admin/templates";
    private const string TemplateEditor = "/admin/templates/initial-notification";
    private const string TriagePage = "/triage";
    private const string TriageText = "could not be put on a case by itself";
    private const string DirectoryPage = "/admin/escalation-directory";
    private const string DirectoryForm = "Add an authority";
    private const string StatisticsPage = "/admin/statistics";
    private const string StatisticsCsv = "/admin/statistics.csv";
    private const string StatisticsText = "Median days to first answer";
    private const string StatisticsCsvHeader = "period,cases_opened,owners_notified";

    // Words of the shipped initial notification, shown in the editor's source box.
    private const string TemplateText = "We look for databases and storage";

    private const string Login = "/Account/Login";
    private const string AccessDenied = "/Account/AccessDenied";
    private const string NotFound = "Sorry, the content you are looking for does not exist.";
    private const string AwaitsApproval = "Your account awaits approval";

    private static readonly string[] CaseData = [Title, Host];
    private static readonly string[] AccountsOtherThanAdministrator = [LeadEmail, MemberEmail, UnrelatedEmail, PendingEmail];

    /// <summary>
    /// What each person gets for each page. A redirect is followed once, on the same cookies, and the page it
    /// lands on is checked, so "redirected" never hides what the destination shows.
    /// </summary>
    public static TheoryData<string, Who, HttpStatusCode, string?, string[], string[]> Expectations => new()
    {
        // page            who                      status                   redirected to must contain                           must not contain
        { "/",             Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { "/cases",        Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [Reference, .. CaseData] },
        { "/cases/new",    Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { CasePage,        Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { EditPage,        Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { CampaignPage,    Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { "/admin/users",  Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [AdministratorEmail, .. AccountsOtherThanAdministrator] },
        { MissingCasePage, Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [NotFound] },
        { TemplatesPage,   Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [TemplateText, "Initial notification"] },
        { TemplateEditor,  Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [TemplateText, "Initial notification"] },
        { FullExport,      Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            CaseData },
        { TriagePage,      Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [TriageText] },
        { DirectoryPage,   Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [DirectoryForm] },
        { StatisticsPage,  Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [StatisticsText] },
        { StatisticsCsv,   Who.Anonymous,           HttpStatusCode.Redirect, Login,        ["Log in"],                            [StatisticsCsvHeader] },

        { "/",             Who.UnrelatedResearcher, HttpStatusCode.OK,       null,         ["Open cases"],                        [Reference, .. CaseData] },
        { "/cases",        Who.UnrelatedResearcher, HttpStatusCode.OK,       null,         ["No cases match."],                   [Reference, .. CaseData] },
        { "/cases/new",    Who.UnrelatedResearcher, HttpStatusCode.OK,       null,         ["Create case"],                       CaseData },
        { CasePage,        Who.UnrelatedResearcher, HttpStatusCode.NotFound, null,         [NotFound],                            [.. CaseData, LeadEmail, MemberEmail] },
        { EditPage,        Who.UnrelatedResearcher, HttpStatusCode.NotFound, null,         [NotFound],                            CaseData },
        { CampaignPage,    Who.UnrelatedResearcher, HttpStatusCode.NotFound, null,         [NotFound],                            CaseData },
        { "/admin/users",  Who.UnrelatedResearcher, HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [AdministratorEmail, LeadEmail, MemberEmail, PendingEmail] },
        { MissingCasePage, Who.UnrelatedResearcher, HttpStatusCode.NotFound, null,         [NotFound],                            [] },
        { TemplatesPage,   Who.UnrelatedResearcher, HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { TemplateEditor,  Who.UnrelatedResearcher, HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { FullExport,      Who.UnrelatedResearcher, HttpStatusCode.NotFound, null,         [NotFound],                            [.. CaseData, LeadEmail, MemberEmail] },
        { TriagePage,      Who.UnrelatedResearcher, HttpStatusCode.OK,       null,         [TriageText],                          [] },
        { DirectoryPage,   Who.UnrelatedResearcher, HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [DirectoryForm] },
        { StatisticsPage,  Who.UnrelatedResearcher, HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [StatisticsText] },
        { StatisticsCsv,   Who.UnrelatedResearcher, HttpStatusCode.Forbidden, null,        [],                                    [StatisticsCsvHeader] },

        { "/",             Who.Member,              HttpStatusCode.OK,       null,         [Reference, Title],                    [] },
        { "/cases",        Who.Member,              HttpStatusCode.OK,       null,         [Reference, Title, Host],              [] },
        { "/cases/new",    Who.Member,              HttpStatusCode.OK,       null,         ["Create case"],                       [] },
        { CasePage,        Who.Member,              HttpStatusCode.OK,       null,         [Title, Host, "Audit chain verified"], [] },
        { EditPage,        Who.Member,              HttpStatusCode.OK,       null,         [Title, Host, "Save changes"],         [] },
        { "/admin/users",  Who.Member,              HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [AdministratorEmail, LeadEmail, UnrelatedEmail, PendingEmail] },
        { MissingCasePage, Who.Member,              HttpStatusCode.NotFound, null,         [NotFound],                            [] },
        { TemplatesPage,   Who.Member,              HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { TemplateEditor,  Who.Member,              HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { FullExport,      Who.Member,              HttpStatusCode.OK,       null,         [Reference, Title, Host, LeadEmail],   [] },
        { TriagePage,      Who.Member,              HttpStatusCode.OK,       null,         [TriageText],                          [] },
        { DirectoryPage,   Who.Member,              HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [DirectoryForm] },
        { StatisticsPage,  Who.Member,              HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [StatisticsText] },
        { StatisticsCsv,   Who.Member,              HttpStatusCode.Forbidden, null,        [],                                    [StatisticsCsvHeader] },

        { "/",             Who.Lead,                HttpStatusCode.OK,       null,         [Reference, Title],                    [] },
        { "/cases",        Who.Lead,                HttpStatusCode.OK,       null,         [Reference, Title, Host],              [] },
        { "/cases/new",    Who.Lead,                HttpStatusCode.OK,       null,         ["Create case"],                       [] },
        { CasePage,        Who.Lead,                HttpStatusCode.OK,       null,         [Title, Host, "Audit chain verified", "Public export as Markdown"], [] },
        { EditPage,        Who.Lead,                HttpStatusCode.OK,       null,         [Title, Host, "Save changes"],         [] },
        { CampaignPage,    Who.Lead,                HttpStatusCode.OK,       null,         [Title, "not a campaign yet"],         [] },
        { "/admin/users",  Who.Lead,                HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [AdministratorEmail, MemberEmail, UnrelatedEmail, PendingEmail] },
        { MissingCasePage, Who.Lead,                HttpStatusCode.NotFound, null,         [NotFound],                            [] },
        { TemplatesPage,   Who.Lead,                HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { TemplateEditor,  Who.Lead,                HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [TemplateText, "Initial notification"] },
        { FullExport,      Who.Lead,                HttpStatusCode.OK,       null,         [Reference, Title, Host, MemberEmail], [] },
        { TriagePage,      Who.Lead,                HttpStatusCode.OK,       null,         [TriageText],                          [] },
        { DirectoryPage,   Who.Lead,                HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [DirectoryForm] },
        { StatisticsPage,  Who.Lead,                HttpStatusCode.Redirect, AccessDenied, ["Access denied"],                     [StatisticsText] },
        { StatisticsCsv,   Who.Lead,                HttpStatusCode.Forbidden, null,        [],                                    [StatisticsCsvHeader] },

        // The home page shows only the ten most recently updated cases, and other tests of the collection file
        // cases too, so it is not checked for this one; the list's first page of 25 holds every case they file.
        { "/",             Who.Administrator,       HttpStatusCode.OK,       null,         ["Open cases"],                        [] },
        { "/cases",        Who.Administrator,       HttpStatusCode.OK,       null,         [Reference, Title, Host],              [] },
        { "/cases/new",    Who.Administrator,       HttpStatusCode.OK,       null,         ["Create case"],                       [] },
        { CasePage,        Who.Administrator,       HttpStatusCode.OK,       null,         [Title, Host, "Audit chain verified"], [] },
        { EditPage,        Who.Administrator,       HttpStatusCode.OK,       null,         [Title, Host, "Save changes"],         [] },
        { "/admin/users",  Who.Administrator,       HttpStatusCode.OK,       null,         AccountsOtherThanAdministrator,        [] },
        { MissingCasePage, Who.Administrator,       HttpStatusCode.NotFound, null,         [NotFound],                            [] },
        { TemplatesPage,   Who.Administrator,       HttpStatusCode.OK,       null,         ["Initial notification", "Reset password", "Default"], [] },
        { TemplateEditor,  Who.Administrator,       HttpStatusCode.OK,       null,         [TemplateText, "case.record_count", "Preview"], [] },
        { FullExport,      Who.Administrator,       HttpStatusCode.OK,       null,         [Reference, Title, Host],              [] },
        { TriagePage,      Who.Administrator,       HttpStatusCode.OK,       null,         [TriageText],                          [] },
        { DirectoryPage,   Who.Administrator,       HttpStatusCode.OK,       null,         ["Escalation directory", DirectoryForm], [] },
        { StatisticsPage,  Who.Administrator,       HttpStatusCode.OK,       null,         [StatisticsText],                      [] },
        { StatisticsCsv,   Who.Administrator,       HttpStatusCode.OK,       null,         [StatisticsCsvHeader],                 [] },

        { "/",             Who.Pending,             HttpStatusCode.OK,       null,         [AwaitsApproval],                      [Reference, .. CaseData] },
        { "/cases",        Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      CaseData },
        { "/cases/new",    Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      CaseData },
        { CasePage,        Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      CaseData },
        { EditPage,        Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      CaseData },
        { "/admin/users",  Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [AdministratorEmail, LeadEmail, MemberEmail, UnrelatedEmail] },
        { MissingCasePage, Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [NotFound] },
        { TemplatesPage,   Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [TemplateText, "Initial notification"] },
        { TemplateEditor,  Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [TemplateText, "Initial notification"] },
        { FullExport,      Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      CaseData },
        { TriagePage,      Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [TriageText] },
        { DirectoryPage,   Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [DirectoryForm] },
        { StatisticsPage,  Who.Pending,             HttpStatusCode.Redirect, AccessDenied, [AwaitsApproval],                      [StatisticsText] },
        { StatisticsCsv,   Who.Pending,             HttpStatusCode.Forbidden, null,        [],                                    [StatisticsCsvHeader] },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Get_PageAsPerson_GetsOnlyWhatTheyMaySee(
        string page, Who who, HttpStatusCode status, string? redirectedTo, string[] mustContain, string[] mustNotContain)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var browser = scenario.Browser(who);

        using var response = await browser.GetAsync(new Uri(scenario.Fill(page), UriKind.Relative), cancellationToken);

        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (redirectedTo is not null)
        {
            var location = new Uri(browser.BaseAddress!, response.Headers.Location!);
            Assert.Equal(redirectedTo, location.AbsolutePath);
            using var landing = await browser.GetAsync(location, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
            body = await landing.Content.ReadAsStringAsync(cancellationToken);
        }
        body = WebUtility.HtmlDecode(body);
        foreach (var text in mustContain.Select(scenario.Fill))
        {
            Assert.Contains(text, body, StringComparison.Ordinal);
        }
        foreach (var text in mustNotContain.Select(scenario.Fill))
        {
            Assert.DoesNotContain(text, body, StringComparison.Ordinal);
        }
    }

    /// <summary>Each way to change a case, tried by someone who is not on its team.</summary>
    public static TheoryData<string> CaseCommands => [.. UnrelatedResearcherCommands.Keys];

    private static readonly Dictionary<string, Func<IServiceProvider, string, Scenario, Task<CommandResult>>> UnrelatedResearcherCommands = new()
    {
        ["EditCase"] = (services, reference, s) =>
            Handler<EditCase.Handler>(services).HandleAsync(reference, new CaseForm { Title = "Taken over", Host = "198.51.100.7" }, s.Unrelated.Current),
        ["ChangeCaseStatus"] = (services, reference, s) =>
            Handler<ChangeCaseStatus.Handler>(services).HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = CaseStatus.Triaged }, s.Unrelated.Current),
        ["ChangeCaseStatus.Reopen"] = (services, reference, s) =>
            Handler<ChangeCaseStatus.Handler>(services).ReopenAsync(reference, "Because I can", s.Unrelated.Current),
        ["ManageCaseContacts.Add"] = (services, reference, s) =>
            Handler<ManageCaseContacts.Handler>(services).AddAsync(reference, new ManageCaseContacts.ContactForm { Name = "Intruder", Email = "intruder@example.test" }, s.Unrelated.Current),
        ["ManageCaseContacts.Remove"] = (services, reference, s) =>
            Handler<ManageCaseContacts.Handler>(services).RemoveAsync(reference, s.ContactId, s.Unrelated.Current),
        ["ManageCaseContacts.MarkVerified"] = (services, reference, s) =>
            Handler<ManageCaseContacts.Handler>(services).MarkVerifiedAsync(reference, s.ContactId, s.Unrelated.Current),
        ["ManageCaseTeam.AddMember"] = (services, reference, s) =>
            Handler<ManageCaseTeam.Handler>(services).AddMemberAsync(reference, s.Unrelated.Email, s.Unrelated.Current),
        ["ManageCaseTeam.RemoveMember"] = (services, reference, s) =>
            Handler<ManageCaseTeam.Handler>(services).RemoveMemberAsync(reference, s.Member.Id, s.Unrelated.Current),
        ["ManageCaseTeam.SetLead"] = (services, reference, s) =>
            Handler<ManageCaseTeam.Handler>(services).SetLeadAsync(reference, s.Member.Id, s.Unrelated.Current),
        ["AddCaseNote"] = (services, reference, s) =>
            Handler<AddCaseNote.Handler>(services).HandleAsync(reference, new AddCaseNote.Command { Text = "I was here" }, s.Unrelated.Current),
        ["NotifyOwner.Send"] = (services, reference, s) =>
            Handler<NotifyOwner.Handler>(services).SendAsync(reference, new NotifyOwner.Form { ContactIds = [s.ContactId], Subject = "Hijacked", Body = "Hello" }, s.Unrelated.Current),
        ["NotifyOwner.Pause"] = (services, reference, s) =>
            Handler<NotifyOwner.Handler>(services).PauseAsync(reference, s.Unrelated.Current),
        ["NotifyOwner.Resume"] = (services, reference, s) =>
            Handler<NotifyOwner.Handler>(services).ResumeAsync(reference, s.Unrelated.Current),
        ["ManageEvidence.Add"] = (services, reference, s) =>
            Handler<ManageEvidence.Handler>(services).AddAsync(reference, new ManageEvidence.Form(), "notes.txt", new MemoryStream("planted"u8.ToArray()), s.Unrelated.Current),
        ["LogResponse"] = async (services, reference, s) =>
            (await Handler<LogResponse.Handler>(services).LogAsync(reference,
                new LogResponse.Form { RespondedBy = "Intruder", RespondedAt = new DateTime(2026, 1, 1), Summary = "Fixed." }, s.Unrelated.Current)).Result,
        ["FindCaseContacts.Start"] = (services, reference, s) =>
            Handler<FindCaseContacts.Handler>(services).StartAsync(reference, "example.org", s.Unrelated.Current),
        ["FindCaseContacts.Decide"] = (services, reference, s) =>
            Handler<FindCaseContacts.Handler>(services).DecideAsync(reference, 1, accept: true, s.Unrelated.Current),
        ["ManageCampaign.AddList"] = async (services, reference, s) =>
            (await Handler<ManageCampaign.Handler>(services).AddListAsync(reference, "intruder@example.test, 198.51.100.7, 27017", s.Unrelated.Current)).Result,
        ["ManageCampaign.Send"] = async (services, reference, s) =>
            (await Handler<ManageCampaign.Handler>(services).SendAsync(reference, null, null, s.Unrelated.Current)).Result,
        ["ManageCampaign.MarkMitigated"] = (services, reference, s) =>
            Handler<ManageCampaign.Handler>(services).MarkMitigatedAsync(reference, 1, s.Unrelated.Current),
        ["ManageCampaign.CorrectAddress"] = (services, reference, s) =>
            Handler<ManageCampaign.Handler>(services).CorrectAddressAsync(reference, 1, "intruder@example.test", s.Unrelated.Current),
    };

    [Theory]
    [MemberData(nameof(CaseCommands))]
    public async Task Handler_UnrelatedResearcher_FailsAsNotFoundAndChangesNothing(string command)
    {
        var before = await scenario.SnapshotAsync();

        var result = await app.ExecuteScopeAsync(services => UnrelatedResearcherCommands[command](services, scenario.Reference, scenario));

        Assert.False(result.Succeeded);
        Assert.Equal(CommandResult.NotFound.Summary, result.Summary);
        Assert.Equal(before, await scenario.SnapshotAsync());
    }

    [Fact]
    public async Task ManageCaseTeam_MemberWhoIsNotLead_IsRefusedAndChangesNothing()
    {
        var before = await scenario.SnapshotAsync();
        var member = scenario.Member.Current;

        var results = await app.ExecuteAsync<ManageCaseTeam.Handler, CommandResult[]>(async team =>
        [
            await team.AddMemberAsync(scenario.Reference, scenario.Unrelated.Email, member),
            await team.RemoveMemberAsync(scenario.Reference, member.Id, member),
            await team.SetLeadAsync(scenario.Reference, member.Id, member),
        ]);

        Assert.All(results, result => Assert.Equal("Only the case lead or an administrator changes the team.", result.Summary));
        Assert.Equal(before, await scenario.SnapshotAsync());
    }

    private static T Handler<T>(IServiceProvider services) where T : notnull => services.GetRequiredService<T>();

    public sealed record CaseSnapshot(
        string Title, string Host, CaseStatus Status, string LeadId, DateTime UpdatedAt, int LastEventSequence, string LastEventHash,
        string Members, string Contacts, int TimelineEvents);

    /// <summary>The people, their signed-in browsers and the case, set up once for the class.</summary>
    public sealed class Scenario(SqliteDisclosureDeskFactory app) : IAsyncLifetime
    {
        private readonly Dictionary<Who, HttpClient> _browsers = [];
        private Dictionary<string, string> _placeholders = [];

        public TestUser Lead { get; private set; } = default!;
        public TestUser Member { get; private set; } = default!;
        public TestUser Unrelated { get; private set; } = default!;
        public string Reference { get; private set; } = "";
        public int ContactId { get; private set; }

        public async ValueTask InitializeAsync()
        {
            Lead = await app.CreateResearcherAsync("lead");
            Member = await app.CreateResearcherAsync("member");
            Unrelated = await app.CreateResearcherAsync("unrelated");
            var administrator = await app.CreateAdministratorAsync("administrator");
            var pending = await app.CreatePendingUserAsync("pending");

            const string title = "Sweep: Elasticsearch cluster of a parcel courier";
            const string host = "search.sweep-courier.example";
            Reference = await app.CreateCaseAsync(Lead, form =>
            {
                form.Title = title;
                form.Service = ServiceEngine.Elasticsearch;
                form.Host = host;
                form.Port = 9200;
            });
            var joined = await app.ExecuteAsync<ManageCaseTeam.Handler, CommandResult>(h => h.AddMemberAsync(Reference, Member.Email, Lead.Current));
            Assert.True(joined.Succeeded, joined.Summary);
            var contact = await app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
                h.AddAsync(Reference, new ManageCaseContacts.ContactForm { Name = "Courier security team", Email = "security@sweep-courier.example" }, Lead.Current));
            Assert.True(contact.Succeeded, contact.Summary);
            ContactId = await app.ExecuteDbContextAsync(db =>
                db.Cases.Where(c => c.Reference == Reference).SelectMany(c => c.Contacts).Select(c => c.Id).SingleAsync());

            _placeholders = new()
            {
                [AuthorizationSweepTests.Reference] = Reference,
                [Title] = title,
                [Host] = host,
                [LeadEmail] = Lead.Email,
                [MemberEmail] = Member.Email,
                [UnrelatedEmail] = Unrelated.Email,
                [AdministratorEmail] = administrator.Email,
                [PendingEmail] = pending.Email,
            };
            _browsers[Who.Anonymous] = app.CreateBrowser();
            _browsers[Who.UnrelatedResearcher] = await app.SignInAsync(Unrelated);
            _browsers[Who.Member] = await app.SignInAsync(Member);
            _browsers[Who.Lead] = await app.SignInAsync(Lead);
            _browsers[Who.Administrator] = await app.SignInAsync(administrator);
            _browsers[Who.Pending] = await app.SignInAsync(pending);
        }

        public HttpClient Browser(Who who) => _browsers[who];

        public string Fill(string text) =>
            _placeholders.Aggregate(text, (filled, placeholder) => filled.Replace(placeholder.Key, placeholder.Value, StringComparison.Ordinal));

        /// <summary>Everything a command could change: the case row, its team, its contacts and its timeline.</summary>
        public Task<CaseSnapshot> SnapshotAsync() => app.ExecuteDbContextAsync(async db =>
        {
            var c = await db.Cases.AsNoTracking().Include(c => c.Members).Include(c => c.Contacts).AsSplitQuery().SingleAsync(c => c.Reference == Reference);
            return new CaseSnapshot(
                c.Title, c.Host, c.Status, c.LeadId, c.UpdatedAt, c.LastEventSequence, c.LastEventHash,
                string.Join(", ", c.Members.Select(m => m.UserId).Order(StringComparer.Ordinal)),
                string.Join(", ", c.Contacts.Select(x => $"{x.Id} {x.Name} verified {x.VerifiedAt:O}")),
                await db.TimelineEvents.CountAsync(e => e.CaseId == c.Id));
        });

        public ValueTask DisposeAsync()
        {
            foreach (var browser in _browsers.Values)
            {
                browser.Dispose();
            }
            return ValueTask.CompletedTask;
        }
    }
}
