using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.Features.Responses;

public enum ResponseChannel
{
    Email = 0,
    Phone = 1,
    [Display(Name = "Web form")] WebForm = 2,
    Ticket = 3,
    [Display(Name = "In person")] InPerson = 4,
    Other = 5,
}

public enum ResponseMeaning
{
    Acknowledged = 0,
    Fixed = 1,
    [Display(Name = "Needs more information")] NeedsMoreInformation = 2,
    Disputed = 3,
    [Display(Name = "Not ours")] NotOurs = 4,
    [Display(Name = "Automatic reply")] AutomaticReply = 5,
    Other = 6,
}

/// <summary>
/// What the owner (or someone on their behalf) said, and how. Append-only like the timeline: the event
/// recorded with it carries the SHA-256 of <see cref="VerbatimText"/>, so the stored words can be checked
/// against the audit chain; a correction is a new response, never an edit.
/// </summary>
public class VendorResponse
{
    public long Id { get; set; }
    public int CaseId { get; set; }
    public ResponseChannel Channel { get; set; }
    public ResponseMeaning Meaning { get; set; }

    /// <summary>Who answered: a name, a role or an address, as the researcher knows it.</summary>
    public string RespondedBy { get; set; } = "";
    public DateTime RespondedAt { get; set; }
    public string Summary { get; set; } = "";
    public string? VerbatimText { get; set; }

    /// <summary>Hex SHA-256 of <see cref="VerbatimText"/> (UTF-8), as written into the timeline event.</summary>
    public string? VerbatimSha256 { get; set; }
    public EventVisibility Visibility { get; set; }
    public string LoggedById { get; set; } = "";
    public string LoggedByName { get; set; } = "";
    public DateTime LoggedAt { get; set; }

    /// <summary>The position of the event that records this response in the case's audit chain.</summary>
    public int EventSequence { get; set; }
}

public static class ResponseLimits
{
    public const int VerbatimLength = 100_000;
}

public static class ResponseMeanings
{
    /// <summary>
    /// Whether a person on the owner's side answered. Any such answer ends the automatic chasing ("we have
    /// not heard from you" would be false); an out-of-office reply does not.
    /// </summary>
    public static bool IsHumanAnswer(this ResponseMeaning meaning) => meaning != ResponseMeaning.AutomaticReply;

    /// <summary>The status the response suggests, when the case can move there; the researcher decides.</summary>
    public static CaseStatus? SuggestedStatus(this ResponseMeaning meaning, CaseStatus current)
    {
        CaseStatus? suggestion = meaning switch
        {
            ResponseMeaning.Acknowledged => CaseStatus.Acknowledged,
            ResponseMeaning.Fixed => CaseStatus.Mitigated,
            _ => null,
        };
        return suggestion is { } status && CaseStatusMachine.CanTransition(current, status) ? status : null;
    }
}
