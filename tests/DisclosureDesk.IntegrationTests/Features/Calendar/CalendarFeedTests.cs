using System.Net;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Calendar;
using DisclosureDesk.IntegrationTests.Features.Responses;
using Microsoft.EntityFrameworkCore;
using IcalCalendar = Ical.Net.Calendar;

namespace DisclosureDesk.IntegrationTests.Features.Calendar;

/// <summary>The personal calendar feed: read anonymously with its token, as a calendar application does.</summary>
public abstract partial class CalendarFeedTests
{
    private readonly DisclosureDeskFactory _app;

    private CalendarFeedTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : CalendarFeedTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : CalendarFeedTests(app);

    [Fact]
    public async Task Feed_ValidToken_ListsOnlyTheUsersVisibleCasesAndRecordsTheRead()
    {
        var (lead, mine, _) = await _app.NotifiedCaseAsync("feed-mine", "owner@feed-mine.example");
        var (_, theirs, _) = await _app.NotifiedCaseAsync("feed-theirs", "owner@feed-theirs.example");
        var token = await CreateFeedAsync(lead);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var anonymous = _app.CreateBrowser();
        using var response = await anonymous.GetAsync(FeedUrl(token), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var uids = IcalCalendar.Load(body)!.Events.Select(e => e.Uid!).ToList();
        Assert.Contains($"{mine}.deadline@disclosuredesk", uids);
        Assert.Contains($"{mine}.no-response@disclosuredesk", uids);
        Assert.Equal(3, uids.Count(u => u.StartsWith($"{mine}.follow-up.", StringComparison.Ordinal)));
        Assert.DoesNotContain(uids, u => u.StartsWith(theirs, StringComparison.Ordinal));
        Assert.DoesNotContain("feed-mine.example", body.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var lastUsed = await _app.ExecuteDbContextAsync(db => db.CalendarFeeds.Where(f => f.UserId == lead.Id).Select(f => f.LastUsedAt).SingleAsync(cancellationToken));
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, lastUsed);
    }

    [Fact]
    public async Task Feed_RevokedOrRegenerated_OldTokenIsAnEmptyNotFoundAndOnlyTheNewOneWorks()
    {
        var (lead, _, _) = await _app.NotifiedCaseAsync("feed-regenerate", "owner@feed-regenerate.example");
        var first = await CreateFeedAsync(lead);
        var second = await CreateFeedAsync(lead);
        using var anonymous = _app.CreateBrowser();
        var cancellationToken = TestContext.Current.CancellationToken;

        using var old = await anonymous.GetAsync(FeedUrl(first), cancellationToken);
        using var current = await anonymous.GetAsync(FeedUrl(second), cancellationToken);
        Assert.True(await _app.ExecuteAsync<CalendarFeeds.Handler, bool>(h => h.RevokeAsync(lead.Id)));
        using var revoked = await anonymous.GetAsync(FeedUrl(second), cancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal("", await old.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
        Assert.Equal("", await revoked.Content.ReadAsStringAsync(cancellationToken));
        // Both rows stay, revoked, as the record of when each address existed.
        var feeds = await _app.ExecuteDbContextAsync(db => db.CalendarFeeds.Where(f => f.UserId == lead.Id).ToListAsync(cancellationToken));
        Assert.Equal(2, feeds.Count);
        Assert.All(feeds, f => Assert.NotNull(f.RevokedAt));
        Assert.DoesNotContain(feeds, f => f.TokenHash == first || f.TokenHash == second);
    }

    [Fact]
    public async Task Feed_UnknownMalformedDisabledOrUnapproved_IsTheSameEmptyNotFound()
    {
        var (lead, _, _) = await _app.NotifiedCaseAsync("feed-disabled", "owner@feed-disabled.example");
        var disabledToken = await CreateFeedAsync(lead);
        var admin = await _app.CreateAdministratorAsync("feed-admin");
        // What an administrator's "Disable" sets (ManageUsers needs a signed-in administrator's circuit).
        await _app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == lead.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true), TestContext.Current.CancellationToken));
        var pending = await _app.CreatePendingUserAsync("feed-pending");
        var pendingToken = await CreateFeedAsync(pending);
        var adminToken = await CreateFeedAsync(admin);
        using var anonymous = _app.CreateBrowser();
        var cancellationToken = TestContext.Current.CancellationToken;

        foreach (var token in new[] { disabledToken, pendingToken, CalendarFeeds.NewToken(), "not-a-token", new string('a', 200) })
        {
            using var response = await anonymous.GetAsync(FeedUrl(token), cancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("", await response.Content.ReadAsStringAsync(cancellationToken));
        }
        using var asAdmin = await anonymous.GetAsync(FeedUrl(adminToken), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
    }

    [Fact]
    public async Task AccountPage_Create_ShowsTheAddressOnceAndItServesTheFeed()
    {
        var user = await _app.CreateResearcherAsync("feed-page");
        using var browser = await _app.SignInAsync(user);
        var cancellationToken = TestContext.Current.CancellationToken;
        var page = new Uri("/Account/Manage/Calendar", UriKind.Relative);

        var form = await browser.GetStringAsync(page, cancellationToken);
        Assert.Contains("You have no calendar address.", form, StringComparison.Ordinal);
        using var created = await browser.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "calendar-create",
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
        }), cancellationToken);
        var html = await created.Content.ReadAsStringAsync(cancellationToken);
        var reload = await browser.GetStringAsync(page, cancellationToken);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var url = FeedAddress().Match(html);
        Assert.True(url.Success, html);
        Assert.DoesNotContain(url.Groups["token"].Value, reload, StringComparison.Ordinal);
        Assert.Contains("Stop the feed", reload, StringComparison.Ordinal);
        using var anonymous = _app.CreateBrowser();
        using var feed = await anonymous.GetAsync(FeedUrl(url.Groups["token"].Value), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
    }

    [Fact]
    public async Task AccountPage_PendingUser_IsNotOffered()
    {
        var pending = await _app.CreatePendingUserAsync("feed-page-pending");
        using var browser = await _app.SignInAsync(pending);

        using var response = await browser.GetAsync(new Uri("/Account/Manage/Calendar", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.CalendarFeeds.CountAsync(f => f.UserId == pending.Id, TestContext.Current.CancellationToken)));
    }

    private Task<string> CreateFeedAsync(TestUser user) => _app.ExecuteAsync<CalendarFeeds.Handler, string>(h => h.CreateAsync(user.Id));

    private static Uri FeedUrl(string token) => new($"/calendar/{token}.ics", UriKind.Relative);

    [GeneratedRegex("""value="https?://[^"]*/calendar/(?<token>[A-Za-z0-9_-]{43})\.ics" """)]
    private static partial Regex FeedAddress();
}
