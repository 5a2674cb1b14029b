using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>Identity's emails, sent through the outbox like every other email.</summary>
public sealed class OutboxEmailSender(IDbContextFactory<AppDbContext> dbFactory, Outbox outbox) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(AccountEmails.ConfirmAccount(email, confirmationLink));

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(AccountEmails.ResetPasswordLink(email, resetLink));

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(AccountEmails.ResetPasswordCode(email, resetCode));

    private async Task SendAsync(OutgoingEmail email)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var message = outbox.Enqueue(db, email);
        await db.SaveChangesAsync();
        outbox.Dispatch(message);
    }
}
