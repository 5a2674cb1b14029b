using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>Cases with a properly hash-chained timeline, built without a database.</summary>
internal static class ExportFixtures
{
    public static readonly DateTime GeneratedAt = new(2026, 5, 2, 12, 0, 0, DateTimeKind.Utc);

    public static IReadOnlyList<ExportedPerson> Team { get; } =
    [
        new("Ada Researcher", "ada@disclosuredesk.test", true),
        new("Bo Helper", "bo@disclosuredesk.test", false),
    ];

    /// <summary>Appends an event to <paramref name="events"/> the way <see cref="CaseTimeline.Append"/> chains it.</summary>
    public static void Append(Case @case, List<TimelineEvent> events, DateTime at, TimelineEventType type, EventVisibility visibility, string text, string? changes = null, string actorName = "Ada Researcher")
    {
        var e = new TimelineEvent
        {
            Id = events.Count + 1,
            CaseId = @case.Id,
            Sequence = @case.LastEventSequence + 1,
            OccurredAt = AuditChain.TruncateToStoredPrecision(at),
            ActorId = actorName == "DisclosureDesk" ? null : "user-ada",
            ActorName = actorName,
            Type = type,
            Visibility = visibility,
            Text = text,
            Changes = changes,
            PreviousHash = @case.LastEventSequence == 0 ? AuditChain.GenesisHash : @case.LastEventHash,
        };
        e.Hash = AuditChain.ComputeHash(e, @case.Reference);
        @case.LastEventSequence = e.Sequence;
        @case.LastEventHash = e.Hash;
        events.Add(e);
    }

    /// <summary>A closed case whose texts hold everything a public export must mask, and characters every format must escape.</summary>
    public static (Case Case, List<CaseContact> Contacts, List<EvidenceFile> Evidence, List<TimelineEvent> Events) Golden()
    {
        var start = new DateTime(2026, 3, 14, 9, 30, 0, DateTimeKind.Utc);
        var @case = new Case
        {
            Id = 7,
            Reference = "DD-2026-00001",
            Title = "Open Elasticsearch at 203.0.113.10 with patient records",
            Summary = "Kibana on 203.0.113.10:5601 and [2001:db8:85a3::8a2e:370:7334]:9200 exposed clinic data.\nReported to Jan de Vries (jan.devries@clinic.example).",
            Severity = Severity.High,
            Tags = "health, nl",
            Status = CaseStatus.Closed,
            Service = ServiceEngine.Elasticsearch,
            Host = "203.0.113.10",
            Port = 9200,
            OrganizationName = "Clinic Example B.V.",
            RecordCount = 120_000,
            CreatedAt = start,
            FirstNotifiedAt = start.AddDays(1),
            DisclosurePolicy = "Google Project Zero (90+30 days)",
            DisclosurePolicyId = "project-zero",
            DisclosureDays = 90,
            FixedAt = start.AddDays(19),
            ClosedAt = start.AddDays(20),
            LeadId = "user-ada",
        };
        var contacts = new List<CaseContact>
        {
            new() { Id = 1, CaseId = 7, Name = "Jan de Vries", Email = "jan.devries@clinic.example", Role = "CISO", VerifiedAt = start.AddDays(2) },
        };
        var evidence = new List<EvidenceFile>
        {
            new() { Id = 3, CaseId = 7, FileName = "kibana.png", Kind = EvidenceKind.Screenshot, ContentType = "image/png", Length = 2048, Sha256 = new string('a', 64), Description = "Index list" },
        };
        var events = new List<TimelineEvent>();
        Append(@case, events, start, TimelineEventType.CaseCreated, EventVisibility.Public, "Case filed: Elasticsearch on 203.0.113.10:9200.");
        Append(@case, events, start.AddHours(2), TimelineEventType.NoteAdded, EventVisibility.Internal, "Internal: Jan de Vries's mobile is on the Slack thread; admin panel at 198.51.100.77.");
        Append(@case, events, start.AddDays(1), TimelineEventType.OwnerNotified, EventVisibility.Owner, "Notified jan.devries@clinic.example, \"urgent\" <please act>.");
        Append(@case, events, start.AddDays(1).AddHours(3), TimelineEventType.FieldsChanged, EventVisibility.Internal, "Changed the record count.", """[{"field":"RecordCount","old":"100000","new":"120000"}]""");
        Append(@case, events, start.AddDays(5).AddTicks(1234567), TimelineEventType.NoteAdded, EventVisibility.Public, "=HYPERLINK(\"http://evil.test\") café, owner's reply | fixed 🔒\nfor good\ttoo");
        Append(@case, events, start.AddDays(20), TimelineEventType.StatusChanged, EventVisibility.Public, "-Closed: fixed by Jan de Vries; 2001:db8:85a3::8a2e:370:7334 no longer answers.", actorName: "DisclosureDesk");
        return (@case, contacts, evidence, events);
    }

    public static CaseExportDocument GoldenDocument(ExportProfile profile)
    {
        var (@case, contacts, evidence, events) = Golden();
        var document = CaseExportDocument.Create(profile, GeneratedAt, "Ada Researcher", @case, Team, contacts, evidence, events);
        return document with { Calendar = CaseCalendar.For(@case, document.Case.Title, GoldenFollowUps(), profile, TimeZoneInfo.Utc) };
    }

    /// <summary>The golden case's owner follow-ups: one still scheduled, one already sent (never in a calendar).</summary>
    public static IReadOnlyList<OutboxMessage> GoldenFollowUps() =>
    [
        new()
        {
            Id = 41, CaseId = 7, Purpose = OutboxPurpose.OwnerFollowUp, State = OutboxState.Sent, To = "jan.devries@clinic.example",
            Subject = "[DD-2026-00001] Reminder: exposed Elasticsearch", DueAt = new DateTime(2026, 3, 22, 9, 30, 0, DateTimeKind.Utc),
        },
        new()
        {
            Id = 42, CaseId = 7, Purpose = OutboxPurpose.OwnerFollowUp, State = OutboxState.Scheduled, To = "jan.devries@clinic.example",
            Subject = "[DD-2026-00001] Second reminder: exposed Elasticsearch", DueAt = new DateTime(2026, 3, 29, 9, 30, 0, DateTimeKind.Utc),
        },
    ];
}
