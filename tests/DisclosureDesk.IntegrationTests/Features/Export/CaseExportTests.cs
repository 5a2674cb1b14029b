using System.Net;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.IntegrationTests.Features.Responses;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Export;

/// <summary>Exports through the download endpoint and the command line, on a real database.</summary>
public abstract class CaseExportTests
{
    private const string InternalNote = "Internal: the admin is reachable on 198.51.100.77 via ops@clinic.example.";
    private const string PublicNote = "Owner fixed 203.0.113.10; thanks to sec@clinic.example.";

    private readonly DisclosureDeskFactory _app;

    private CaseExportTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : CaseExportTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : CaseExportTests(app);

    [Fact]
    public async Task Export_LeadDownloadsPublicMarkdown_AttachmentWithMaskedTextAndNoInternalNote()
    {
        var (lead, reference) = await CaseWithNotesAsync("export-md");
        using var browser = await _app.SignInAsync(lead);

        using var response = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=md&profile=public", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{reference}-public.md", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith($"---\nid: \"{reference}\"\n", body, StringComparison.Ordinal);
        Assert.Contains("| Owner fixed 203.0.113.x; thanks to [email]. |", body, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.10", body, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100", body, StringComparison.Ordinal);
        Assert.DoesNotContain("clinic.example", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_LeadDownloadsFullJsonAndCsv_ChainVerifiesAndCsvListsEveryEvent()
    {
        var (lead, reference) = await CaseWithNotesAsync("export-json");
        using var browser = await _app.SignInAsync(lead);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var json = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=json&profile=full", UriKind.Relative), cancellationToken);
        using var csv = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=csv&profile=full", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await json.Content.ReadAsStreamAsync(cancellationToken));
        var events = document.RootElement.GetProperty("events").EnumerateArray().Select(ToEvent).ToList();
        var chain = document.RootElement.GetProperty("chain");
        var verification = AuditChain.Verify(reference, events, chain.GetProperty("headSequence").GetInt32(), chain.GetProperty("headHash").GetString()!);
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Contains(events, e => e.Text == InternalNote);

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync(cancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        // The header, every event the JSON held, and the record of the JSON export itself, made before the CSV's head was read.
        Assert.Equal(events.Count + 2, rows.Length);
        Assert.Contains("Exported as json under the full profile", rows[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_AnyFormat_IsRecordedOnTheTimelineAfterItsHeadSoItNeverHoldsItsOwnRecord()
    {
        var (lead, reference) = await CaseWithNotesAsync("export-recorded");
        using var browser = await _app.SignInAsync(lead);
        var cancellationToken = TestContext.Current.CancellationToken;
        var before = await HeadAsync(reference);

        using var export = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=md&profile=public", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.DoesNotContain("Exported as", await export.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(before.Head + 1, details!.Case.LastEventSequence);
        Assert.True(details.Chain.IsValid, details.Chain.Problem);
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        var recorded = timeline!.Events[0];
        Assert.Equal((TimelineEventType.CaseExported, EventVisibility.Internal, lead.Id), (recorded.Type, recorded.Visibility, recorded.ActorId));
        Assert.Equal($"Exported as md under the public profile, up to event #{before.Head}.", recorded.Text);
    }

    [Fact]
    public async Task Export_ByAStrangerOrAnonymously_IsNotFoundOrSentToSignIn()
    {
        var (_, reference) = await CaseWithNotesAsync("export-private");
        var stranger = await _app.CreateResearcherAsync("export-stranger");
        var url = new Uri($"/cases/{reference}/export?format=json&profile=full", UriKind.Relative);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var strangerBrowser = await _app.SignInAsync(stranger);
        using var asStranger = await strangerBrowser.GetAsync(url, cancellationToken);
        using var unknown = await strangerBrowser.GetAsync(new Uri("/cases/DD-1999-99999/export?format=json&profile=full", UriKind.Relative), cancellationToken);
        using var anonymous = _app.CreateBrowser();
        using var asAnonymous = await anonymous.GetAsync(url, cancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain(InternalNote, await asStranger.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, asAnonymous.StatusCode);
        Assert.Contains("/Account/Login", asAnonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_LeadDownloadsOwnerIcsOfNotifiedCase_DeadlineNoResponseAndFollowUpsWithoutAddresses()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("export-ics", "owner@ics-owner.example");
        using var browser = await _app.SignInAsync(lead);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var response = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=ics&profile=owner", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{reference}-owner.ics", response.Content.Headers.ContentDisposition?.FileNameStar);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var calendar = Ical.Net.Calendar.Load(body)!;
        var caseId = await _app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync(cancellationToken));
        var followUpDues = await _app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.OwnerFollowUp)
            .OrderBy(m => m.DueAt).Select(m => new { m.Id, m.DueAt }).ToListAsync(cancellationToken));
        Assert.Equal(3, followUpDues.Count);
        Assert.Equal(
            new[] { $"{reference}.deadline@disclosuredesk", $"{reference}.no-response@disclosuredesk" }
                .Concat(followUpDues.Select(f => $"{reference}.follow-up.{f.Id}@disclosuredesk")),
            calendar.Events.Select(e => e.Uid));
        Assert.Equal(followUpDues.Select(f => f.DueAt), calendar.Events.Skip(2).Select(e => e.DtStart!.AsUtc));
        Assert.All(calendar.Events, e => Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, e.DtStamp!.AsUtc));
        Assert.DoesNotContain("ics-owner.example", body.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_IcsByAStranger_IsTheSameNotFoundAsAnUnknownCase()
    {
        var (_, reference, _) = await _app.NotifiedCaseAsync("export-ics-private", "owner@ics-private.example");
        var stranger = await _app.CreateResearcherAsync("export-ics-stranger");
        using var browser = await _app.SignInAsync(stranger);
        var cancellationToken = TestContext.Current.CancellationToken;

        using var theirs = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=ics&profile=full", UriKind.Relative), cancellationToken);
        using var unknown = await browser.GetAsync(new Uri("/cases/DD-1999-99999/export?format=ics&profile=full", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain("BEGIN:VCALENDAR", await theirs.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format=pdf&profile=full", "Unknown format 'pdf'")]
    [InlineData("format=json&profile=secret", "Unknown profile 'secret'")]
    public async Task Export_UnknownFormatOrProfile_IsBadRequestNamingIt(string query, string message)
    {
        var (lead, reference) = await CaseWithNotesAsync("export-bad");
        using var browser = await _app.SignInAsync(lead);

        using var response = await browser.GetAsync(new Uri($"/cases/{reference}/export?{query}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCommand_PublicMarkdown_WritesMaskedWriteUpToStdout()
    {
        var (_, reference) = await CaseWithNotesAsync("export-cli");

        var run = await _app.RunCommandLineAsync("export", reference, "--format", "md", "--profile", "public");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
        Assert.StartsWith($"---\nid: \"{reference}\"\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("Owner fixed 203.0.113.x; thanks to [email].", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCommand_OutputFile_WritesTheFileAndNothingToStdout()
    {
        var (_, reference) = await CaseWithNotesAsync("export-file");
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.json");
        try
        {
            var run = await _app.RunCommandLineAsync("export", reference, "--format", "json", "--output", path);

            Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
            Assert.Equal("", run.Output);
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
            Assert.Equal("full", document.RootElement.GetProperty("profile").GetString());
            Assert.True(document.RootElement.GetProperty("chain").GetProperty("complete").GetBoolean());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("DD-1999-99999", "json", "full", "No case DD-1999-99999.")]
    [InlineData(null, "pdf", "full", "Unknown format 'pdf'. Formats: json, md, csv, html, csaf, ics.")]
    [InlineData(null, "json", "secret", "Unknown profile 'secret'. Profiles: full, owner, public.")]
    public async Task ExportCommand_UnknownCaseFormatOrProfile_ExitsTwoWithAClearMessage(string? reference, string format, string profile, string message)
    {
        reference ??= (await CaseWithNotesAsync("export-cli-bad")).Reference;

        var run = await _app.RunCommandLineAsync("export", reference, "--format", format, "--profile", profile);

        Assert.True(run.ExitCode == 2, $"exit code {run.ExitCode}: {run.Error}{run.Output}");
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    /// <summary>
    /// The issue's large case: 50,000 chained events, exported through the endpoint in every format and by the
    /// command line to a file. Each output must hold every event and end at the case's head.
    /// </summary>
    [Fact]
    public async Task Export_CaseWith50000Events_EveryFormatHoldsEveryEventAndEndsAtTheHead()
    {
        const int added = 50_000;
        var (lead, reference) = await CaseWithNotesAsync("export-large");
        var (head, headHash, publicCount) = await AppendEventsAsync(reference, added);
        Assert.True(head > added);
        using var browser = await _app.SignInAsync(lead);
        var cancellationToken = TestContext.Current.CancellationToken;

        async Task<HttpResponseMessage> ExportAsync(string format, string profile = "full")
        {
            var response = await browser.GetAsync(new Uri($"/cases/{reference}/export?format={format}&profile={profile}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response;
        }

        using (var json = await ExportAsync("json"))
        using (var document = await JsonDocument.ParseAsync(await json.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken))
        {
            var events = document.RootElement.GetProperty("events").EnumerateArray().Select(ToEvent).ToList();
            var chain = document.RootElement.GetProperty("chain");
            Assert.Equal(head, events.Count);
            Assert.Equal(headHash, events[^1].Hash);
            Assert.True(chain.GetProperty("complete").GetBoolean());
            var verification = AuditChain.Verify(reference, events, chain.GetProperty("headSequence").GetInt32(), chain.GetProperty("headHash").GetString()!);
            Assert.True(verification.IsValid, verification.Problem);
        }

        // Each export is recorded on the timeline after its head was read: the next one ends one event later.
        (head, headHash) = await HeadAsync(reference);
        using (var publicJson = await ExportAsync("json", "public"))
        using (var document = await JsonDocument.ParseAsync(await publicJson.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken))
        {
            var events = document.RootElement.GetProperty("events");
            Assert.Equal(publicCount, events.GetArrayLength());
            Assert.All(events.EnumerateArray(), e => Assert.Equal("Public", e.GetProperty("visibility").GetString()));
            Assert.False(document.RootElement.GetProperty("chain").GetProperty("complete").GetBoolean());
            Assert.Equal(headHash, document.RootElement.GetProperty("chain").GetProperty("headHash").GetString());
        }

        (head, headHash) = await HeadAsync(reference);
        using (var csv = await ExportAsync("csv"))
        {
            var rows = (await csv.Content.ReadAsStringAsync(cancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(head + 1, rows.Length);
            Assert.EndsWith("," + headHash, rows[^1], StringComparison.Ordinal);
        }

        (head, headHash) = await HeadAsync(reference);
        using (var md = await ExportAsync("md"))
        {
            var lines = (await md.Content.ReadAsStringAsync(cancellationToken)).Split('\n');
            Assert.Equal(head, lines.Count(l => l.StartsWith("- start: ", StringComparison.Ordinal)));
            Assert.Equal(head, lines.Count(l => l.StartsWith("| 20", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.Contains($"| Bulk step {added}. |", StringComparison.Ordinal));
            Assert.Contains("| Exported as csv under the full profile", lines[^2], StringComparison.Ordinal);
        }

        (head, headHash) = await HeadAsync(reference);
        using (var html = await ExportAsync("html"))
        {
            var page = await html.Content.ReadAsStringAsync(cancellationToken);
            Assert.Equal(head, page.Split("<tr><td class=\"date\">").Length - 1);
            Assert.Contains($"<code>{headHash}</code>", page, StringComparison.Ordinal);
            Assert.EndsWith("</html>\n", page, StringComparison.Ordinal);
        }

        (head, headHash) = await HeadAsync(reference);
        using (var csaf = await ExportAsync("csaf"))
        using (var document = await JsonDocument.ParseAsync(await csaf.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken))
        {
            var notes = document.RootElement.GetProperty("document").GetProperty("notes").EnumerateArray().ToList();
            var timeline = notes.Single(n => n.GetProperty("title").GetString() == "Timeline").GetProperty("text").GetString()!;
            Assert.Equal(head, timeline.Split('\n').Length);
            Assert.Contains($"Bulk step {added}.", timeline, StringComparison.Ordinal);
            Assert.EndsWith("Exported as html under the full profile, up to event #" + (head - 1) + ".", timeline, StringComparison.Ordinal);
            Assert.Contains(headHash, notes.Single(n => n.GetProperty("title").GetString() == "Audit chain").GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        (head, headHash) = await HeadAsync(reference);
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");
        try
        {
            var run = await _app.RunCommandLineAsync("export", reference, "--format", "csv", "--output", path);
            Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
            var rows = (await File.ReadAllTextAsync(path, cancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(head + 1, rows.Length);
            Assert.EndsWith("," + headHash, rows[^1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Appends <paramref name="count"/> events through <see cref="CaseTimeline.Append"/> (so they chain and hash as
    /// the app's own do), saved in large batches: the app's one-event-per-change path would take minutes. Every
    /// tenth event is public, the rest internal.
    /// </summary>
    private Task<(int Head, string HeadHash, int PublicCount)> AppendEventsAsync(string reference, int count) =>
        _app.ExecuteDbContextAsync(async db =>
        {
            var @case = await db.Cases.SingleAsync(c => c.Reference == reference);
            var start = _app.Time.GetUtcNow().UtcDateTime;
            for (var i = 1; i <= count; i++)
            {
                CaseTimeline.Append(db, @case, Actor.System, start.AddSeconds(i), TimelineEventType.NoteAdded,
                    $"Bulk step {i}.", i % 10 == 0 ? EventVisibility.Public : EventVisibility.Internal);
                if (i % 5_000 == 0)
                {
                    await db.SaveChangesAsync();
                    foreach (var entry in db.ChangeTracker.Entries<TimelineEvent>().ToList())
                    {
                        entry.State = EntityState.Detached;
                    }
                }
            }
            await db.SaveChangesAsync();
            var publicCount = await db.TimelineEvents.CountAsync(e => e.CaseId == @case.Id && e.Visibility == EventVisibility.Public);
            return (@case.LastEventSequence, @case.LastEventHash, publicCount);
        });

    private Task<(int Head, string Hash)> HeadAsync(string reference) =>
        _app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference)
            .Select(c => new ValueTuple<int, string>(c.LastEventSequence, c.LastEventHash)).SingleAsync());

    private async Task<(TestUser Lead, string Reference)> CaseWithNotesAsync(string label)
    {
        var lead = await _app.CreateResearcherAsync(label);
        var reference = await _app.CreateCaseAsync(lead);
        foreach (var (text, visibility) in new[] { (InternalNote, EventVisibility.Internal), (PublicNote, EventVisibility.Public) })
        {
            var added = await _app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
                h.HandleAsync(reference, new AddCaseNote.Command { Text = text, Visibility = visibility }, lead.Current));
            Assert.True(added.Succeeded, added.Summary);
        }
        return (lead, reference);
    }

    private static TimelineEvent ToEvent(JsonElement e) => new()
    {
        Sequence = e.GetProperty("sequence").GetInt32(),
        OccurredAt = DateTime.Parse(e.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal),
        ActorId = e.GetProperty("actorId").GetString(),
        ActorName = e.GetProperty("actorName").GetString()!,
        Type = Enum.Parse<TimelineEventType>(e.GetProperty("type").GetString()!),
        Visibility = Enum.Parse<EventVisibility>(e.GetProperty("visibility").GetString()!),
        Text = e.GetProperty("text").GetString()!,
        Changes = e.GetProperty("changes").GetString(),
        PreviousHash = e.GetProperty("previousHash").GetString()!,
        Hash = e.GetProperty("hash").GetString()!,
    };
}
