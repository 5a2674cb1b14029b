using System.Net;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>Identity's emails, rendered from their templates and sent through the outbox like every other email.</summary>
public sealed class OutboxEmailSender(IDbContextFactory<AppDbContext> dbFactory, Outbox outbox, EmailTemplateStore templateStore) : IEmailSender<ApplicationUser>
{
    /// <summary>The site name account emails sign with.</summary>
    public const string SiteName = "DisclosureDesk";

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(email, templates => Render(templates, EmailTemplateId.ConfirmAccount, user, email, confirmationLink));

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(email, templates => Render(templates, EmailTemplateId.ResetPassword, user, email, resetLink));

    // Only Identity's API endpoints send bare codes; the app's own pages always send links.
    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(email, _ => new RenderedEmail(
            $"Your {SiteName} password reset code",
            $"""
            Hello {user.Label},

            A password reset was requested for the {SiteName} account for {email}. Your reset code is:

            {resetCode}

            If you did not ask for this, ignore this email: your password stays as it is.
            """));

    // Identity's pages hand over links HTML-encoded for an HTML body; these emails are plain text,
    // where "&amp;" would break the link.
    private static RenderedEmail Render(ActiveEmailTemplates templates, EmailTemplateId id, ApplicationUser user, string email, string link) =>
        templates.Render(id, new AccountEmailModel
        {
            User = new AccountUserFields { Name = user.Label, Email = email },
            Link = WebUtility.HtmlDecode(link),
            SiteName = SiteName,
        });

    private async Task SendAsync(string email, Func<ActiveEmailTemplates, RenderedEmail> render)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var rendered = render(await templateStore.LoadActiveAsync(db));
        var message = outbox.Enqueue(db, new OutgoingEmail([email], rendered.Subject, rendered.TextBody, Purpose: OutboxPurpose.Account));
        await db.SaveChangesAsync();
        outbox.Dispatch(message);
    }
}
