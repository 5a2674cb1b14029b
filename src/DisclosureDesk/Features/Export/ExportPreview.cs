using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// What an export under a profile leaves out of a case, shown against the full case so the researcher can read it
/// before downloading. Everything is derived by running <see cref="CaseExportDocument.Create"/> (the export's own
/// rules) and comparing its output with the original: the preview cannot mark less, or other, than the export hides.
/// </summary>
public static class ExportPreview
{
    /// <summary>Events per page of the preview's timeline.</summary>
    public const int PageSize = 200;

    /// <summary>Events read per query while counting what the whole timeline loses.</summary>
    private const int ScanBatchSize = 1000;

    public sealed record Preview(
        string Reference,
        string Title,
        ExportProfile Profile,
        IReadOnlyList<PreviewField> Fields,
        IReadOnlyList<RemovedItem> Removed,
        PreviewSummary Summary,
        Page FirstPage);

    /// <summary>A fact of the case: kept, kept with masked spans, or <see cref="Removed"/> from the export.</summary>
    public sealed record PreviewField(string Label, IReadOnlyList<RedactionSegment> Value, bool Removed)
    {
        public int MaskedCount => Removed ? 0 : Value.Count(s => s.IsMasked);
    }

    /// <summary>A list the export leaves out, such as the contacts, with the values the full case has.</summary>
    public sealed record RemovedItem(string What, IReadOnlyList<string> Values);

    /// <summary>One event of the full timeline; <see cref="HiddenReason"/> says why the export leaves it out.</summary>
    public sealed record PreviewEvent(
        int Sequence,
        DateTime OccurredAt,
        TimelineEventType Type,
        EventVisibility Visibility,
        IReadOnlyList<RedactionSegment> Actor,
        IReadOnlyList<RedactionSegment> Text,
        IReadOnlyList<FieldChange> RemovedChanges,
        string? HiddenReason)
    {
        public bool Hidden => HiddenReason is not null;

        public int MaskedCount => Hidden ? 0 : Actor.Count(s => s.IsMasked) + Text.Count(s => s.IsMasked);
    }

    /// <param name="NextAfter">The sequence to continue after, or null on the last page.</param>
    public sealed record Page(IReadOnlyList<PreviewEvent> Events, int? NextAfter);

    /// <summary>What the export loses over the whole case.</summary>
    public sealed record PreviewSummary(int EventCount, int EventsHidden, int ValuesMasked, int FieldsRemoved, int EventsWithChangesRemoved)
    {
        public bool NothingHidden => EventsHidden == 0 && ValuesMasked == 0 && FieldsRemoved == 0 && EventsWithChangesRemoved == 0;
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
    {
        /// <summary>
        /// The case's facts, the summary over its whole timeline and the first page of events; null when the case
        /// does not exist or the user may not see it (the same answer for both).
        /// </summary>
        public async Task<Preview?> HandleAsync(string reference, ExportProfile profile, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await LoadCaseAsync(db, reference, user, cancellationToken) is not { } @case)
            {
                return null;
            }
            var team = await TeamAsync(db, @case, cancellationToken);
            var evidence = await db.EvidenceFiles.AsNoTracking().Where(f => f.CaseId == @case.Id).ToListAsync(cancellationToken);
            var (fields, removed) = DescribeCase(profile, time.GetUtcNow().UtcDateTime, user.Name, @case, team, @case.Contacts, evidence);

            // The counts cover the whole timeline, read in batches so a long one is never held at once.
            int count = 0, hidden = 0, masked = 0, changesRemoved = 0;
            var after = 0;
            while (true)
            {
                var batch = await EventsAfterAsync(db, @case.Id, after, ScanBatchSize, cancellationToken);
                foreach (var e in await DescribeEventsAsync(profile, @case, @case.Contacts, batch, cancellationToken))
                {
                    count++;
                    hidden += e.Hidden ? 1 : 0;
                    masked += e.MaskedCount;
                    changesRemoved += e.RemovedChanges.Count > 0 ? 1 : 0;
                }
                if (batch.Count < ScanBatchSize)
                {
                    break;
                }
                after = batch[^1].Sequence;
            }
            var summary = new PreviewSummary(count, hidden, masked + fields.Sum(f => f.MaskedCount),
                fields.Count(f => f.Removed) + removed.Count, changesRemoved);

            var firstPage = await PageOfAsync(db, profile, @case, 0, cancellationToken);
            return new Preview(@case.Reference, @case.Title, profile, fields, removed, summary, firstPage);
        }

