using System.Net;
using System.Net.Http.Json;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using static DisclosureDesk.IntegrationTests.Features.Api.ApiClients;

namespace DisclosureDesk.IntegrationTests.Features.Api;

/// <summary>
/// Every API endpoint, tried with every kind of credential: none, a malformed token, the lead's read and write
/// tokens, an unrelated researcher's write token, an administrator's write token, and the lead's sign-in cookie
/// (which the API must ignore).
/// </summary>
[Collection(typeof(SqliteCollection))]
public sealed class ApiAuthorizationSweepTests(ApiAuthorizationSweepTests.Scenario scenario) : IClassFixture<ApiAuthorizationSweepTests.Scenario>
{
    public enum Caller
    {
        NoToken,
        MalformedToken,
        ReadToken,
        WriteToken,
        OtherResearchersToken,
        AdministratorsToken,
        SignInCookieOnly,
    }

    public enum Endpoint
    {
        CreateCase,
        ListCases,
        GetCase,
        AddNote,
        Export,
    }

    private const HttpStatusCode Unauthorized = HttpStatusCode.Unauthorized;
    private const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;
    private const HttpStatusCode NotFound = HttpStatusCode.NotFound;
    private const HttpStatusCode OK = HttpStatusCode.OK;
    private const HttpStatusCode Created = HttpStatusCode.Created;
    private const HttpStatusCode NoContent = HttpStatusCode.NoContent;

