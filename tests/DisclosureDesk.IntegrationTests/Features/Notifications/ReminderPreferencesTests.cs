using System.Net;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>The Reminders page under Account, through the real sign-in, antiforgery and form binding.</summary>
[Collection(typeof(SqliteCollection))]
public sealed partial class ReminderPreferencesTests(SqliteDisclosureDeskFactory app)
{
    private const string Page = "/Account/Manage/Reminders";

    [Fact]
    public async Task Post_UntickedBox_SwitchesOffOnlyThatReminderAndTheFormShowsIt()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var user = await app.CreateResearcherAsync("preferences");
        using var browser = await app.SignInAsync(user);

        var form = await browser.GetStringAsync(new Uri(Page, UriKind.Relative), cancellationToken);
        Assert.Equal(["Input.WeekBefore", "Input.DayBefore", "Input.OverdueDigest"], CheckedBoxes(form));
        Assert.Contains("href=\"Account/Manage/Reminders\"", form, StringComparison.Ordinal);

        using var response = await browser.PostAsync(new Uri(Page, UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "reminders",
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
            // An unticked checkbox is simply absent from the post.
            ["Input.WeekBefore"] = "true",
            ["Input.OverdueDigest"] = "true",
        }), cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ReminderKinds.DayBefore, await app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.RemindersOff).SingleAsync(cancellationToken)));
        var after = await browser.GetStringAsync(new Uri(Page, UriKind.Relative), cancellationToken);
        Assert.Equal(["Input.WeekBefore", "Input.OverdueDigest"], CheckedBoxes(after));
        Assert.Contains("Your reminder settings have been saved.", after, StringComparison.Ordinal);
    }

    private static List<string> CheckedBoxes(string html) =>
        CheckboxPattern().Matches(html).Where(m => m.Value.Contains(" checked", StringComparison.Ordinal)).Select(m => m.Groups["name"].Value).ToList();

    [GeneratedRegex("""<input\b[^>]*\btype="checkbox"[^>]*\bname="(?<name>[^"]*)"[^>]*>""")]
    private static partial Regex CheckboxPattern();
}
