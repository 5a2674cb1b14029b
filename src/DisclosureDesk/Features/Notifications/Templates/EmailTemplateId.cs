using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>The emails DisclosureDesk sends. Each has a shipped default and may be replaced by an administrator.</summary>
public enum EmailTemplateId
{
    [Display(Name = "Initial notification", Description = "The first email to a case's owner. The researcher reads and may edit the draft before sending it.")]
    InitialNotification = 0,

    [Display(Name = "First follow-up", Description = "To the owner 7 days after the first notification, unless they answered.")]
    FollowUp1 = 1,

    [Display(Name = "Second follow-up", Description = "To the owner 14 days after the first notification, unless they answered.")]
    FollowUp2 = 2,

    [Display(Name = "Final notice", Description = "To the owner 21 days after the first notification, with the date the case becomes No response.")]
    FinalFollowUp = 3,

    [Display(Name = "Escalation to the hosting provider", Description = "To the network's abuse contact when the owner stays silent, the first rung of a case's escalation ladder.")]
    Escalation = 4,

    [Display(Name = "Deadline reminder", Description = "To the case's researchers before its disclosure deadline.")]
    DeadlineReminder = 5,

    [Display(Name = "Confirm account", Description = "To someone who registered, with the link that confirms their address.")]
    ConfirmAccount = 6,

    [Display(Name = "Reset password", Description = "To someone who asked to reset their password, with the link to do it.")]
    ResetPassword = 7,
    OverdueDigest = 8,

    [Display(Name = "Escalation to the national CERT", Description = "To the affected country's CERT from the escalation directory when the owner and the provider stay silent.")]
    EscalationNationalCert = 9,

    [Display(Name = "Escalation to the data-protection authority", Description = "To the affected country's data-protection authority, the last rung, for cases with personal data.")]
    EscalationDataProtectionAuthority = 10,

    [Display(Name = "Campaign notification", Description = "To each recipient of a campaign when the researcher sends it, listing the recipient's own exposed hosts (recipient.findings).")]
    CampaignNotification = 11,

    [Display(Name = "Campaign follow-up", Description = "To a campaign recipient 7, 14 and 21 days after their notification, unless they answered, bounced or were marked mitigated.")]
    CampaignFollowUp = 12,
}

public static class EmailTemplateCatalog
{
    /// <summary>The model a template is rendered with, and therefore the fields it may use.</summary>
    public static Type ModelType(this EmailTemplateId id) => id switch
    {
        EmailTemplateId.ConfirmAccount or EmailTemplateId.ResetPassword => typeof(AccountEmailModel),
        EmailTemplateId.OverdueDigest => typeof(OverdueDigestModel),
        _ => typeof(NotificationModel),
    };

    /// <summary>When the email is sent, in a sentence.</summary>
    public static string Description(this EmailTemplateId id) =>
        typeof(EmailTemplateId).GetField(id.ToString())?.GetCustomAttribute<DisplayAttribute>()?.GetDescription() ?? "";

    /// <summary>The name in URLs and files, e.g. <c>initial-notification</c>.</summary>
    public static string Slug(this EmailTemplateId id) => Path.GetFileNameWithoutExtension(FileName(id));

    public static EmailTemplateId? FromSlug(string? slug) =>
        Enum.GetValues<EmailTemplateId>().Select(id => (EmailTemplateId?)id).FirstOrDefault(id => id!.Value.Slug() == slug);

    /// <summary>The shipped Liquid source of <paramref name="id"/>: a <c>Subject:</c> line, a blank line, the body.</summary>
    public static string DefaultSource(EmailTemplateId id)
    {
        var resource = "DisclosureDesk.EmailTemplates." + FileName(id);
        using var stream = typeof(EmailTemplateCatalog).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The default email template '{resource}' is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string FileName(EmailTemplateId id) => id switch
    {
        EmailTemplateId.InitialNotification => "initial-notification.liquid",
        EmailTemplateId.FollowUp1 => "follow-up-1.liquid",
        EmailTemplateId.FollowUp2 => "follow-up-2.liquid",
        EmailTemplateId.FinalFollowUp => "final-follow-up.liquid",
        EmailTemplateId.Escalation => "escalation.liquid",
        EmailTemplateId.DeadlineReminder => "deadline-reminder.liquid",
        EmailTemplateId.ConfirmAccount => "confirm-account.liquid",
        EmailTemplateId.ResetPassword => "reset-password.liquid",
        EmailTemplateId.OverdueDigest => "overdue-digest.liquid",
        EmailTemplateId.EscalationNationalCert => "escalation-national-cert.liquid",
        EmailTemplateId.EscalationDataProtectionAuthority => "escalation-data-protection-authority.liquid",
        EmailTemplateId.CampaignNotification => "campaign-notification.liquid",
        EmailTemplateId.CampaignFollowUp => "campaign-follow-up.liquid",
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, null),
    };
}
