using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// One case as a profile lets it out: already filtered and masked, so the formatters only lay it out and can
/// never leak what the profile removed. <see cref="Events"/> is lazy: each enumeration reads the case's events
/// again, in sequence order, and projects them one at a time, so a formatter never holds the whole timeline.
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
    IAsyncEnumerable<ExportedEvent> Events)
{
    /// <summary>The format <see cref="AuditChain.ComputeHash"/> hashes instants in, so exported times can be re-hashed as they are.</summary>
    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The case's deadlines and scheduled follow-ups as the profile lets them out (<see cref="CaseCalendar.For"/>).</summary>
    public IReadOnlyList<CalendarItem> Calendar { get; init; } = [];

    public static string Instant(DateTime utc) => utc.ToUniversalTime().ToString(InstantFormat, CultureInfo.InvariantCulture);

    /// <summary>The events a profile lets out, as a query the database can run (and the same rule in memory).</summary>
    public static Expression<Func<TimelineEvent, bool>> VisibleTo(ExportProfile profile) => profile switch
    {
        ExportProfile.Full => e => true,
        ExportProfile.Owner => e => e.Visibility == EventVisibility.Owner || e.Visibility == EventVisibility.Public,
        _ => e => e.Visibility == EventVisibility.Public,
    };

    /// <summary>A document over events held in memory (tests, previews): the same projection as a streamed one.</summary>
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
        var visible = VisibleTo(profile).Compile();
        var included = events.Where(e => e.Sequence <= @case.LastEventSequence && visible(e)).OrderBy(e => e.Sequence).ToList();
        return Create(profile, generatedAt, author, @case, team, contacts, evidence, included.Count, _ => Replay(included));
    }

    /// <summary>
    /// A document whose events are read from <paramref name="readEvents"/> each time a formatter walks them.
    /// The chain facts come from the case row and <paramref name="includedEventCount"/> (the events of the chain,
    /// up to the case's head, that the profile lets out), so nothing needs to hold the events to state them.
    /// </summary>
    /// <param name="readEvents">The case's events up to its head, in sequence order; filtered again here, so a reader that lets too much through still leaks nothing.</param>
    public static CaseExportDocument Create(
        ExportProfile profile,
        DateTime generatedAt,
        string author,
        Case @case,
        IReadOnlyList<ExportedPerson> team,
        IEnumerable<CaseContact> contacts,
        IEnumerable<EvidenceFile> evidence,
        int includedEventCount,
        Func<CancellationToken, IAsyncEnumerable<TimelineEvent>> readEvents)
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

        var visible = VisibleTo(profile).Compile();
        var head = @case.LastEventSequence;

        ExportedEvent Project(TimelineEvent e)
        {
            var actorName = Text(e.ActorName);
            var text = Text(e.Text);
            // Field changes are JSON whose escaping could hide an address from the masks; a public export leaves them out.
            var changes = redactor is null ? e.Changes : null;
            var redacted = actorName != e.ActorName || text != e.Text || changes != e.Changes;
            return new ExportedEvent(e.Sequence, Instant(e.OccurredAt), e.OccurredAt, e.ActorId, actorName, e.Type.ToString(),
                e.Visibility.ToString(), text, changes, e.PreviousHash, e.Hash, redacted);
        }

        async IAsyncEnumerable<ExportedEvent> Events([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var previous = 0;
            await foreach (var e in readEvents(cancellationToken).WithCancellation(cancellationToken))
            {
                if (e.Sequence <= previous)
                {
                    throw new InvalidOperationException($"Case {@case.Reference}: events must come in sequence order ({e.Sequence} after {previous}).");
                }
                previous = e.Sequence;
                if (e.Sequence <= head && visible(e))
                {
                    yield return Project(e);
                }
            }
        }

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
            new ExportedChain(AuditChain.GenesisHash, head, @case.LastEventHash, includedEventCount == head),
            // An async iterator starts afresh for each enumeration, so a formatter may walk the events twice (Markdown does).
            Events());
    }

    private static async IAsyncEnumerable<TimelineEvent> Replay(IReadOnlyList<TimelineEvent> events)
    {
        await Task.CompletedTask;
        foreach (var e in events)
        {
            yield return e;
        }
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
