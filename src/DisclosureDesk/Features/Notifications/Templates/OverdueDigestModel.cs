namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// What the daily overdue digest may show: the researcher's own overdue items, already formatted (ISO dates in
/// the researcher's time zone). Like <see cref="NotificationModel"/>, built for the template; never an entity.
/// </summary>
public sealed class OverdueDigestModel
{
    public required DigestResearcherFields Researcher { get; init; }
    public required DigestFields Digest { get; init; }

    /// <summary>Open cases whose disclosure deadline has passed.</summary>
    public required IReadOnlyList<DigestCaseFields> PastDeadline { get; init; }

    /// <summary>Cases the owner never answered, waiting for the researcher to escalate or close them.</summary>
    public required IReadOnlyList<DigestCaseFields> NoResponse { get; init; }

    /// <summary>Emails to owners that failed or whose outcome is unknown: someone decides whether to send again.</summary>
    public required IReadOnlyList<DigestEmailFields> Undelivered { get; init; }
}

public sealed class DigestResearcherFields
{
    public required string Name { get; init; }
    public required string Team { get; init; }
}

public sealed class DigestFields
{
    /// <summary>The researcher's local date the digest is for, <c>yyyy-MM-dd</c>.</summary>
    public required string Date { get; init; }
    public required string TimeZone { get; init; }
    public required int ItemCount { get; init; }

    /// <summary>Link to DisclosureDesk's outbox page, when the app's address is configured.</summary>
    public string? OutboxUrl { get; init; }
}

public sealed class DigestCaseFields
{
    public required string Reference { get; init; }
    public required string Title { get; init; }
    public required string Status { get; init; }

    /// <summary>The date that passed (the deadline, or the No-response date), <c>yyyy-MM-dd</c>.</summary>
    public required string Since { get; init; }
    public required int DaysOverdue { get; init; }
    public string? CaseUrl { get; init; }
}

public sealed class DigestEmailFields
{
    public required string Reference { get; init; }
    public required string Subject { get; init; }
    public required string To { get; init; }

    /// <summary>"Failed" or "Unknown".</summary>
    public required string State { get; init; }
    public string? LastError { get; init; }
    public string? CaseUrl { get; init; }
}