        /// <summary>The next <see cref="PageSize"/> events after <paramref name="afterSequence"/>; null as for <see cref="HandleAsync"/>.</summary>
        public async Task<Page?> PageAsync(string reference, ExportProfile profile, int afterSequence, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await LoadCaseAsync(db, reference, user, cancellationToken) is { } @case
                ? await PageOfAsync(db, profile, @case, afterSequence, cancellationToken)
                : null;
        }

        private static async Task<Page> PageOfAsync(AppDbContext db, ExportProfile profile, Case @case, int afterSequence, CancellationToken cancellationToken)
        {
            var events = await EventsAfterAsync(db, @case.Id, afterSequence, PageSize + 1, cancellationToken);
            var more = events.Count > PageSize;
            var page = more ? events[..PageSize] : events;
            return new Page(await DescribeEventsAsync(profile, @case, @case.Contacts, page, cancellationToken), more ? page[^1].Sequence : null);
        }

        private static Task<Case?> LoadCaseAsync(AppDbContext db, string reference, CurrentUser user, CancellationToken cancellationToken) =>
            db.CasesVisibleTo(user).AsNoTracking()
                .Include(c => c.Members)
                .Include(c => c.Contacts)
                .AsSplitQuery()
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);

        private static Task<List<TimelineEvent>> EventsAfterAsync(AppDbContext db, int caseId, int afterSequence, int take, CancellationToken cancellationToken) =>
            db.TimelineEvents.AsNoTracking()
                .Where(e => e.CaseId == caseId && e.Sequence > afterSequence)
                .OrderBy(e => e.Sequence)
                .Take(take)
                .ToListAsync(cancellationToken);

