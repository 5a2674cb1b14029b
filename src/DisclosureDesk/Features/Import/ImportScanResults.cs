using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Importing a scan file: store the upload, read it with a format (and a CSV column mapping) into staged rows, preview
/// the cases it would file, then start, watch and cancel the background job. A run is the uploader's own (and an
/// administrator's); anyone else is told it does not exist.
/// </summary>
public static class ImportScanResults
{
    private const int StageChunk = 1_000;
    private const int PreviewGroups = 50;

    /// <summary><c>Owners</c>: under "One case per RDAP owner", the lookup; the cases are listed once it has completed.</summary>
    public sealed record Preview(
        ImportRun Run,
        IReadOnlyList<ImportRowError> Errors,
        IReadOnlyList<ExistingDuplicate> Existing,
        IReadOnlyList<PlannedCase> Cases,
        int CaseCount,
        LookUpImportOwners.View? Owners = null);

    /// <summary>A staged finding a case already has. <c>Reference</c> is null when the user may not see that case.</summary>
    public sealed record ExistingDuplicate(int Line, string Endpoint, string? Reference);

    /// <summary><c>Contacts</c>: the RDAP abuse addresses the case is filed with (per RDAP owner only).</summary>
    public sealed record PlannedCase(string Title, int Findings, IReadOnlyList<string>? Contacts = null);

