namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>What the account emails (confirm address, reset password) may show.</summary>
public sealed class AccountEmailModel
{
    public required AccountUserFields User { get; init; }

    /// <summary>The confirmation or reset link Identity generated; already URL-encoded.</summary>
    public required string Link { get; init; }
    public required string SiteName { get; init; }
}

public sealed class AccountUserFields
{
    public required string Name { get; init; }
    public required string Email { get; init; }
}
