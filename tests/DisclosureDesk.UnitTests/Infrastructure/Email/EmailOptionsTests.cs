using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Infrastructure.Email;

namespace DisclosureDesk.UnitTests.Infrastructure.Email;

public sealed class EmailOptionsTests
{
    [Fact]
    public void Validate_Defaults_PickupFolderAndNoErrors()
    {
        var options = new EmailOptions();
        Assert.False(options.UsesSmtp);
        Assert.Empty(Errors(options));
    }

    [Theory]
    [InlineData("FromAddress", "not an address", "Email:FromAddress 'not an address' is not an email address.")]
    [InlineData("ReplyToAddress", "owner@", "Email:ReplyToAddress 'owner@' is not an email address.")]
    [InlineData("Port", "0", "Email:Smtp:Port must be between 1 and 65535.")]
    [InlineData("Security", "9", "Email:Smtp:Security must be None, StartTls, SslOnConnect or Auto.")]
    [InlineData("TimeoutSeconds", "0", "Email:Smtp:TimeoutSeconds must be between 1 and 600.")]
    [InlineData("UserName", "mailer", "Email:Smtp:UserName and Email:Smtp:Password must be set together.")]
    [InlineData("MessagesPerMinute", "-1", "Email:Pacing:MessagesPerMinute must be between 0 (unlimited) and 60000.")]
    [InlineData("PerDomainPerMinute", "60001", "Email:Pacing:PerDomainPerMinute must be between 0 (unlimited) and 60000.")]
    [InlineData("MaxWaitSeconds", "61", "Email:Pacing:MaxWaitSeconds must be between 0 and 60.")]
    public void Validate_BadSetting_NamesIt(string setting, string value, string expected)
    {
        var options = new EmailOptions { Smtp = { Host = "smtp.example" } };
        switch (setting)
        {
            case "FromAddress": options.FromAddress = value; break;
            case "ReplyToAddress": options.ReplyToAddress = value; break;
            case "Port": options.Smtp.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Security": options.Smtp.Security = (SmtpSecurity)int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "TimeoutSeconds": options.Smtp.TimeoutSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "MessagesPerMinute": options.Pacing.MessagesPerMinute = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "PerDomainPerMinute": options.Pacing.PerDomainPerMinute = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "MaxWaitSeconds": options.Pacing.MaxWaitSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.Smtp.UserName = value; break;
        }
        Assert.Equal([expected], Errors(options));
    }

    private static List<string?> Errors(EmailOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }
}