        private static async Task<List<ExportedPerson>> TeamAsync(AppDbContext db, Case @case, CancellationToken cancellationToken)
        {
            var memberIds = @case.Members.Select(m => m.UserId).Append(@case.LeadId).Distinct().ToList();
            var users = await db.Users.AsNoTracking().Where(u => memberIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
            return memberIds
                .Select(id => users.TryGetValue(id, out var u) ? new ExportedPerson(u.Label, u.Email, id == @case.LeadId) : new ExportedPerson(id, null, id == @case.LeadId))
                .OrderByDescending(m => m.IsLead).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
    }

    /// <summary>The case's facts as the full view shows them, each marked with what the export does to it, and the lists it leaves out.</summary>
    public static (IReadOnlyList<PreviewField> Fields, IReadOnlyList<RemovedItem> Removed) DescribeCase(
        ExportProfile profile,
        DateTime now,
        string author,
        Case @case,
        IReadOnlyList<ExportedPerson> team,
        IReadOnlyList<CaseContact> contacts,
        IReadOnlyList<EvidenceFile> evidence)
    {
        var exported = CaseExportDocument.Create(profile, now, author, @case, team, contacts, evidence, []);
        var redactor = RedactorFor(profile, @case, contacts);
        var c = exported.Case;
        var fields = new List<PreviewField>
        {
            Text("Title", @case.Title, c.Title, redactor),
        };
        if (!string.IsNullOrWhiteSpace(@case.Summary))
        {
            fields.Add(Text("Summary", @case.Summary, c.Summary, redactor));
        }
        fields.Add(Named("Status", @case.Status, c.Status));
        fields.Add(Named("Service", @case.Service, c.Service));
        fields.Add(Value("Host", @case.Host, c.Host));
        fields.Add(Value("Port", @case.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        fields.Add(Value("Organisation", @case.OrganizationName, c.Organization));
        fields.Add(Named("Severity", @case.Severity, c.Severity));
        fields.Add(Value("Tags", string.IsNullOrWhiteSpace(@case.Tags) ? null : @case.Tags, c.Tags));
        fields.Add(Value("Records", @case.RecordCount?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), c.RecordCount?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

        var removed = new List<RemovedItem>();
        var emails = team.Zip(exported.Team).Where(p => p.First.Email is not null && p.Second.Email is null).Select(p => p.First.Email!).ToList();
        if (emails.Count > 0)
        {
            removed.Add(new RemovedItem("Team e-mail addresses", emails));
        }
        if (exported.Contacts.Count < contacts.Count)
        {
            removed.Add(new RemovedItem("Contacts", contacts.Select(x => x.Email is null ? x.Name : $"{x.Name} <{x.Email}>").ToList()));
        }
        if (exported.Evidence.Count < evidence.Count)
        {
            removed.Add(new RemovedItem("Evidence files", evidence.Select(f => f.FileName).ToList()));
        }
        return (fields, removed);
    }

    /// <summary>
    /// Every event of <paramref name="events"/> (one page of the full timeline), marked with what the export does to
    /// it: the export's own document decides which events stay and what their texts become.
    /// </summary>
    public static async Task<IReadOnlyList<PreviewEvent>> DescribeEventsAsync(
        ExportProfile profile, Case @case, IReadOnlyList<CaseContact> contacts, IReadOnlyList<TimelineEvent> events, CancellationToken cancellationToken = default)
    {
        var exported = await CaseExportDocument.Create(profile, DateTime.UnixEpoch, "", @case, [], contacts, [], events)
            .Events.ToDictionaryAsync(e => e.Sequence, cancellationToken: cancellationToken);
        var redactor = RedactorFor(profile, @case, contacts);
        return events.OrderBy(e => e.Sequence).Select(e =>
        {
            if (!exported.TryGetValue(e.Sequence, out var kept))
            {
                return new PreviewEvent(e.Sequence, e.OccurredAt, e.Type, e.Visibility, Kept(e.ActorName), Kept(e.Text), [],
                    $"{VisibilityName(e.Visibility)} — not in the {profile.Name()} export");
            }
            var changes = e.Changes is not null && kept.Changes is null ? CaseTimeline.ReadChanges(e.Changes) : [];
            return new PreviewEvent(e.Sequence, e.OccurredAt, e.Type, e.Visibility,
                Explain(e.ActorName, kept.ActorName, redactor), Explain(e.Text, kept.Text, redactor), changes, null);
        }).ToList();
    }

    private static string VisibilityName(EventVisibility visibility) => visibility switch
    {
        EventVisibility.Internal => "Internal",
        EventVisibility.Owner => "Owner only",
        _ => "Public",
    };

    // The same redactor CaseExportDocument.Create builds; Explain checks its result against the document's text.
    private static Redactor? RedactorFor(ExportProfile profile, Case @case, IEnumerable<CaseContact> contacts) =>
        profile == ExportProfile.Public ? new Redactor(contacts.OrderBy(c => c.Id).Select(c => c.Name), @case.Host) : null;

    private static PreviewField Text(string label, string original, string? exported, Redactor? redactor) =>
        exported is null ? new PreviewField(label, Kept(original), true) : new PreviewField(label, Explain(original, exported, redactor), false);

    /// <summary>An enum the export writes by its identifier and the page shows by its display name.</summary>
    private static PreviewField Named(string label, Enum original, string? exported) =>
        exported is not null && exported != original.ToString()
            ? new PreviewField(label, [new RedactionSegment(original.DisplayName(), exported)], false)
            : new PreviewField(label, Kept(original.DisplayName()), exported is null);

    private static PreviewField Value(string label, string? original, string? exported) => (original, exported) switch
    {
        (null, _) => new PreviewField(label, [], false),
        (_, null) => new PreviewField(label, Kept(original), true),
        _ when original == exported => new PreviewField(label, Kept(original), false),
        _ => new PreviewField(label, [new RedactionSegment(original, exported)], false),
    };

    /// <summary>
    /// The masked spans of <paramref name="original"/>. Should the segments ever not spell out what the export
    /// really holds, the whole text is shown replaced by the export's, so the preview never shows less than it hides.
    /// </summary>
    private static IReadOnlyList<RedactionSegment> Explain(string original, string exported, Redactor? redactor)
    {
        if (original == exported)
        {
            return Kept(original);
        }
        var segments = redactor?.Segments(original);
        return segments is not null && string.Concat(segments.Select(s => s.Output)) == exported
            ? segments
            : [new RedactionSegment(original, exported)];
    }

    private static IReadOnlyList<RedactionSegment> Kept(string text) => text.Length == 0 ? [] : [new RedactionSegment(text, null)];
}
