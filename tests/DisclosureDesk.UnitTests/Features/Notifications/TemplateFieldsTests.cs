using DisclosureDesk.Features.Notifications.Templates;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public class TemplateFieldsTests
{
    [Fact]
    public void For_CaseTemplate_ListsEveryFieldTheValidatorAccepts()
    {
        var fields = TemplateFields.For(EmailTemplateId.InitialNotification);

        Assert.Contains(new TemplateField("case.reference", "text", MayBeEmpty: false), fields);
        Assert.Contains(new TemplateField("case.record_count", "text", MayBeEmpty: true), fields);
        Assert.Contains(new TemplateField("case.data_categories", "list of text", MayBeEmpty: false), fields);
        Assert.Contains(new TemplateField("case.in_eea", "yes/no", MayBeEmpty: false), fields);
        Assert.Contains(new TemplateField("notification.days_until_deadline", "number", MayBeEmpty: false), fields);
        Assert.Contains(new TemplateField("organization.name", "text", MayBeEmpty: true), fields);
        var everyField = "Subject: x\n\n" + string.Concat(fields.Select(f => $"{{{{ {f.Path} }}}}\n"));
        Assert.Empty(TemplateValidator.Validate(EmailTemplateId.InitialNotification, everyField).Errors);
    }

    [Fact]
    public void For_AccountTemplate_ListsNoCaseFields()
    {
        var paths = TemplateFields.For(EmailTemplateId.ConfirmAccount).Select(f => f.Path);

        Assert.Equal(["user.name", "user.email", "link", "site_name"], paths);
    }
}
