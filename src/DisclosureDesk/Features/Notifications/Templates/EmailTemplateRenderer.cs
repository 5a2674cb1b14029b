using System.Text;
using System.Text.RegularExpressions;
using Fluid;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// Turns a template and its model into a subject and a plain-text body. Rendering only: building the MIME
/// message and delivering it belong to the outbox.
/// </summary>
public sealed partial class EmailTemplateRenderer
{
    private readonly Dictionary<EmailTemplateId, EmailTemplate> _defaults;

    public EmailTemplateRenderer()
    {
        _defaults = Enum.GetValues<EmailTemplateId>().ToDictionary(id => id, id =>
        {
            var validation = TemplateValidator.Validate(id, EmailTemplateCatalog.DefaultSource(id));
            return validation.Template
                ?? throw new InvalidOperationException($"The shipped {id} template is invalid: {string.Join("; ", validation.Errors)}");
        });
    }

    /// <summary>The shipped default of <paramref name="id"/>, parsed once.</summary>
    public EmailTemplate Default(EmailTemplateId id) => _defaults[id];

    /// <summary>Renders the shipped default of a case email.</summary>
    public RenderedEmail Render(EmailTemplateId id, NotificationModel model) => Render(_defaults[id], model);

    /// <summary>Renders the shipped default of an account email.</summary>
    public RenderedEmail Render(EmailTemplateId id, AccountEmailModel model) => Render(_defaults[id], model);

    /// <summary>Renders the shipped default of the overdue digest.</summary>
    public RenderedEmail Render(EmailTemplateId id, OverdueDigestModel model) => Render(_defaults[id], model);

    /// <summary>Renders a template from <see cref="TemplateValidator"/> or <see cref="EmailTemplateStore"/>.</summary>
    public RenderedEmail Render(EmailTemplate template, object model)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(model);
        if (model.GetType() != template.Id.ModelType())
        {
            throw new ArgumentException($"The {template.Id} template renders a {template.Id.ModelType().Name}, not a {model.GetType().Name}.", nameof(model));
        }
        var context = new TemplateContext(model, EmailTemplateEngine.Options);
        // Plain text: Fluid's default HTML encoder would turn "O'Brien & Co" into entities.
        var subject = template.Subject.Render(context, NullEncoder.Default);
        var body = template.Body.Render(context, NullEncoder.Default);
        return new RenderedEmail(SingleLine(subject), TidyBody(body));
    }

    /// <summary>
    /// A subject becomes a header: any line break or control character that a case title or organisation
    /// name carried in would let it forge further headers, so they all become spaces.
    /// </summary>
    private static string SingleLine(string subject)
    {
        var builder = new StringBuilder(subject.Length);
        foreach (var c in subject)
        {
            builder.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }
        return Whitespace().Replace(builder.ToString(), " ").Trim();
    }

    // Liquid tags on their own lines leave blank lines and trailing spaces behind; tidying here keeps every
    // template, shipped or edited, readable without whitespace-control markers everywhere.
    private static string TidyBody(string body)
    {
        var lines = body.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd());
        var text = RepeatedBlankLines().Replace(string.Join('\n', lines), "\n\n");
        return text.Trim('\n') + "\n";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex RepeatedBlankLines();
}
