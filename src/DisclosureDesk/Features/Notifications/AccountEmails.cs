namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The texts of the account emails (confirm, reset). Plain and short on purpose; one class so that the
/// Liquid templates can take over by replacing it.
/// </summary>
public static class AccountEmails
{
    public static OutgoingEmail ConfirmAccount(string email, string link) => new(
        [email],
        "Confirm your DisclosureDesk account",
        $"""
        Hello,

        Someone, hopefully you, registered this address with DisclosureDesk.
        To confirm it, open this link:

        {link}

        If you did not register, ignore this email and nothing will happen.
        """);

    public static OutgoingEmail ResetPasswordLink(string email, string link) => new(
        [email],
        "Reset your DisclosureDesk password",
        $"""
        Hello,

        A password reset was requested for this DisclosureDesk account.
        To choose a new password, open this link:

        {link}

        If you did not ask for this, ignore this email: your password stays as it is.
        """);

    public static OutgoingEmail ResetPasswordCode(string email, string code) => new(
        [email],
        "Your DisclosureDesk password reset code",
        $"""
        Hello,

        A password reset was requested for this DisclosureDesk account. Your reset code is:

        {code}

        If you did not ask for this, ignore this email: your password stays as it is.
        """);
}
