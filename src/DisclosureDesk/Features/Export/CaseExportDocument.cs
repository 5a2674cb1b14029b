using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// One case as a profile lets it out: already filtered and masked, so the formatters only lay it out and can
/// never leak what the profile removed.
/// </summary>
public sealed record CaseExportDocument(
    ExportProfile Profile,
    DateTime GeneratedAt,
    string Author,
    ExportedCase Case,
    IReadOnlyList<ExportedPerson> Team,
    IReadOnlyList<ExportedContact> Contacts,
    IReadOnlyList<ExportedEvidence> Evidence,
    ExportedChain Chain,
    IReadOnlyList<ExportedEvent> Events)
{
    /// <summary>The format <see cref="AuditChain.ComputeHash"/> hashes instants in, so exported times can be re-hashed as they are.</summary>
    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The case's deadlines and scheduled follow-ups as the profile lets them out (<see cref="CaseCalendar.For"/>).</summary>
    public IReadOnlyList<CalendarItem> Calendar { get; init; } = [];

    public static string Instant(DateTime utc) => utc.ToUniversalTime().ToString(InstantFormat, CultureInfo.InvariantCulture);

    public static CaseExportDocument Create(
        ExportProfile profile,
        DateTime generatedAt,
        string author,
        Case @case,
        IReadOnlyList<ExportedPerson> team,
        IEnumerable<CaseContact> contacts,
        IEnumerable<EvidenceFile> evidence,
        IEnumerable<TimelineEvent> events)
    {
        var contactList = contacts.OrderBy(c => c.Id).ToList();
        var redactor = profile == ExportProfile.Public ? new Redactor(contactList.Select(c => c.Name), @case.Host) : null;
        string Text(string value) => redactor?.Mask(value) ?? value;
        string? TextOrNull(string? value) => value is null ? null : Text(value);

        var isPublic = profile == ExportProfile.Public;
        var exportedCase = new ExportedCase(
            @case.Reference,
            Text(@case.Title),
            TextOrNull(@case.Summary),
            @case.Status.ToString(),
            @case.ClosedAt is null ? "Open" : "Closed",
            profile == ExportProfile.Full ? @case.Severity.ToString() : null,
            profile == ExportProfile.Full ? @case.Tags : null,
            @case.Service.ToString(),
            isPublic ? Redactor.MaskHost(@case.Host) : @case.Host,
            isPublic ? null : @case.Port,
            isPublic ? null : @case.OrganizationName,
            @case.RecordCount,
            @case.CreatedAt,
            @case.FirstNotifiedAt,
            @case.ClosedAt);

        var visible = profile switch
        {
            ExportProfile.Full => (Func<TimelineEvent, bool>)(_ => true),
            ExportProfile.Owner => e => e.Visibility is EventVisibility.Owner or EventVisibility.Public,
            _ => e => e.Visibility == EventVisibility.Public,
        };
        var exportedEvents = events
            .Where(visible)
            .OrderBy(e => e.Sequence)
            .Select(e =>
            {
                var actorName = Text(e.ActorName);
                var text = Text(e.Text);
                // Field changes are JSON whose escaping could hide an address from the masks; a public export leaves them out.
                var changes = redactor is null ? e.Changes : null;
                var redacted = actorName != e.ActorName || text != e.Text || changes != e.Changes;
                return new ExportedEvent(e.Sequence, Instant(e.OccurredAt), e.OccurredAt, e.ActorId, actorName, e.Type.ToString(),
                    e.Visibility.ToString(), text, changes, e.PreviousHash, e.Hash, redacted);
            })
            .ToList();

        return new CaseExportDocument(
            profile,
            generatedAt,
            Text(author),
            exportedCase,
            team.Select(m => profile == ExportProfile.Full ? m : m with { Email = null }).ToList(),
            isPublic ? [] : contactList.Select(c => new ExportedContact(c.Name, c.Email, c.Role, c.VerifiedAt is not null)).ToList(),
            profile == ExportProfile.Full
                ? evidence.OrderBy(f => f.Id).Select(f => new ExportedEvidence(f.FileName, f.Kind.ToString(), f.ContentType, f.Length, f.Sha256, f.Description)).ToList()
                : [],
            new ExportedChain(AuditChain.GenesisHash, @case.LastEventSequence, @case.LastEventHash, exportedEvents.Count == @case.LastEventSequence),
            exportedEvents);
    }
}

public sealed record ExportedCase(
    string Reference,
    string Title,
    string? Summary,
    string Status,
    string OpenOrClosed,
    string? Severity,
    string? Tags,
    string Service,
    string? Host,
    int? Port,
    string? Organization,
    long? RecordCount,
    DateTime CreatedAt,
    DateTime? FirstNotifiedAt,
    DateTime? ClosedAt);

public sealed record ExportedPerson(string Name, string? Email, bool IsLead);

public sealed record ExportedContact(string Name, string? Email, string? Role, bool Verified);

public sealed record ExportedEvidence(string FileName, string Kind, string ContentType, long Length, string Sha256, string? Description);

/// <param name="Complete">Whether every event of the chain is in the export, so it verifies end to end.</param>
public sealed record ExportedChain(string GenesisHash, int HeadSequence, string HeadHash, bool Complete);

/// <param name="OccurredAt">As hashed: <see cref="CaseExportDocument.InstantFormat"/>.</param>
/// <param name="Redacted">Masking changed the actor or text, or removed the changes, so this event's hash cannot be recomputed from the export.</param>
public sealed record ExportedEvent(
    int Sequence,
    string OccurredAt,
    DateTime OccurredAtUtc,
    string? ActorId,
    string ActorName,
    string Type,
    string Visibility,
    string Text,
    string? Changes,
    string PreviousHash,
    string Hash,
    bool Redacted);
