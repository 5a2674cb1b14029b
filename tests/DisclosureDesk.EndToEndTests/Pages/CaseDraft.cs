namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>What a test types into the case form; selects are chosen by their visible labels.</summary>
public sealed record CaseDraft(string Title, string Host, int Port, string? Organisation = null, string? Service = null, string? Severity = null);
