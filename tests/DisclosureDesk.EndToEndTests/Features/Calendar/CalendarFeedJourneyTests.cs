using System.Net;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Features.Calendar;

public sealed class CalendarFeedJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task CreateFeed_FromTheAccountPage_AddressServesACalendarWithoutSigningIn()
    {
        var page = await OpenPageAsAdministratorAsync();
        await page.GotoAsync(new Uri(App.BaseAddress, "Account/Manage/Calendar").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "Calendar feed", Exact = true }).WaitForAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Create a calendar address" }).ClickAsync();
        var address = await page.GetByLabel("Calendar address").InputValueAsync();
        await DocsScreenshots.SaveIfRequestedAsync(page, "calendar-feed.png");

        // A calendar application has no cookie: a plain client stands in for it.
        using var calendarApp = new HttpClient();
        using var response = await calendarApp.GetAsync(new Uri(address), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.StartsWith(App.BaseAddress.ToString(), address, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop the feed" })).ToBeVisibleAsync();
    }
}