    /// <summary>The status each caller gets, and whether the answer shows the case (its title).</summary>
    public static TheoryData<Endpoint, Caller, HttpStatusCode, bool> Expectations => new()
    {
        { Endpoint.CreateCase, Caller.NoToken,               Unauthorized, false },
        { Endpoint.ListCases,  Caller.NoToken,               Unauthorized, false },
        { Endpoint.GetCase,    Caller.NoToken,               Unauthorized, false },
        { Endpoint.AddNote,    Caller.NoToken,               Unauthorized, false },
        { Endpoint.Export,     Caller.NoToken,               Unauthorized, false },

        { Endpoint.CreateCase, Caller.MalformedToken,        Unauthorized, false },
        { Endpoint.ListCases,  Caller.MalformedToken,        Unauthorized, false },
        { Endpoint.GetCase,    Caller.MalformedToken,        Unauthorized, false },
        { Endpoint.AddNote,    Caller.MalformedToken,        Unauthorized, false },
        { Endpoint.Export,     Caller.MalformedToken,        Unauthorized, false },

        { Endpoint.CreateCase, Caller.ReadToken,             Forbidden,    false },
        { Endpoint.ListCases,  Caller.ReadToken,             OK,           true },
        { Endpoint.GetCase,    Caller.ReadToken,             OK,           true },
        { Endpoint.AddNote,    Caller.ReadToken,             Forbidden,    false },
        { Endpoint.Export,     Caller.ReadToken,             OK,           true },

        { Endpoint.CreateCase, Caller.WriteToken,            Created,      false },
        { Endpoint.ListCases,  Caller.WriteToken,            OK,           true },
        { Endpoint.GetCase,    Caller.WriteToken,            OK,           true },
        { Endpoint.AddNote,    Caller.WriteToken,            NoContent,    false },
        { Endpoint.Export,     Caller.WriteToken,            OK,           true },

        // Another researcher may file their own cases, but the lead's case does not exist for them.
        { Endpoint.CreateCase, Caller.OtherResearchersToken, Created,      false },
        { Endpoint.ListCases,  Caller.OtherResearchersToken, OK,           false },
        { Endpoint.GetCase,    Caller.OtherResearchersToken, NotFound,     false },
        { Endpoint.AddNote,    Caller.OtherResearchersToken, NotFound,     false },
        { Endpoint.Export,     Caller.OtherResearchersToken, NotFound,     false },

        { Endpoint.CreateCase, Caller.AdministratorsToken,   Created,      false },
        { Endpoint.ListCases,  Caller.AdministratorsToken,   OK,           true },
        { Endpoint.GetCase,    Caller.AdministratorsToken,   OK,           true },
        { Endpoint.AddNote,    Caller.AdministratorsToken,   NoContent,    false },
        { Endpoint.Export,     Caller.AdministratorsToken,   OK,           true },

        { Endpoint.CreateCase, Caller.SignInCookieOnly,      Unauthorized, false },
        { Endpoint.ListCases,  Caller.SignInCookieOnly,      Unauthorized, false },
        { Endpoint.GetCase,    Caller.SignInCookieOnly,      Unauthorized, false },
        { Endpoint.AddNote,    Caller.SignInCookieOnly,      Unauthorized, false },
        { Endpoint.Export,     Caller.SignInCookieOnly,      Unauthorized, false },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Call_EndpointAsCaller_GetsOnlyWhatTheyMay(Endpoint endpoint, Caller caller, HttpStatusCode status, bool showsCase)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var client = scenario.Client(caller);
        var notesBefore = await scenario.CountNotesAsync();
        var casesBefore = await scenario.CountCasesAsync();

        using var response = endpoint switch
        {
            Endpoint.CreateCase => await client.PostAsJsonAsync(Url("/api/v1/cases"),
                new { title = "Sweep: filed through the API", host = "203.0.113.77", port = 27017 }, cancellationToken),
            Endpoint.ListCases => await client.GetAsync(Url($"/api/v1/cases?search={scenario.Reference}"), cancellationToken),
            Endpoint.GetCase => await client.GetAsync(Url($"/api/v1/cases/{scenario.Reference}"), cancellationToken),
            Endpoint.AddNote => await client.PostAsJsonAsync(Url($"/api/v1/cases/{scenario.Reference}/notes"), new { text = "Seen again." }, cancellationToken),
            Endpoint.Export => await client.GetAsync(Url($"/api/v1/cases/{scenario.Reference}/export?format=json&profile=public"), cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };

        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (showsCase)
        {
            Assert.Contains(Scenario.Title, body, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(Scenario.Title, body, StringComparison.Ordinal);
        }
        if ((int)status >= 400)
        {
            Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(notesBefore + (status == NoContent ? 1 : 0), await scenario.CountNotesAsync());
        Assert.Equal(casesBefore + (status == Created ? 1 : 0), await scenario.CountCasesAsync());
    }

    [Fact]
    public async Task GetCase_MissingAndInvisible_AreTheSameNotFound()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var other = scenario.Client(Caller.OtherResearchersToken);

        using var invisible = await other.GetAsync(Url($"/api/v1/cases/{scenario.Reference}"), cancellationToken);
        using var missing = await other.GetAsync(Url("/api/v1/cases/DD-2099-99999"), cancellationToken);

        Assert.Equal(NotFound, invisible.StatusCode);
        Assert.Equal(NotFound, missing.StatusCode);
        Assert.Equal(await WithoutTraceIdAsync(missing), await WithoutTraceIdAsync(invisible));
    }

    [Fact]
    public async Task Export_UnknownFormat_Is400ProblemDetails()
    {
        using var response = await scenario.Client(Caller.ReadToken)
            .GetAsync(Url($"/api/v1/cases/{scenario.Reference}/export?format=docx"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Unknown format 'docx'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    /// <summary>The people, their tokens and the case, set up once for the class.</summary>
    public sealed class Scenario(SqliteDisclosureDeskFactory app) : IAsyncLifetime
    {
        public const string Title = "API sweep: Kibana of a ferry operator";

        private readonly Dictionary<Caller, HttpClient> _clients = [];

        public string Reference { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            var lead = await app.CreateResearcherAsync("api-lead");
            var other = await app.CreateResearcherAsync("api-other");
            var administrator = await app.CreateAdministratorAsync("api-administrator");
            Reference = await app.CreateCaseAsync(lead, form =>
            {
                form.Title = Title;
                form.Service = ServiceEngine.Kibana;
                form.Host = "kibana.api-sweep-ferry.example";
                form.Port = 5601;
            });

            _clients[Caller.NoToken] = app.CreateApiClient(null);
            _clients[Caller.MalformedToken] = app.CreateApiClient("Bearer ddpat_not-a-token");
            _clients[Caller.ReadToken] = app.CreateApiClientWithToken(await app.CreateTokenAsync(lead, TokenScope.Read));
            _clients[Caller.WriteToken] = app.CreateApiClientWithToken(await app.CreateTokenAsync(lead, TokenScope.Write));
            _clients[Caller.OtherResearchersToken] = app.CreateApiClientWithToken(await app.CreateTokenAsync(other, TokenScope.Write));
            _clients[Caller.AdministratorsToken] = app.CreateApiClientWithToken(await app.CreateTokenAsync(administrator, TokenScope.Write));
            _clients[Caller.SignInCookieOnly] = await app.SignInAsync(lead);
        }

        public HttpClient Client(Caller caller) => _clients[caller];

        public Task<int> CountNotesAsync() => app.ExecuteDbContextAsync(db => db.TimelineEvents.CountAsync(e =>
            e.Type == DisclosureDesk.Features.Timeline.TimelineEventType.NoteAdded && db.Cases.Any(c => c.Id == e.CaseId && c.Reference == Reference)));

        public Task<int> CountCasesAsync() => app.ExecuteDbContextAsync(db => db.Cases.CountAsync());

        public ValueTask DisposeAsync()
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }
            return ValueTask.CompletedTask;
        }
    }
}
