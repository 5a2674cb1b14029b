using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;
using Perfolizer.Horology;

namespace DisclosureDesk.Benchmarks.Features.Export;

/// <summary>
/// One case of 10,000 events exported in each format to a stream, as a ratio to serialising the same 10,000
/// event objects with plain <see cref="JsonSerializer"/> in the same run. Target: every format within 3x,
/// HTML and CSAF within 5x. The events are in memory, so this measures the export (redaction projection and
/// formatting), not the database read; each export walks the events through the same lazy projection a
/// database export uses.
/// </summary>
[Config(typeof(Config))]
public class ExportBenchmarks
{
    public const int EventCount = 10_000;

    private List<TimelineEvent> _events = [];
    private CaseExportDocument _document = null!;

    [Params(ExportProfile.Full, ExportProfile.Public)]
    public ExportProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (@case, contacts, events) = Generate();
        _events = events;
        _document = CaseExportDocument.Create(Profile, new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc), "Ada Researcher", @case,
            [new ExportedPerson("Ada Researcher", "ada@disclosuredesk.test", true)], contacts, [], events);
    }

    [Benchmark(Baseline = true)]
    public Task JsonSerializerBaseline() => JsonSerializer.SerializeAsync(Stream.Null, _events);

    [Benchmark]
    public Task Json() => CaseExport.WriteAsync(_document, ExportFormat.Json, Stream.Null);

    [Benchmark]
    public Task Markdown() => CaseExport.WriteAsync(_document, ExportFormat.Markdown, Stream.Null);

    [Benchmark]
    public Task Csv() => CaseExport.WriteAsync(_document, ExportFormat.Csv, Stream.Null);

    [Benchmark]
    public Task Html() => CaseExport.WriteAsync(_document, ExportFormat.Html, Stream.Null);

    [Benchmark]
    public Task Csaf() => CaseExport.WriteAsync(_document, ExportFormat.Csaf, Stream.Null);

    /// <summary>
    /// A case like a busy real one: notes, e-mails and responses whose texts carry addresses, e-mail addresses
    /// and a contact's name (so a public export has masking to do), a third of them public, some with field changes.
    /// </summary>
    internal static (Case Case, List<CaseContact> Contacts, List<TimelineEvent> Events) Generate()
    {
        var random = new Random(20260601);
        var @case = new Case
        {
            Id = 1,
            Reference = "DD-2026-00100",
            Title = "Open Elasticsearch at 203.0.113.10 with patient records",
            Summary = "Kibana on 203.0.113.10:5601 exposed clinic data. Reported to Jan de Vries (jan.devries@clinic.example).",
            Host = "203.0.113.10",
            Port = 9200,
            OrganizationName = "Clinic Example B.V.",
            CreatedAt = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            LeadId = "user-ada",
        };
        var contacts = new List<CaseContact> { new() { Id = 1, CaseId = 1, Name = "Jan de Vries", Email = "jan.devries@clinic.example", Role = "CISO" } };
        string[] texts =
        [
            "Scanned {0}: index list shows {1:N0} documents, including patient names and dates of birth.",
            "Sent the notification to jan.devries@clinic.example and security@clinic.example; asked for a reply within 14 days.",
            "Jan de Vries replied that the cluster at {0} will be firewalled tonight; thanked us for the report.",
            "Checked again: {0}:9200 still answers without authentication, {1:N0} documents, no change since the last check.",
            "Follow-up scheduled. Nothing in the reply mentions the Kibana instance on port 5601 or the snapshot repository.",
        ];
        var events = new List<TimelineEvent>(EventCount);
        var hash = AuditChain.GenesisHash;
        for (var i = 1; i <= EventCount; i++)
        {
            var address = $"203.0.{random.Next(256)}.{random.Next(256)}";
            var e = new TimelineEvent
            {
                Id = i,
                CaseId = @case.Id,
                Sequence = i,
                OccurredAt = AuditChain.TruncateToStoredPrecision(@case.CreatedAt.AddMinutes(i * 7)),
                ActorId = i % 4 == 0 ? null : "user-ada",
                ActorName = i % 4 == 0 ? "DisclosureDesk" : "Ada Researcher",
                Type = i % 5 == 0 ? TimelineEventType.OwnerNotified : TimelineEventType.NoteAdded,
                Visibility = (EventVisibility)(i % 3),
                Text = string.Format(CultureInfo.InvariantCulture, texts[i % texts.Length], address, random.Next(1_000, 5_000_000)),
                Changes = i % 10 == 0 ? $$"""[{"field":"Host","old":"{{address}}","new":"203.0.113.10"}]""" : null,
                PreviousHash = hash,
            };
            e.Hash = AuditChain.ComputeHash(e, @case.Reference);
            hash = e.Hash;
            events.Add(e);
        }
        @case.LastEventSequence = EventCount;
        @case.LastEventHash = hash;
        return (@case, contacts, events);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Many short iterations, as for the case list: a burst of other work on a shared machine spoils a
            // few samples, which the median absorbs, not a whole benchmark. In process: nothing here needs
            // isolation from the host, and on the loaded two-core machine the generated project's build
            // overran BenchmarkDotNet's two-minute build timeout.
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(30)
                .WithIterationTime(TimeInterval.FromMilliseconds(250)));
            AddColumn(StatisticColumn.Median);
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        }
    }
}
