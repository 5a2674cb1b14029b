using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Responses.Mail;
using DisclosureDesk.Infrastructure.Email;

namespace DisclosureDesk.UnitTests.Features.Responses.Mail;

public sealed class InboundOptionsTests
{
    [Fact]
    public void Validate_NoHost_IsValidAndDisabled()
    {
        var options = new InboundOptions();

        Assert.Empty(Errors(options));
        Assert.False(options.Enabled);
        Assert.Equal(("INBOX", 5, 10 * 1024 * 1024), (options.Folder, options.PollMinutes, options.MaxMessageBytes));
    }

    [Fact]
    public void Validate_HostWithCredentials_IsValidAndEnabled()
    {
        var options = Configured();

        Assert.Empty(Errors(options));
        Assert.True(options.Enabled);
    }

    [Theory]
    [InlineData(nameof(ImapOptions.Port), "Inbound:Imap:Port must be between 1 and 65535.")]
    [InlineData(nameof(ImapOptions.Security), "Inbound:Imap:Security must be None, StartTls, SslOnConnect or Auto.")]
    [InlineData(nameof(ImapOptions.Password), "Inbound:Imap:UserName and Inbound:Imap:Password must be set when Inbound:Imap:Host is.")]
    [InlineData(nameof(ImapOptions.TimeoutSeconds), "Inbound:Imap:TimeoutSeconds must be between 1 and 600.")]
    [InlineData(nameof(InboundOptions.PollMinutes), "Inbound:PollMinutes must be between 1 and 59.")]
    [InlineData(nameof(InboundOptions.Folder), "Inbound:Folder must name a folder.")]
    [InlineData(nameof(InboundOptions.MaxMessageBytes), "Inbound:MaxMessageBytes must be between 1024 and 104857600.")]
    public void Validate_BadSetting_NamesIt(string setting, string expected)
    {
        var options = Configured();
        switch (setting)
        {
            case nameof(ImapOptions.Port): options.Imap.Port = 0; break;
            case nameof(ImapOptions.Security): options.Imap.Security = (SmtpSecurity)42; break;
            case nameof(ImapOptions.Password): options.Imap.Password = null; break;
            case nameof(ImapOptions.TimeoutSeconds): options.Imap.TimeoutSeconds = 0; break;
            case nameof(InboundOptions.PollMinutes): options.PollMinutes = 60; break;
            case nameof(InboundOptions.Folder): options.Folder = ""; break;
            case nameof(InboundOptions.MaxMessageBytes): options.MaxMessageBytes = 10; break;
        }

        Assert.Equal([expected], Errors(options));
    }

    private static InboundOptions Configured() => new()
    {
        Imap = new ImapOptions { Host = "imap.example.org", UserName = "replies", Password = "secret" },
    };

    private static List<string?> Errors(InboundOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }
}
