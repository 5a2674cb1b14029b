using Fluid;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>A parsed and validated template, ready to render. Obtain one from <see cref="TemplateValidator"/>.</summary>
public sealed class EmailTemplate
{
    internal EmailTemplate(EmailTemplateId id, IFluidTemplate subject, IFluidTemplate body)
    {
        Id = id;
        Subject = subject;
        Body = body;
    }

    public EmailTemplateId Id { get; }
    internal IFluidTemplate Subject { get; }
    internal IFluidTemplate Body { get; }
}

/// <summary>The rendered email: a single-line subject and a plain-text body with <c>\n</c> line endings.</summary>
public sealed record RenderedEmail(string Subject, string TextBody);
