using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Features.Import;

/// <summary>
/// Scan files through upload, preview and the import job on a real database: each format files the expected cases, bad
/// rows are imported only with consent, a cancel stops between whole batches, and duplicates of existing cases are
/// skipped without revealing cases the user cannot see. The job is run directly, as Hangfire would run it.
/// </summary>
public abstract class ImportScanResultsTests
{
    private readonly DisclosureDeskFactory _app;

    private ImportScanResultsTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : ImportScanResultsTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : ImportScanResultsTests(app);

    private static string SamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "Features", "Import", "Samples", name);

    [Fact]
    public async Task Import_SearchEngineJsonPerAsn_FilesOneCasePerAsnWithTheImportInItsTimeline()
    {
        var user = await _app.CreateResearcherAsync("importer");
        var runId = await UploadAsync(user, File.ReadAllBytes(SamplePath("shodan-style.jsonl")), "shodan-style.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var preview = await PreviewAsync(runId, user, ImportGrouping.PerAsn);
        Assert.Equal((4, 0, 1), (preview.Run.ValidRows, preview.Run.ErrorRows, preview.Run.DuplicateRows));
        Assert.Equal(["2 exposed services at AS64500 (Example Hosting BV)", "Exposed Redis at [2001:db8::15]:6379, AS64501 (Other Networks)"],
            preview.Cases.Select(c => c.Title));

        var run = await ImportAsync(runId, user, ImportGrouping.PerAsn);

        Assert.Equal((ImportRunState.Completed, 3, 3, 2), (run.State, run.RowsTotal, run.RowsDone, run.CasesCreated));
        var cases = await CasesOfAsync(runId);
        Assert.Equal(["2 exposed services at AS64500 (Example Hosting BV)", "Exposed Redis at [2001:db8::15]:6379, AS64501 (Other Networks)"],
            cases.Select(c => c.Title));
        var first = cases[0];
        Assert.Equal(("198.51.100.20", 27017, ServiceEngine.MongoDB, "AS64500", user.Id), (first.Host, first.Port, first.Service, first.Asn, first.LeadId));
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), first.FirstSeenAt);
        Assert.Equal(new DateTime(2026, 3, 2, 11, 0, 0, DateTimeKind.Utc), first.LastSeenAt);
        Assert.Contains("198.51.100.21:9200", first.Summary, StringComparison.Ordinal);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(SamplePath("shodan-style.jsonl"))));
        var created = await _app.ExecuteDbContextAsync(db => db.TimelineEvents.SingleAsync(e => e.CaseId == first.Id));
        Assert.Equal(TimelineEventType.CaseCreated, created.Type);
        Assert.EndsWith($"From import {runId}: shodan-style.jsonl (SHA-256 {sha}).", created.Text, StringComparison.Ordinal);
        Assert.Equal(user.DisplayName, created.ActorName);
        var raw = await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId && r.Line == 1).Select(r => r.Raw).SingleAsync());
        Assert.Contains("\"mongodb\"", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_NucleiPerHost_FilesACasePerHostWithIdnHostAndSeverity()
    {
        var user = await _app.CreateResearcherAsync("nuclei");
        var runId = await UploadAsync(user, File.ReadAllBytes(SamplePath("nuclei.jsonl")), "nuclei.jsonl");
        await StageAsync(runId, user, ImportFormat.NucleiJson);

        var run = await ImportAsync(runId, user, ImportGrouping.PerHost);

        Assert.Equal((ImportRunState.Completed, 2), (run.State, run.CasesCreated));
        var upload = await _app.ExecuteAsync<ImportScanResults.Handler, string>(h => Task.FromResult(h.UploadPath(runId)));
        Assert.False(File.Exists(upload), "The stored upload is deleted once the import is queued.");
        var cases = await CasesOfAsync(runId);
        Assert.Equal(("bücher.example", 27017, Severity.High, ServiceEngine.MongoDB), (cases[0].Host, cases[0].Port, cases[0].Severity, cases[0].Service));
        Assert.Equal(("search.example.org", 9200, Severity.Critical), (cases[1].Host, cases[1].Port, cases[1].Severity));
    }

    [Fact]
    public async Task Import_CsvPerOrganisationWithProposedMapping_FilesOneCasePerOrganisation()
    {
        var user = await _app.CreateResearcherAsync("csv");
        var runId = await UploadAsync(user, File.ReadAllBytes(SamplePath("findings.csv")), "findings.csv");
        var columns = await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.CsvColumns?>(h => h.CsvColumnsAsync(runId, user.Current));
        Assert.NotNull(columns);
        Assert.Equal("IP Address", columns.Header[columns.Proposed[CsvField.Host]]);
        await StageAsync(runId, user, ImportFormat.Csv, columns.Proposed);

        var run = await ImportAsync(runId, user, ImportGrouping.PerOrganization);

        Assert.Equal((ImportRunState.Completed, 3, 2), (run.State, run.RowsDone, run.CasesCreated));
        var cases = await CasesOfAsync(runId);
        Assert.Equal(["2 exposed services at Acme, Inc.", "Exposed PostgreSQL at [2001:db8::81]:5432, Beta GmbH"], cases.Select(c => c.Title));
        Assert.Equal("2001:db8::81", cases[1].Host);
    }

    [Fact]
    public async Task Stage_PreparedInsert_StoresEveryColumnExactlyAsSaveChangesWould()
    {
        var user = await _app.CreateResearcherAsync("stored");
        var hosts = UniqueHosts(2);
        // An offset timestamp (stored as UTC), non-ASCII text in the raw JSON, two hostnames, a contact address, nulls.
        var file = $$$"""
            {"ip_str":"{{{hosts[0]}}}","port":27017,"transport":"tcp","org":"Bäckerei Müller GmbH","asn":"AS64500","hostnames":["db.{{{hosts[0]}}}"],"domains":["{{{hosts[0]}}}"],"timestamp":"2026-03-05T10:00:00.123456+02:00","product":"MongoDB","abuse_email":"abuse@example.org","banner":{"note":"Ünauthenticated \"shop\""}}
            {"ip_str":"{{{hosts[1]}}}","port":6379}
            """;
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(file), "stored.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var staged = await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.Line).ToListAsync());
        Assert.Equal(2, staged.Count);
        var first = staged[0];
        Assert.Equal(file.Split('\n')[0], first.Raw);
        Assert.Equal($"db.{hosts[0]}\n{hosts[0]}", first.Hostnames);
        Assert.Equal(new DateTime(2026, 3, 5, 8, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560), first.SeenAt);
        Assert.Equal(DateTimeKind.Utc, first.SeenAt!.Value.Kind);
        Assert.Equal((ServiceEngine.MongoDB, "Bäckerei Müller GmbH", "abuse@example.org", ImportRowState.Pending),
            (first.Service, first.Organization, first.ContactEmail, first.State));
        Assert.Null(staged[1].SeenAt);
        Assert.Null(staged[1].Organization);
        Assert.Equal("", staged[1].Hostnames);

        // The same rows saved by EF (the way staging stored them before) must be stored identically, column by column.
        var copies = await _app.ExecuteDbContextAsync(async db =>
        {
            var rows = staged.Select(r => new ImportRow
            {
                RunId = r.RunId, Line = r.Line, Host = r.Host, HostKey = r.HostKey, Port = r.Port, Transport = r.Transport, Service = r.Service,
                Product = r.Product, Organization = r.Organization, Asn = r.Asn, Hostnames = r.Hostnames, SeenAt = r.SeenAt, Severity = r.Severity,
                Name = r.Name, ContactEmail = r.ContactEmail, Raw = r.Raw, State = r.State,
            }).ToList();
            db.AddRange(rows);
            await db.SaveChangesAsync();
            return rows.Select(r => r.Id).ToList();
        });
        for (var i = 0; i < staged.Count; i++)
        {
            var prepared = await StoredColumnsAsync(staged[i].Id);
            var saved = await StoredColumnsAsync(copies[i]);
            Assert.Equal(saved.Keys.Order(), prepared.Keys.Order());
            foreach (var (column, value) in saved.Where(c => c.Key != "Id"))
            {
                Assert.True(Equals(value, prepared[column]), $"{column}: SaveChanges stored {Show(value)}, the prepared insert {Show(prepared[column])}");
            }
        }
    }

    [Fact]
    public async Task Stage_FileOfSeveralChunks_StagesEveryGoodLineOnceInOrderAndCountsErrorsAndDuplicatesAcrossChunks()
    {
        var user = await _app.CreateResearcherAsync("chunks");
        var prefix = Guid.NewGuid().ToString("N")[..10];
        // 2,600 lines: more than two of staging's 1,000-row chunks, read on one thread while the other writes. A bad line
        // and a repeat of line 1 sit on each side of every chunk boundary.
        var lines = Enumerable.Range(1, 2_600).Select(line => line switch
        {
            1_000 or 1_001 or 2_000 or 2_001 => """{"ip_str":"not a host","port":80}""",
            999 or 1_002 or 2_002 => $$"""{"ip_str":"h1-{{prefix}}.import.example","port":27017}""",
            _ => $$"""{"ip_str":"h{{line}}-{{prefix}}.import.example","port":27017}""",
        });
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(string.Join('\n', lines)), "chunks.jsonl");

        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var run = await RunAsync(runId);
        Assert.Equal((ImportRunState.Staged, 2_596, 4, 3), (run.State, run.ValidRows, run.ErrorRows, run.DuplicateRows));
        var staged = await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId).OrderBy(r => r.Id)
            .Select(r => new { r.Line, r.State }).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 2_600).Except([1_000, 1_001, 2_000, 2_001]), staged.Select(r => r.Line));
        Assert.Equal([999, 1_002, 2_002], staged.Where(r => r.State == ImportRowState.DuplicateInFile).Select(r => r.Line));
    }

    [Fact]
    public async Task Start_FileWithBadRowsWithoutConsent_IsRefusedAndWritesNoCase()
    {
        var user = await _app.CreateResearcherAsync("refused");
        var runId = await UploadAsync(user, File.ReadAllBytes(SamplePath("truncated.jsonl")), "truncated.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);
        var preview = await PreviewAsync(runId, user, ImportGrouping.PerHost);
        Assert.Equal((2, 4), (preview.Run.ValidRows, preview.Run.ErrorRows));
        Assert.Equal([2, 3, 4, 6], preview.Errors.Select(e => e.Line));
        var casesBefore = await _app.ExecuteDbContextAsync(db => db.Cases.CountAsync());

        var outcome = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, ImportGrouping.PerHost, skipBadRows: false, user.Current));
        await RunJobAsync(runId);

        Assert.False(outcome.Succeeded);
        Assert.Contains("4 rows have errors", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(casesBefore, await _app.ExecuteDbContextAsync(db => db.Cases.CountAsync()));
        Assert.Equal(ImportRunState.Staged, (await RunAsync(runId)).State);
    }

    [Fact]
    public async Task Import_FileWithBadRowsWithConsent_ImportsOnlyTheGoodRows()
    {
        var user = await _app.CreateResearcherAsync("consent");
        var hosts = UniqueHosts(2);
        var file = $$"""
            {"ip_str":"{{hosts[0]}}","port":27017}
            {"ip_str":"{{hosts[1]}}","port":99999}
            {"ip_str":"{{hosts[1]}}","port":6379}
            {"ip_str":"{{hosts[1]}}","port":
            """;
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(file), "mixed.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var run = await ImportAsync(runId, user, ImportGrouping.PerHost, skipBadRows: true);

        Assert.Equal((ImportRunState.Completed, 2, 2), (run.State, run.ErrorRows, run.CasesCreated));
        Assert.Equal([(hosts[0], 27017), (hosts[1], 6379)], (await CasesOfAsync(runId)).Select(c => (c.Host, c.Port)));
    }

    [Fact]
    public async Task Job_CancelledAfterFirstBatch_KeepsWholeBatchesOnlyAndRecordsHowManyWereImported()
    {
        var user = await _app.CreateResearcherAsync("cancel");
        // Groups are never split, so three ASNs of a full batch each make three batches of one case.
        var lines = new StringBuilder();
        var batchSize = new ImportOptions().BatchSize;
        for (var asn = 0; asn < 3; asn++)
        {
            foreach (var host in UniqueHosts(batchSize))
            {
                lines.Append(CultureInfo(@$"{{""ip_str"":""{host}"",""port"":27017,""asn"":""AS6500{asn}""}}")).Append('\n');
            }
        }
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(lines.ToString()), "large.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);
        var run = await ImportAsync(runId, user, ImportGrouping.PerAsn, afterBatch: async (services, done) =>
        {
            if (done == 1)
            {
                var cancel = await services.GetRequiredService<ImportScanResults.Handler>().CancelAsync(runId, user.Current);
                Assert.True(cancel.Succeeded, cancel.Summary);
            }
        });

        Assert.Equal((ImportRunState.Cancelled, batchSize, 3 * batchSize, 1), (run.State, run.RowsDone, run.RowsTotal, run.CasesCreated));
        var cases = await CasesOfAsync(runId);
        Assert.Equal("AS65000", Assert.Single(cases).Asn);
        var states = await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId)
            .GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));
        Assert.Equal(batchSize, states[ImportRowState.Imported]);
        Assert.Equal(2 * batchSize, states[ImportRowState.Pending]);
    }

    [Fact]
    public async Task Job_BatchFailsHalfway_RollsBackThatWholeBatchAndKeepsTheOnesBefore()
    {
        var user = await _app.CreateResearcherAsync("failing");
        var batchSize = new ImportOptions().BatchSize;
        var file = string.Join('\n', UniqueHosts(2 * batchSize).Select(h => $$"""{"ip_str":"{{h}}","port":27017}"""));
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(file), "failing.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);
        // A staged row the case form would refuse, last in the second batch: that batch's earlier cases are filed first.
        await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId && r.Line == 2 * batchSize)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Host, "not a host!")));

        var run = await ImportAsync(runId, user, ImportGrouping.PerHost);

        Assert.Equal((ImportRunState.Failed, batchSize, batchSize), (run.State, run.RowsDone, run.CasesCreated));
        Assert.StartsWith("Batch 2 failed and was not imported", run.Error, StringComparison.Ordinal);
        Assert.Equal(batchSize, (await CasesOfAsync(runId)).Count);
        var secondBatchHosts = await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>()
            .Where(r => r.RunId == runId && r.Line > batchSize).Select(r => r.HostKey).ToListAsync());
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.Cases.CountAsync(c => secondBatchHosts.Contains(c.HostKey))));
    }

    [Fact]
    public async Task Job_RowTakenByAnotherRunMidway_FailsThatWholeBatchInsteadOfFilingItTwice()
    {
        var user = await _app.CreateResearcherAsync("racing");
        var batchSize = new ImportOptions().BatchSize;
        var file = string.Join('\n', UniqueHosts(2 * batchSize).Select(h => $$"""{"ip_str":"{{h}}","port":27017}"""));
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(file), "racing.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);
        // After the first batch, as another run of the job would, take the last row of the second batch.
        var run = await ImportAsync(runId, user, ImportGrouping.PerHost, afterBatch: async (_, done) =>
        {
            if (done == 1)
            {
                await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId && r.Line == 2 * batchSize)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRowState.Imported)));
            }
        });

        Assert.Equal((ImportRunState.Failed, batchSize, batchSize), (run.State, run.RowsDone, run.CasesCreated));
        Assert.StartsWith($"Batch 2 failed and was not imported: Line {2 * batchSize} is no longer pending", run.Error, StringComparison.Ordinal);
        Assert.Equal(batchSize, (await CasesOfAsync(runId)).Count);
        Assert.Equal(batchSize - 1, await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>()
            .CountAsync(r => r.RunId == runId && r.Line > batchSize && r.State == ImportRowState.Pending)));
    }

    [Fact]
    public async Task Import_SameFileAgainPerOrganisation_FindsEveryFindingInTheCasesTheFirstImportFiled()
    {
        var user = await _app.CreateResearcherAsync("again");
        var hosts = UniqueHosts(3);
        // Three findings of one organisation: the first import files them as one case, whose own host is the first one.
        var file = Encoding.UTF8.GetBytes(string.Join('\n', hosts.Select(h => $$"""{"ip_str":"{{h}}","port":9200,"org":"Northwind Hosting"}""")));
        var first = await UploadAsync(user, file, "first.jsonl");
        await StageAsync(first, user, ImportFormat.SearchEngineJson);
        Assert.Equal(1, (await ImportAsync(first, user, ImportGrouping.PerOrganization)).CasesCreated);
        var filed = Assert.Single(await CasesOfAsync(first)).Reference;

        var again = await UploadAsync(user, file, "again.jsonl");
        await StageAsync(again, user, ImportFormat.SearchEngineJson);
        var preview = await PreviewAsync(again, user, ImportGrouping.PerOrganization);

        Assert.Equal([(1, filed), (2, filed), (3, filed)], preview.Existing.Select(d => (d.Line, d.Reference)));
        Assert.Equal(0, preview.CaseCount);
        var run = await ImportAsync(again, user, ImportGrouping.PerOrganization);
        Assert.Equal((0, 3), (run.CasesCreated, run.SkippedExisting));
    }

    [Fact]
    public async Task Preview_DuplicatesOfExistingCases_NamesOnlyVisibleCasesAndTheJobSkipsThemAll()
    {
        var user = await _app.CreateResearcherAsync("dupes");
        var other = await _app.CreateResearcherAsync("other");
        var hosts = UniqueHosts(3);
        var mine = await _app.CreateCaseAsync(user, f => f.Host = hosts[0]);
        var hidden = await _app.CreateCaseAsync(other, f => f.Host = hosts[1].ToUpperInvariant());
        var file = string.Join('\n', hosts.Select(h => $$"""{"ip_str":"{{h}}","port":27017}"""));
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes(file), "dupes.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var preview = await PreviewAsync(runId, user, ImportGrouping.PerHost);

        Assert.Equal([(1, mine), (2, null)], preview.Existing.Select(d => (d.Line, d.Reference)));
        Assert.DoesNotContain(hidden, JsonSerializer.Serialize(preview), StringComparison.Ordinal);
        Assert.Equal(1, preview.CaseCount);
        var run = await ImportAsync(runId, user, ImportGrouping.PerHost);
        Assert.Equal((1, 2), (run.CasesCreated, run.SkippedExisting));
        Assert.Equal(hosts[2], Assert.Single(await CasesOfAsync(runId)).Host);
    }

    [Fact]
    public async Task Preview_PunycodeSpellingOfACaseFiledInUnicode_IsADuplicate()
    {
        var user = await _app.CreateResearcherAsync("idn");
        var unicode = $"bücher-{Guid.NewGuid():N}.example";
        var mine = await _app.CreateCaseAsync(user, f => f.Host = unicode);
        var punycode = new System.Globalization.IdnMapping().GetAscii(unicode);
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes($$"""{"ip_str":"{{punycode}}","port":27017}"""), "idn.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        var preview = await PreviewAsync(runId, user, ImportGrouping.PerHost);

        var duplicate = Assert.Single(preview.Existing);
        Assert.Equal((1, mine), (duplicate.Line, duplicate.Reference));
    }

    [Fact]
    public async Task DiscardUnused_StagedRunOlderThanTheLimit_DeletesFileAndRowsButLeavesStartedRuns()
    {
        var user = await _app.CreateResearcherAsync("discard");
        var hosts = UniqueHosts(2);
        var unused = await UploadAsync(user, Encoding.UTF8.GetBytes($$"""{"ip_str":"{{hosts[0]}}","port":27017}"""), "unused.jsonl");
        await StageAsync(unused, user, ImportFormat.SearchEngineJson);
        var started = await UploadAsync(user, Encoding.UTF8.GetBytes($$"""{"ip_str":"{{hosts[1]}}","port":27017}"""), "started.jsonl");
        await StageAsync(started, user, ImportFormat.SearchEngineJson);
        await ImportAsync(started, user, ImportGrouping.PerHost);
        var upload = await _app.ExecuteAsync<ImportScanResults.Handler, string>(h => Task.FromResult(h.UploadPath(unused)));
        var interrupted = Path.Combine(Path.GetDirectoryName(upload)!, $"{Guid.NewGuid():N}.part");
        await File.WriteAllTextAsync(interrupted, "{\"ip_str\":", TestContext.Current.CancellationToken);
        File.SetLastWriteTimeUtc(interrupted, _app.Time.GetUtcNow().UtcDateTime);
        _app.Time.Advance(TimeSpan.FromHours(23));

        await DiscardUnusedAsync();
        Assert.True(File.Exists(upload), "A file younger than the limit is kept.");

        _app.Time.Advance(TimeSpan.FromHours(2));
        await DiscardUnusedAsync();

        Assert.False(File.Exists(upload));
        Assert.False(File.Exists(interrupted));
        var states = await _app.ExecuteDbContextAsync(db => db.Set<ImportRun>().Where(r => r.Id == unused || r.Id == started).OrderBy(r => r.Id).Select(r => r.State).ToListAsync());
        Assert.Equal([ImportRunState.Discarded, ImportRunState.Completed], states);
        Assert.Equal((0, 1), await _app.ExecuteDbContextAsync(async db => (
            await db.Set<ImportRow>().CountAsync(r => r.RunId == unused),
            await db.Set<ImportRow>().CountAsync(r => r.RunId == started))));
        var refused = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(unused, ImportGrouping.PerHost, false, user.Current));
        Assert.Contains("discarded", refused.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_AnotherUsersRun_IsNotFound()
    {
        var user = await _app.CreateResearcherAsync("owner");
        var stranger = await _app.CreateResearcherAsync("stranger");
        var runId = await UploadAsync(user, Encoding.UTF8.GetBytes($$"""{"ip_str":"{{UniqueHosts(1)[0]}}","port":80}"""), "mine.jsonl");
        await StageAsync(runId, user, ImportFormat.SearchEngineJson);

        Assert.Null(await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(runId, ImportGrouping.PerHost, stranger.Current)));
        Assert.False((await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, ImportGrouping.PerHost, false, stranger.Current))).Succeeded);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);

    private static string Show(object value) => $"{value} ({value.GetType().Name})";

    /// <summary>A staged row's columns as the database holds them (TEXT on SQLite, typed values on PostgreSQL), read past EF.</summary>
    private Task<Dictionary<string, object>> StoredColumnsAsync(long rowId) => _app.ExecuteDbContextAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT * FROM "{db.Model.FindEntityType(typeof(ImportRow))!.GetTableName()}" WHERE "Id" = {rowId}""";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue);
    });

    private static List<string> UniqueHosts(int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..10];
        return Enumerable.Range(0, count).Select(i => $"h{i}-{prefix}.import.example").ToList();
    }

    private Task<bool> DiscardUnusedAsync() => _app.ExecuteScopeAsync(async services =>
    {
        await services.GetRequiredService<DiscardUnusedImportsJob>().RunAsync(CancellationToken.None);
        return true;
    });

    private async Task<long> UploadAsync(TestUser user, byte[] content, string name)
    {
        var outcome = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult<long>>(h => h.UploadAsync(new MemoryStream(content), name, user.Current));
        Assert.True(outcome.Result.Succeeded, outcome.Result.Summary);
        return outcome.Value;
    }

    private async Task StageAsync(long runId, TestUser user, ImportFormat format, Dictionary<CsvField, int>? mapping = null)
    {
        var outcome = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StageAsync(runId, format, mapping, user.Current));
        Assert.True(outcome.Succeeded, outcome.Summary);
    }

    private async Task<ImportScanResults.Preview> PreviewAsync(long runId, TestUser user, ImportGrouping grouping) =>
        (await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(runId, grouping, user.Current)))!;

    /// <param name="afterBatch">Called with the job's scope after each batch commits, with the number of batches done.</param>
    private async Task<ImportRun> ImportAsync(long runId, TestUser user, ImportGrouping grouping, bool skipBadRows = false,
        Func<IServiceProvider, int, Task>? afterBatch = null)
    {
        var started = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, grouping, skipBadRows, user.Current));
        Assert.True(started.Succeeded, started.Summary);
        await RunJobAsync(runId, afterBatch);
        return await RunAsync(runId);
    }

    private Task<bool> RunJobAsync(long runId, Func<IServiceProvider, int, Task>? afterBatch = null) => _app.ExecuteScopeAsync(async services =>
    {
        var job = services.GetRequiredService<ImportCasesJob>();
        if (afterBatch is not null)
        {
            job.AfterBatch = done => afterBatch(services, done);
        }
        await job.RunAsync(runId, TestContext.Current.CancellationToken);
        return true;
    });

    private Task<ImportRun> RunAsync(long runId) =>
        _app.ExecuteDbContextAsync(db => db.Set<ImportRun>().AsNoTracking().SingleAsync(r => r.Id == runId));

    private Task<List<Case>> CasesOfAsync(long runId) => _app.ExecuteDbContextAsync(db =>
    {
        var ids = db.Set<ImportRow>().Where(r => r.RunId == runId && r.CaseId != null).Select(r => r.CaseId);
        return db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync();
    });
}
