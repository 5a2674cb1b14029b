using DisclosureDesk.Features.Notifications.Templates;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public class TemplateValidatorTests
{
    [Fact]
    public void Validate_UnknownField_IsRefusedNamingTheFieldAndLine()
    {
        const string source = "Subject: [{{ case.reference }}] Exposed database\n\nHello,\n\nWe found {{ case.nonexistent }} today.\n";

        var validation = TemplateValidator.Validate(EmailTemplateId.InitialNotification, source);

        Assert.False(validation.IsValid);
        var error = Assert.Single(validation.Errors);
        Assert.Equal(5, error.Line);
        Assert.Contains("'case.nonexistent'", error.Message);
    }

    [Fact]
    public void Validate_UnknownFieldInABranchThatWouldNotRender_IsStillRefused()
    {
        const string source = "Subject: Test\n\nHello\n{% if case.ransom_note_present %}\n  Ransom: {{ case.ransom_amount }}\n{% endif %}\n";

        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.InitialNotification, source).Errors);

        Assert.Equal(5, error.Line);
        Assert.Contains("'case.ransom_amount'", error.Message);
    }

    [Fact]
    public void Validate_UnknownFieldInSubject_ReportsLineOne()
    {
        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.FollowUp1, "Subject: [{{ case.refrence }}]\n\nBody\n").Errors);

        Assert.Equal(1, error.Line);
        Assert.Contains("'case.refrence'", error.Message);
        Assert.Contains("reference", error.Message);
    }

    [Fact]
    public void Validate_UnknownRootVariable_IsRefused()
    {
        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.FollowUp1, "Subject: Hi\n\nDear {{ owner.name }},\n").Errors);

        Assert.Equal(3, error.Line);
        Assert.Contains("'owner'", error.Message);
    }

    [Fact]
    public void Validate_DigestTemplate_ChecksItsOwnModelIncludingFieldsOfListItemsByIndex()
    {
        Assert.True(TemplateValidator.Validate(EmailTemplateId.OverdueDigest, "Subject: {{ digest.item_count }}\n\n{{ past_deadline[0].reference }}\n").IsValid);

        var errors = TemplateValidator.Validate(EmailTemplateId.OverdueDigest, "Subject: {{ case.title }}\n\n{{ past_deadline[0].refrence }}\n").Errors;

        Assert.Collection(errors,
            e => Assert.Equal((1, true), (e.Line, e.Message.Contains("'case'", StringComparison.Ordinal))),
            e => Assert.Equal((3, true), (e.Line, e.Message.Contains("refrence", StringComparison.Ordinal))));
    }

    [Fact]
    public void Validate_AccountFieldInCaseTemplate_IsRefusedBecauseEachTemplateHasItsOwnModel()
    {
        Assert.True(TemplateValidator.Validate(EmailTemplateId.ResetPassword, "Subject: Reset\n\n{{ link }}\n").IsValid);

        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.InitialNotification, "Subject: Reset\n\n{{ link }}\n").Errors);

        Assert.Contains("'link'", error.Message);
    }

    [Fact]
    public void Validate_UnclosedIf_IsRefusedWithALineNumber()
    {
        const string source = "Subject: Test\n\nHello\n{% if case.ransom_note_present %}\nThere was a ransom note.\n";

        var validation = TemplateValidator.Validate(EmailTemplateId.InitialNotification, source);

        Assert.False(validation.IsValid);
        var error = Assert.Single(validation.Errors);
        Assert.InRange(error.Line, 4, 6);
        Assert.Contains("endif", error.Message);
    }

    [Fact]
    public void Validate_IfWithoutCondition_IsRefusedOnItsLine()
    {
        const string source = "Subject: Test\n\nHello\n\n{% if %}x{% endif %}\n";

        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.InitialNotification, source).Errors);

        Assert.Equal(5, error.Line);
        Assert.Contains("if", error.Message);
    }

    [Fact]
    public void Validate_UnknownFilter_IsRefused()
    {
        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.InitialNotification, "Subject: Test\n\nA\nB {{ case.title | shout }}\n").Errors);

        Assert.Equal(4, error.Line);
        Assert.Contains("'shout'", error.Message);
    }

    [Theory]
    [InlineData("Hello\n\nBody\n", 1)]
    [InlineData("Subject:   \n\nBody\n", 1)]
    [InlineData("Subject: Hi\nBody right away\n", 2)]
    [InlineData("Subject: Hi\n\n   \n", 3)]
    public void Validate_WrongLayout_IsRefusedWithTheLine(string source, int line)
    {
        var error = Assert.Single(TemplateValidator.Validate(EmailTemplateId.FollowUp2, source).Errors);

        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void Validate_ValidCustomTemplate_PassesAndRendersItsOwnVariables()
    {
        const string source = """
            Subject: [{{ case.reference }}] {{ case.service_description | upcase }} open at {{ case.endpoint }}

            {% assign greeting = recipient.name | default: "team" %}Hi {{ greeting }},
            {% for category in case.data_categories %}
            * {{ forloop.index }}. {{ category }}
            {%- endfor %}
            {% if case.data_categories.size > 1 and case.record_count %}{{ case.record_count }} records{% endif %}
            {% capture deadline %}{{ notification.deadline }} {{ notification.time_zone }}{% endcapture %}Deadline: {{ deadline }}
            """;

        var validation = TemplateValidator.Validate(EmailTemplateId.InitialNotification, source);

        Assert.Empty(validation.Errors);
        var email = new EmailTemplateRenderer().Render(validation.Template!, NotificationModels.Model());
        Assert.Equal("[DD-2026-00001] MONGODB DATABASE open at 203.0.113.7:27017", email.Subject);
        Assert.Contains("Hi Ms. de Vries,", email.TextBody);
        Assert.Contains("* 2. Health", email.TextBody);
        Assert.Contains("1,234,567 records", email.TextBody);
        Assert.Contains("Deadline: 2026-03-12 Europe/Amsterdam", email.TextBody);
    }
}
