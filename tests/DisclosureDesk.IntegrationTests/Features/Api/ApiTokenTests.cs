using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using static DisclosureDesk.IntegrationTests.Features.Api.ApiClients;

namespace DisclosureDesk.IntegrationTests.Features.Api;

/// <summary>Personal access tokens through their life, and the API's writes, on both databases.</summary>
public abstract class ApiTokenTests
{
    private readonly DisclosureDeskFactory _app;

    private ApiTokenTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : ApiTokenTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : ApiTokenTests(app);

    [Fact]
    public async Task CreateToken_NewToken_WorksHasThePrefixAndOnlyItsHashIsStored()
    {
        var researcher = await _app.CreateResearcherAsync("pat-create");
        var reference = await _app.CreateCaseAsync(researcher);
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Read, expiresInDays: 30);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var client = _app.CreateApiClientWithToken(token);
        using var response = await client.GetAsync(Url($"/api/v1/cases/{reference}"), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(reference, (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("reference").GetString());
        Assert.StartsWith("ddpat_", token, StringComparison.Ordinal);
        Assert.Equal(PersonalAccessTokens.TokenLength, token.Length);
        var row = await _app.ExecuteDbContextAsync(db => db.PersonalAccessTokens.SingleAsync(t => t.UserId == researcher.Id, cancellationToken));
        Assert.Equal(SecretTokens.Hash(token), row.TokenHash);
        Assert.NotEqual(token, row.TokenHash);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, row.LastUsedAt);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddDays(30), row.ExpiresAt);
        var listed = await _app.ExecuteAsync<PersonalAccessTokens.Handler, IReadOnlyList<PersonalAccessTokens.Listed>>(h => h.ListAsync(researcher.Id));
        Assert.Equal("scanner", Assert.Single(listed).Name);
    }

    [Fact]
    public async Task Authenticate_RevokedExpiredDisabledOrUnapproved_AllGetTheSame401()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var revokedUser = await _app.CreateResearcherAsync("pat-revoked");
        var revoked = await _app.CreateTokenAsync(revokedUser, TokenScope.Write);
        var expiring = await _app.CreateTokenAsync(await _app.CreateResearcherAsync("pat-expired"), TokenScope.Write, expiresInDays: 1);
        var disabledUser = await _app.CreateResearcherAsync("pat-disabled");
        var disabled = await _app.CreateTokenAsync(disabledUser, TokenScope.Write);
        var pending = await _app.CreateTokenAsync(await _app.CreatePendingUserAsync("pat-pending"), TokenScope.Write);
        var revokedId = await _app.ExecuteDbContextAsync(db => db.PersonalAccessTokens.Where(t => t.UserId == revokedUser.Id).Select(t => t.Id).SingleAsync(cancellationToken));

        using (var beforeClient = _app.CreateApiClientWithToken(expiring))
        using (var before = await beforeClient.GetAsync(Url("/api/v1/cases"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        Assert.True(await _app.ExecuteAsync<PersonalAccessTokens.Handler, bool>(h => h.RevokeAsync(revokedUser.Id, revokedId)));
        // What an administrator's "Disable" sets; the handler itself needs a signed-in administrator's circuit.
        await _app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == disabledUser.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true), cancellationToken));
        _app.Time.Advance(TimeSpan.FromDays(1));

        var bodies = new List<string>();
        foreach (var token in new[] { revoked, expiring, disabled, pending })
        {
            using var client = _app.CreateApiClientWithToken(token);
            using var response = await client.GetAsync(Url("/api/v1/cases"), cancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            bodies.Add(await WithoutTraceIdAsync(response));
        }
        Assert.Single(bodies.Distinct());
        // Revoking someone else's token, or one twice, does nothing.
        Assert.False(await _app.ExecuteAsync<PersonalAccessTokens.Handler, bool>(h => h.RevokeAsync(disabledUser.Id, revokedId)));
    }

    [Fact]
    public async Task CreateToken_InvalidForm_IsRefusedAndStoresNothing()
    {
        var researcher = await _app.CreateResearcherAsync("pat-invalid");

        var (created, errors) = await _app.ExecuteAsync<PersonalAccessTokens.Handler, (PersonalAccessTokens.Created?, IReadOnlyDictionary<string, string[]>)>(h =>
            h.CreateAsync(researcher.Id, new PersonalAccessTokens.CreateForm { Name = "  ", Scope = (TokenScope)7, ExpiresInDays = 0 }));

        Assert.Null(created);
        Assert.Equal(new[] { "ExpiresInDays", "Name", "Scope" }, errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.PersonalAccessTokens.CountAsync(t => t.UserId == researcher.Id)));
    }

    [Fact]
    public async Task CreateCase_ValidJson_FilesTheCaseAsTheTokensUserAndSaysSoOnTheTimeline()
    {
        var researcher = await _app.CreateResearcherAsync("api-create");
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Write, name: "masscan importer");
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClientWithToken(token);

        using var response = await client.PostAsJsonAsync(Url("/api/v1/cases"), new
        {
            title = "Open Elasticsearch with shipment records",
            host = "search.api-create.example",
            port = 9200,
            service = "Elasticsearch",
            severity = "High",
            firstSeenAt = "2026-03-01T10:00:00Z",
        }, cancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var reference = body.GetProperty("reference").GetString()!;
        Assert.Equal($"/api/v1/cases/{reference}", response.Headers.Location?.OriginalString);
        Assert.Equal("High", body.GetProperty("severity").GetString());
        Assert.Equal("Elasticsearch", body.GetProperty("service").GetString());
        var stored = await _app.ExecuteDbContextAsync(db => db.Cases.SingleAsync(c => c.Reference == reference, cancellationToken));
        Assert.Equal(researcher.Id, stored.LeadId);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), stored.FirstSeenAt);
        var created = await _app.ExecuteDbContextAsync(db => db.TimelineEvents.SingleAsync(e => e.CaseId == stored.Id, cancellationToken));
        Assert.Equal(researcher.Id, created.ActorId);
        Assert.Equal($"{researcher.DisplayName} via API token 'masscan importer'", created.ActorName);
    }

    [Fact]
    public async Task CreateCase_InvalidJson_Is400WithFieldErrorsAndWritesNothing()
    {
        var researcher = await _app.CreateResearcherAsync("api-invalid");
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Write);
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClientWithToken(token);

        using var response = await client.PostAsJsonAsync(Url("/api/v1/cases"), new { title = "", host = "http://not a host/", port = 70000 }, cancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.True(errors.TryGetProperty("host", out _));
        Assert.True(errors.TryGetProperty("port", out _));
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.Cases.CountAsync(c => c.LeadId == researcher.Id, cancellationToken)));
    }

    [Theory]
    [InlineData("POST", "/api/v1/cases", "{ not json")]
    [InlineData("POST", "/api/v1/cases", """{ "title": "x", "host": "203.0.113.1", "severity": "Apocalyptic" }""")]
    [InlineData("GET", "/api/v1/cases?status=Bogus", null)]
    [InlineData("GET", "/api/v1/cases?pageSize=lots", null)]
    public async Task Call_UnreadableRequest_Is400ProblemAndWritesNothing(string method, string path, string? json)
    {
        var researcher = await _app.CreateResearcherAsync("api-unreadable");
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Write);
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClientWithToken(token);
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(path));
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, cancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.Cases.CountAsync(c => c.LeadId == researcher.Id, cancellationToken)));
    }

    [Fact]
    public async Task AddNote_WriteToken_AppendsToTheTimelineAsTheUserViaTheToken()
    {
        var researcher = await _app.CreateResearcherAsync("api-note");
        var reference = await _app.CreateCaseAsync(researcher);
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Write, name: "rescan");
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClientWithToken(token);

        using var response = await client.PostAsJsonAsync(Url($"/api/v1/cases/{reference}/notes"), new { text = "  Rescan: port still open.  " }, cancellationToken);
        using var empty = await client.PostAsJsonAsync(Url($"/api/v1/cases/{reference}/notes"), new { text = " " }, cancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(ProblemJson, empty.Content.Headers.ContentType?.MediaType);
        var notes = await _app.ExecuteDbContextAsync(db => db.TimelineEvents
            .Where(e => e.Type == TimelineEventType.NoteAdded && db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference))
            .ToListAsync(cancellationToken));
        var note = Assert.Single(notes);
        Assert.Equal("Rescan: port still open.", note.Text);
        Assert.Equal(EventVisibility.Internal, note.Visibility);
        Assert.Equal(researcher.Id, note.ActorId);
        Assert.Equal($"{researcher.DisplayName} via API token 'rescan'", note.ActorName);
    }

    [Fact]
    public async Task ListCases_PageSizeAndCursor_WalksEveryVisibleCaseOnce()
    {
        var researcher = await _app.CreateResearcherAsync("api-list");
        var references = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            references.Add(await _app.CreateCaseAsync(researcher));
            _app.Time.Advance(TimeSpan.FromMinutes(1));
        }
        var token = await _app.CreateTokenAsync(researcher, TokenScope.Read);
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClientWithToken(token);

        var first = await client.GetFromJsonAsync<JsonElement>(Url("/api/v1/cases?pageSize=2&sort=Oldest"), cancellationToken);
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await client.GetFromJsonAsync<JsonElement>(Url($"/api/v1/cases?pageSize=2&sort=Oldest&cursor={cursor}"), cancellationToken);

        string[] Refs(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("reference").GetString()!)];
        Assert.Equal(references[..2], Refs(first));
        Assert.Equal(references[2..], Refs(second));
        Assert.Equal(3, first.GetProperty("matchCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
    }
}
