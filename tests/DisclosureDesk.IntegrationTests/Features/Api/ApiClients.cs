using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DisclosureDesk.Features.Api;

namespace DisclosureDesk.IntegrationTests.Features.Api;

/// <summary>Tokens made through the real handler, and clients that send them as a script would.</summary>
internal static class ApiClients
{
    public const string ProblemJson = "application/problem+json";

    public static async Task<string> CreateTokenAsync(this DisclosureDeskFactory app, TestUser user, TokenScope scope, int? expiresInDays = null, string name = "scanner")
    {
        var (created, errors) = await app.ExecuteAsync<PersonalAccessTokens.Handler, (PersonalAccessTokens.Created?, IReadOnlyDictionary<string, string[]>)>(h =>
            h.CreateAsync(user.Id, new PersonalAccessTokens.CreateForm { Name = name, Scope = scope, ExpiresInDays = expiresInDays }));
        Assert.True(created is not null, string.Join(" ", errors.Values.SelectMany(m => m)));
        return created.Token;
    }

    /// <summary>A client that sends <paramref name="authorization"/> (none when null) and shows redirects instead of following them.</summary>
    public static HttpClient CreateApiClient(this DisclosureDeskFactory app, string? authorization)
    {
        var client = app.CreateBrowser();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public static HttpClient CreateApiClientWithToken(this DisclosureDeskFactory app, string token) => app.CreateApiClient("Bearer " + token);

    /// <summary>A problem details body without its per-request trace id, so two answers can be compared.</summary>
    public static async Task<string> WithoutTraceIdAsync(HttpResponseMessage response)
    {
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        Assert.True(problem.Remove("traceId"));
        return problem.ToJsonString();
    }

    public static Uri Url(string path) => new(path, UriKind.Relative);
}
