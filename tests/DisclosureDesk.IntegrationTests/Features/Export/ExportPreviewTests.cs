using System.Net;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.IntegrationTests.Features.Export;

/// <summary>The export preview page through the app's own pipeline: the same one access rule as the download.</summary>
public abstract class ExportPreviewTests
{
    private const string InternalNote = "Internal: the admin is reachable on 198.51.100.77 via ops@clinic.example.";
    private const string PublicNote = "Owner fixed <b>203.0.113.10</b>; thanks to sec@clinic.example.";

    private const string NotFound = "Sorry, the content you are looking for does not exist.";

    private readonly DisclosureDeskFactory _app;

    private ExportPreviewTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : ExportPreviewTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : ExportPreviewTests(app);

    [Fact]
    public async Task Preview_Lead_ShowsTheMaskedSpansEncodedAndTheHiddenNote()
    {
        var (lead, reference) = await CaseWithNotesAsync("preview-lead");
        using var browser = await _app.SignInAsync(lead);

        using var response = await browser.GetAsync(Url(reference), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<del>203.0.113.10</del><ins>203.0.113.x</ins>", body, StringComparison.Ordinal);
        Assert.Contains("<del>sec@clinic.example</del><ins>[email]</ins>", body, StringComparison.Ordinal);
        Assert.Contains("Internal — not in the public export", WebUtility.HtmlDecode(body), StringComparison.Ordinal);
        // The note's markup is text, not HTML.
        Assert.Contains("&lt;b&gt;", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_StrangerUnknownCaseOrAnonymous_IsNotFoundOrSentToSignIn()
    {
        var (_, reference) = await CaseWithNotesAsync("preview-private");
        var stranger = await _app.CreateResearcherAsync("preview-stranger");
        var cancellationToken = TestContext.Current.CancellationToken;

        using var strangerBrowser = await _app.SignInAsync(stranger);
        using var asStranger = await strangerBrowser.GetAsync(Url(reference), cancellationToken);
        using var unknown = await strangerBrowser.GetAsync(Url("DD-1999-99999"), cancellationToken);
        using var anonymous = _app.CreateBrowser();
        using var asAnonymous = await anonymous.GetAsync(Url(reference), cancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var strangerBody = await asStranger.Content.ReadAsStringAsync(cancellationToken);
        Assert.Contains(NotFound, strangerBody, StringComparison.Ordinal);
        Assert.Contains(NotFound, await unknown.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        foreach (var secret in new[] { "Open MongoDB", "203.0.113", "198.51.100.77", "clinic.example" })
        {
            Assert.DoesNotContain(secret, strangerBody, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Redirect, asAnonymous.StatusCode);
        Assert.Contains("/Account/Login", asAnonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    private static Uri Url(string reference) => new($"/cases/{reference}/export/preview?profile=public", UriKind.Relative);

    private async Task<(TestUser Lead, string Reference)> CaseWithNotesAsync(string label)
    {
        var lead = await _app.CreateResearcherAsync(label);
        var reference = await _app.CreateCaseAsync(lead);
        foreach (var (text, visibility) in new[] { (InternalNote, EventVisibility.Internal), (PublicNote, EventVisibility.Public) })
        {
            var added = await _app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
                h.HandleAsync(reference, new AddCaseNote.Command { Text = text, Visibility = visibility }, lead.Current));
            Assert.True(added.Succeeded, added.Summary);
        }
        return (lead, reference);
    }
}
