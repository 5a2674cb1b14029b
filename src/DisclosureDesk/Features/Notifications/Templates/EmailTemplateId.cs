namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>The emails DisclosureDesk sends. Each has a shipped default and may be replaced by an administrator.</summary>
public enum EmailTemplateId
{
    InitialNotification = 0,
    FollowUp1 = 1,
    FollowUp2 = 2,
    FinalFollowUp = 3,
    Escalation = 4,
    DeadlineReminder = 5,
    ConfirmAccount = 6,
    ResetPassword = 7,
    OverdueDigest = 8,
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
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, null),
    };
}
