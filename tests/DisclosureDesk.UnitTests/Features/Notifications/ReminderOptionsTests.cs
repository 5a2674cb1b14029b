using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Notifications;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public sealed class ReminderOptionsTests
{
    [Fact]
    public void Validate_Defaults_NineAndEightWithoutLinks()
    {
        var options = new ReminderOptions();

        Assert.Empty(Errors(options));
        Assert.Equal((9, 8), (options.DeadlineReminderHour, options.DigestHour));
        Assert.Null(options.Link("cases/DD-2026-00001"));
    }

    [Theory]
    [InlineData(24, 8, null, "Reminders:DeadlineReminderHour must be between 0 and 23.")]
    [InlineData(9, -1, null, "Reminders:DigestHour must be between 0 and 23.")]
    [InlineData(9, 8, "desk.example.org", "Reminders:AppUrl 'desk.example.org' is not an absolute http(s) address.")]
    [InlineData(9, 8, "ftp://desk.example.org", "Reminders:AppUrl 'ftp://desk.example.org' is not an absolute http(s) address.")]
    public void Validate_BadSetting_NamesIt(int reminderHour, int digestHour, string? appUrl, string expected)
    {
        var options = new ReminderOptions { DeadlineReminderHour = reminderHour, DigestHour = digestHour, AppUrl = appUrl };

        Assert.Equal([expected], Errors(options));
    }

    [Fact]
    public void Link_AppUrlWithOrWithoutSlash_JoinsOnce()
    {
        Assert.Equal("https://desk.example.org/cases/DD-2026-00001", new ReminderOptions { AppUrl = "https://desk.example.org/" }.Link("/cases/DD-2026-00001"));
        Assert.Equal("https://desk.example.org/outbox", new ReminderOptions { AppUrl = "https://desk.example.org" }.Link("outbox"));
    }

    private static List<string?> Errors(ReminderOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }
}