    public sealed record CsvColumns(IReadOnlyList<string> Header, Dictionary<CsvField, int> Proposed);

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        TimeProvider time,
        IOptions<ImportOptions> options,
        IOptions<DatabaseOptions> database,
        IHostEnvironment environment,
        IBackgroundJobClient jobs)
    {
        private ImportOptions Options => options.Value;

        /// <summary>Stores the upload in the data directory with its SHA-256; refuses files over the size cap.</summary>
        public async Task<CommandResult<long>> UploadAsync(Stream content, string fileName, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsApproved)
            {
                return CommandResult.Fail("Your account must be approved before you can import findings.");
            }
            Directory.CreateDirectory(UploadDirectory);
            var temporary = Path.Combine(UploadDirectory, $"{Guid.NewGuid():N}.part");
            string sha256;
            long size = 0;
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var file = File.Create(temporary))
                {
                    var buffer = new byte[81_920];
                    int read;
                    while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        size += read;
                        if (size > Options.MaxUploadBytes)
                        {
                            return CommandResult.Fail(TooLarge(Options.MaxUploadBytes));
                        }
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
                if (size == 0)
                {
                    return CommandResult.Fail("The file is empty.");
                }
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());

                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var name = Path.GetFileName(fileName.Trim());
                var run = new ImportRun
                {
                    FileName = string.IsNullOrEmpty(name) ? "upload" : name.Length > CaseLimits.NameLength ? name[..CaseLimits.NameLength] : name,
                    Sha256 = sha256,
                    SizeBytes = size,
                    Format = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ImportFormat.Csv : ImportFormat.SearchEngineJson,
                    State = ImportRunState.Uploaded,
                    CreatedById = user.Id,
                    CreatedByName = user.Name,
                    CreatedAt = time.GetUtcNow().UtcDateTime,
                };
                db.Add(run);
                await db.SaveChangesAsync(cancellationToken);
                File.Move(temporary, UploadPath(run.Id), overwrite: true);
                return CommandResult<long>.Ok(run.Id);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        public static string TooLarge(long limit) =>
            $"The file is larger than {limit / (1024.0 * 1024.0):0.#} MB, the most an import takes. Split it into smaller files.";

        /// <summary>The CSV header and the mapping proposed from its names.</summary>
        public async Task<CsvColumns?> CsvColumnsAsync(long runId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var run = await FindAsync(runId, user, cancellationToken);
            if (run is null || !File.Exists(UploadPath(run.Id)))
            {
                return null;
            }
            await using var file = File.OpenRead(UploadPath(run.Id));
            var header = CsvFindingParser.ReadHeader(file);
            return header is null ? null : new CsvColumns(header, CsvFindingParser.ProposeMapping(header));
        }

        /// <summary>
        /// Reads the stored file with <paramref name="format"/> into staged rows, replacing an earlier reading, and counts
        /// valid rows, row errors and duplicates within the file. Nothing outside the run changes.
        /// </summary>
        public async Task<CommandResult> StageAsync(long runId, ImportFormat format, IReadOnlyDictionary<CsvField, int>? mapping, CurrentUser user,
            CancellationToken cancellationToken = default)
        {
            var run = await FindAsync(runId, user, cancellationToken);
            if (run is null)
            {
                return CommandResult.Fail("No such import.");
            }
            if (run.State is not (ImportRunState.Uploaded or ImportRunState.Staged) || !File.Exists(UploadPath(run.Id)))
            {
                return CommandResult.Fail("This import has already started; upload the file again to import it anew.");
            }
            if (!Enum.IsDefined(format))
            {
                return CommandResult.Fail("Choose the file's format.");
            }
            if (run.OwnerLookup is OwnerLookupState.Queued or OwnerLookupState.Running)
            {
                return CommandResult.Fail("The network owners are being looked up; cancel the lookup before reading the file again.");
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.Set<ImportRow>().Where(r => r.RunId == runId).ExecuteDeleteAsync(cancellationToken);
            await LookUpImportOwners.ForgetAsync(db, runId, cancellationToken);

            // The file is read and checked on another thread while the previous chunk is written: parsing costs about as
            // much as the inserts (docs/benchmarks.md, "Scan import"), and SQLite writes on the calling thread.
            // One prepared INSERT on one open connection, a transaction per chunk: EF's change tracking and per-save
            // command building cost many times the writes themselves here.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var insert = await PreparedStatement.Insert<ImportRow>.PrepareAsync(db);
            var chunks = Channel.CreateBounded<List<ImportRow>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = Task.Run(() => ReadAsync(UploadPath(run.Id), runId, format, mapping, chunks.Writer, stopReading.Token), CancellationToken.None);
            try
            {
                await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken))
                {
                    await InsertAsync(db, insert, chunk, cancellationToken);
                }
            }
            catch
            {
                // The reader's own failure, if it had one, is the one being thrown here already.
                await stopReading.CancelAsync();
                await ((Task)reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }
            var (valid, errorCount, duplicates, errors) = await reading;

            await db.Set<ImportRun>().Where(r => r.Id == runId).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.State, ImportRunState.Staged)
                .SetProperty(r => r.Format, format)
                .SetProperty(r => r.CsvMapping, mapping == null ? null : JsonSerializer.Serialize(mapping, (JsonSerializerOptions?)null))
                .SetProperty(r => r.ValidRows, valid)
                .SetProperty(r => r.ErrorRows, errorCount)
                .SetProperty(r => r.DuplicateRows, duplicates)
                .SetProperty(r => r.Errors, JsonSerializer.Serialize(errors, (JsonSerializerOptions?)null)), cancellationToken);
            return CommandResult.Success;
        }

        private sealed record StagingCounts(int Valid, int ErrorCount, int Duplicates, List<ImportRowError> Errors);

        /// <summary>Parses the upload into chunks of staged rows for <see cref="StageAsync"/> to write, counting what it skips.</summary>
        private async Task<StagingCounts> ReadAsync(string path, long runId, ImportFormat format, IReadOnlyDictionary<CsvField, int>? mapping,
            ChannelWriter<List<ImportRow>> chunks, CancellationToken cancellationToken)
        {
            var errors = new List<ImportRowError>();
            var errorCount = 0;
            var valid = 0;
            var duplicates = 0;
            var seen = new HashSet<(string, int)>();
            try
            {
                var chunk = new List<ImportRow>(StageChunk);
                await using (var file = File.OpenRead(path))
                {
                    var rows = format == ImportFormat.Csv
                        ? CsvFindingParser.Parse(file, mapping ?? new Dictionary<CsvField, int>())
                        : JsonLinesParser.Parse(file, format);
                    foreach (var row in rows)
                    {
                        if (row.Error is { } error)
                        {
                            errorCount++;
                            if (errors.Count < Options.PreviewErrors)
                            {
                                errors.Add(error);
                            }
                            continue;
                        }
                        valid++;
                        var staged = Stage(runId, row.Finding!);
                        if (!seen.Add((staged.HostKey, staged.Port)))
                        {
                            staged.State = ImportRowState.DuplicateInFile;
                            duplicates++;
                        }
                        chunk.Add(staged);
                        if (chunk.Count == StageChunk)
                        {
                            await chunks.WriteAsync(chunk, cancellationToken);
                            chunk = new List<ImportRow>(StageChunk);
                        }
                    }
                }
                if (chunk.Count > 0)
                {
                    await chunks.WriteAsync(chunk, cancellationToken);
                }
                chunks.Complete();
            }
            catch (Exception failure)
            {
                chunks.Complete(failure);
                throw;
            }
            return new StagingCounts(valid, errorCount, duplicates, errors);
        }

        /// <summary>Writes a chunk of staged rows in one transaction (a chunk is read before it is written, so the write lock is held briefly).</summary>
        private static async Task InsertAsync(AppDbContext db, PreparedStatement.Insert<ImportRow> insert, List<ImportRow> chunk, CancellationToken cancellationToken)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var row in chunk)
            {
                await insert.ExecuteAsync(row, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        private static ImportRow Stage(long runId, ScanFinding finding) => new()
        {
            RunId = runId,
            Line = finding.Line,
            Host = finding.Host,
            HostKey = finding.HostKey,
            Port = finding.Port,
            Transport = finding.Transport,
            Service = finding.Service,
            Product = finding.Product,
            Organization = finding.Organization,
            Asn = finding.Asn,
            Hostnames = string.Join('\n', finding.Hostnames),
            SeenAt = finding.SeenAt,
            Severity = finding.Severity,
            Name = finding.Name,
            ContactEmail = finding.ContactEmail,
            Raw = finding.Raw,
            State = ImportRowState.Pending,
        };

        /// <summary>
        /// What the import would do under <paramref name="grouping"/>: the errors, the findings some case already has (a
        /// case the user may not see is said to exist, never named), and the cases it would file.
        /// </summary>
        public async Task<Preview?> PreviewAsync(long runId, ImportGrouping grouping, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var run = await FindAsync(runId, user, cancellationToken);
            if (run is null || run.State == ImportRunState.Uploaded)
            {
                return null;
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var pending = await PendingRowsAsync(db, runId, cancellationToken);
            // A rescan skips nothing: every host it has is expected to be in the campaign's case already.
            var existing = grouping == ImportGrouping.Rescan ? [] : await ExistingCasesAsync(db, pending, cancellationToken);
            var visible = existing.Count == 0 ? [] : await VisibleAsync(db, user, existing.Values.Select(c => c.Id).Distinct().ToList(), cancellationToken);
            var duplicates = pending
                .Where(r => existing.ContainsKey((r.HostKey, r.Port)))
                .Select(r => existing[(r.HostKey, r.Port)] is var c && visible.Contains(c.Id)
                    ? new ExistingDuplicate(r.Line, ImportPlan.Endpoint(r), c.Reference)
                    : new ExistingDuplicate(r.Line, ImportPlan.Endpoint(r), null))
                .ToList();
            var errors = JsonSerializer.Deserialize<List<ImportRowError>>(run.Errors) ?? [];
            if (grouping == ImportGrouping.PerRdapOwner)
            {
                var owners = await LookUpImportOwners.ViewAsync(db, run, cancellationToken);
                if (run.OwnerLookup != OwnerLookupState.Completed)
                {
                    return new Preview(run, errors, duplicates, [], 0, owners);
                }
                var networks = await LookUpImportOwners.NetworksAsync(db, runId, cancellationToken);
                var owned = ImportPlan.GroupRows(pending.Where(r => !existing.ContainsKey((r.HostKey, r.Port))), grouping, networks);
                return new Preview(run, errors, duplicates,
                    owned.Take(PreviewGroups).Select(g => new PlannedCase(g.Title, g.Rows.Count,
                        (g.Networks ?? []).Select(n => n.AbuseEmail).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList())).ToList(),
                    owned.Count, owners);
            }
            var groups = ImportPlan.GroupRows(pending.Where(r => !existing.ContainsKey((r.HostKey, r.Port))), grouping);
            return new Preview(
                run,
                errors,
                duplicates,
                groups.Take(PreviewGroups).Select(g => new PlannedCase(g.Title, g.Rows.Count)).ToList(),
                groups.Count);
        }

        /// <summary>Queues the import. A file with row errors is refused unless <paramref name="skipBadRows"/>.</summary>
        public Task<CommandResult> StartAsync(long runId, ImportGrouping grouping, bool skipBadRows, CurrentUser user, CancellationToken cancellationToken = default) =>
            grouping == ImportGrouping.Rescan
                ? Task.FromResult(CommandResult.Fail("Name the campaign this file is a rescan of."))
                : StartAsync(runId, grouping, skipBadRows, null, user, cancellationToken);

        /// <summary>
        /// Queues the file as a rescan of the campaign <paramref name="campaignReference"/>: it files nothing, and marks the
        /// campaign's recipients none of whose hosts the file has as possibly mitigated (ADR-021).
        /// </summary>
        public async Task<CommandResult> StartRescanAsync(long runId, string campaignReference, bool skipBadRows, CurrentUser user, CancellationToken cancellationToken = default)
        {
            int? campaignId;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var reference = (campaignReference ?? "").Trim().ToUpperInvariant();
                campaignId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference && db.Campaigns.Any(k => k.CaseId == c.Id))
                    .Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            }
            return campaignId is null
                ? CommandResult.Fail("No campaign with this reference that you may see. Enter the case reference of the campaign, such as DD-2026-00042.", "RescanOf")
                : await StartAsync(runId, ImportGrouping.Rescan, skipBadRows, campaignId, user, cancellationToken);
        }

        private async Task<CommandResult> StartAsync(long runId, ImportGrouping grouping, bool skipBadRows, int? rescanOf, CurrentUser user, CancellationToken cancellationToken)
        {
            if (!user.IsApproved)
            {
                return CommandResult.Fail("Your account must be approved before you can import findings.");
            }
            var run = await FindAsync(runId, user, cancellationToken);
            if (run is null)
            {
                return CommandResult.Fail("No such import.");
            }
            if (run.State != ImportRunState.Staged)
            {
                return CommandResult.Fail("This import has already started, or was discarded unused; upload the file again.");
            }
            if (!Enum.IsDefined(grouping))
            {
                return CommandResult.Fail("Choose how to group the findings into cases.");
            }
            if (grouping == ImportGrouping.PerRdapOwner && run.OwnerLookup != OwnerLookupState.Completed)
            {
                return CommandResult.Fail("Look up the network owners first: the preview lists the cases once every finding has an owner or a warning.");
            }
            if (run.ErrorRows > 0 && !skipBadRows)
            {
                return CommandResult.Fail(
                    $"{run.ErrorRows} rows have errors. Fix the file, or tick \"import the valid rows and skip the {run.ErrorRows} bad ones\". Nothing was imported.");
            }
            if (run.ValidRows == 0)
            {
                return CommandResult.Fail("The file has no valid rows to import.");
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var total = await db.Set<ImportRow>().CountAsync(r => r.RunId == runId && r.State == ImportRowState.Pending, cancellationToken);
            var queued = await db.Set<ImportRun>().Where(r => r.Id == runId && r.State == ImportRunState.Staged)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(r => r.State, ImportRunState.Queued)
                    .SetProperty(r => r.Grouping, grouping)
                    .SetProperty(r => r.SkipBadRows, skipBadRows)
                    .SetProperty(r => r.RescanOfCaseId, rescanOf)
                    .SetProperty(r => r.RowsTotal, total), cancellationToken);
            if (queued == 0)
            {
                return CommandResult.Fail("This import has already started, or was discarded unused; upload the file again.");
            }
            jobs.Enqueue<ImportCasesJob>(job => job.RunAsync(runId, CancellationToken.None));
            // The staged rows hold all the job needs, and a queued run is never read again.
            File.Delete(UploadPath(runId));
            return CommandResult.Success;
        }

        /// <summary>Asks the job to stop after the batch it is on; the batches already done stay imported.</summary>
        public async Task<CommandResult> CancelAsync(long runId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var run = await FindAsync(runId, user, cancellationToken);
            if (run is null)
            {
                return CommandResult.Fail("No such import.");
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var updated = await db.Set<ImportRun>()
                .Where(r => r.Id == runId && (r.State == ImportRunState.Queued || r.State == ImportRunState.Running))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.CancelRequested, true), cancellationToken);
            return updated == 1 ? CommandResult.Success : CommandResult.Fail("The import is not running.");
        }

        /// <summary>The run as it is now: the progress the page polls.</summary>
        public async Task<ImportRun?> FindAsync(long runId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.Set<ImportRun>().AsNoTracking()
                .SingleOrDefaultAsync(r => r.Id == runId && (user.IsAdministrator || r.CreatedById == user.Id), cancellationToken);
        }

        private string UploadDirectory => Path.GetFullPath(Path.Combine(environment.ContentRootPath, database.Value.DataDirectory, "imports"));

        internal string UploadPath(long runId) => Path.Combine(UploadDirectory, $"{runId}.upload");

        /// <summary>
        /// Deletes the partial files of uploads that stopped (a closed tab, a crash) before their run was recorded,
        /// last written before <paramref name="writtenBefore"/>; an upload in progress keeps writing its file.
        /// </summary>
        internal int DeleteInterruptedUploads(DateTime writtenBefore)
        {
            if (!Directory.Exists(UploadDirectory))
            {
                return 0;
            }
            var deleted = 0;
            foreach (var part in Directory.EnumerateFiles(UploadDirectory, "*.part"))
            {
                if (File.GetLastWriteTimeUtc(part) < writtenBefore)
                {
                    File.Delete(part);
                    deleted++;
                }
            }
            return deleted;
        }
    }

    internal static Task<List<ImportRow>> PendingRowsAsync(AppDbContext db, long runId, CancellationToken cancellationToken) =>
        db.Set<ImportRow>().AsNoTracking()
            .Where(r => r.RunId == runId && r.State == ImportRowState.Pending)
            .OrderBy(r => r.Line)
            .Select(r => new ImportRow
            {
                Id = r.Id, RunId = r.RunId, Line = r.Line, Host = r.Host, HostKey = r.HostKey, Port = r.Port, Transport = r.Transport,
                Service = r.Service, Product = r.Product, Organization = r.Organization, Asn = r.Asn, Hostnames = r.Hostnames,
                SeenAt = r.SeenAt, Severity = r.Severity, Name = r.Name, ContactEmail = r.ContactEmail, State = r.State,
                OwnerNetworkId = r.OwnerNetworkId, OwnerWarning = r.OwnerWarning,
            })
            .ToListAsync(cancellationToken);

    internal sealed record ExistingCase(int Id, string Reference);

    /// <summary>
    /// Cases that already have the host and port of any of <paramref name="rows"/>, whoever may see them: as their own
    /// host, or as a finding an earlier import filed into them (a case per organisation holds many hosts but names one).
    /// The oldest such case is named.
    /// </summary>
    internal static async Task<Dictionary<(string HostKey, int Port), ExistingCase>> ExistingCasesAsync(
        AppDbContext db, IReadOnlyList<ImportRow> rows, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(string, int), ExistingCase>();
        var wanted = rows.Select(r => (r.HostKey, r.Port)).ToHashSet();
        foreach (var chunk in rows.Select(r => r.HostKey).Distinct().Chunk(500))
        {
            var cases = await db.Cases.AsNoTracking()
                .Where(c => chunk.Contains(c.HostKey))
                .Select(c => new { c.Id, c.Reference, c.HostKey, c.Port })
                .Concat(db.Set<ImportRow>().AsNoTracking()
                    .Where(r => r.CaseId != null && chunk.Contains(r.HostKey))
                    .Join(db.Cases, r => r.CaseId, c => (int?)c.Id, (r, c) => new { c.Id, c.Reference, r.HostKey, r.Port }))
                .ToListAsync(cancellationToken);
            foreach (var c in cases.Where(c => wanted.Contains((c.HostKey, c.Port))).OrderBy(c => c.Id))
            {
                found.TryAdd((c.HostKey, c.Port), new ExistingCase(c.Id, c.Reference));
            }
        }
        return found;
    }

    private static async Task<HashSet<int>> VisibleAsync(AppDbContext db, CurrentUser user, List<int> ids, CancellationToken cancellationToken)
    {
        var visible = new HashSet<int>();
        foreach (var chunk in ids.Chunk(500))
        {
            visible.UnionWith(await db.CasesVisibleTo(user).Where(c => chunk.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken));
        }
        return visible;
    }
}
