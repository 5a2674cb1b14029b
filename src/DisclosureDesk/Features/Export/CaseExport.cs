using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DisclosureDesk.Features.Export;

/// <summary>Exports one case the user may see, under a redaction profile, in one format.</summary>
public static class CaseExport
{
    public sealed record Query(string Reference, ExportFormat Format, ExportProfile Profile);

    /// <summary>
    /// An export ready to be written: the case, its team and the chain facts are loaded, the events are read
    /// from the database while <see cref="WriteToAsync"/> runs. Holds a database context until disposed.
    /// </summary>
    public sealed class Download(AppDbContext db, CaseExportDocument document, ExportFormat format, ExportOptions options) : IAsyncDisposable
    {
        public string ContentType => format.ContentType();

        public string FileName => ExportChoices.FileName(document.Case.Reference, format, document.Profile);

        public Task WriteToAsync(Stream output, CancellationToken cancellationToken = default) =>
            WriteAsync(document, format, output, options, cancellationToken);

        /// <summary>Streams the export into <paramref name="response"/> as an attachment that no shared cache keeps.</summary>
        public async Task SendAsync(HttpResponse response, CancellationToken cancellationToken = default)
        {
            // A full export holds contacts, evidence hashes and internal notes; no shared cache should keep a copy.
            response.Headers.CacheControl = "no-store";
            response.ContentType = ContentType;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(FileName);
            response.Headers.ContentDisposition = disposition.ToString();
            await WriteToAsync(response.Body, cancellationToken);
        }

        public ValueTask DisposeAsync() => db.DisposeAsync();
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, CaseWriter writer, TimeProvider time, IOptions<ExportOptions> options)
    {
        /// <summary>
        /// The export, or null when the case does not exist or the user may not see it (the same answer for both).
        /// Who exported what, under which profile, is recorded on the case's timeline as an internal event; it is
        /// appended after the export's head was read, so an export never contains its own record.
        /// </summary>
        public async Task<Download?> OpenAsync(Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            try
            {
                var document = await LoadAsync(db, query, user, cancellationToken);
                if (document is null)
                {
                    await db.DisposeAsync();
                    return null;
                }
                return new Download(db, document, query.Format, options.Value);
            }
            catch
            {
                await db.DisposeAsync();
                throw;
            }
        }

        private async Task RecordAsync(int caseId, int head, Query query, CurrentUser user, CancellationToken cancellationToken)
        {
            // Seeing the case is what allows the export; recording it must not also need the right to change the case.
            var recorded = await writer.ChangeAsSystemAsync(caseId, (db, @case, now) =>
            {
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CaseExported,
                    $"Exported as {query.Format.Name()} under the {query.Profile.Name()} profile, up to event #{head}.");
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
            if (!recorded.Succeeded)
            {
                throw new InvalidOperationException($"The export of {query.Reference} could not be recorded: {recorded.Summary}");
            }
        }

        private async Task<CaseExportDocument?> LoadAsync(AppDbContext db, Query query, CurrentUser user, CancellationToken cancellationToken)
        {
            var (reference, profile) = (query.Reference, query.Profile);
            var @case = await db.CasesVisibleTo(user).AsNoTracking()
                .Include(c => c.Members)
                .Include(c => c.Contacts)
                .AsSplitQuery()
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);
            if (@case is null)
            {
                return null;
            }

            var memberIds = @case.Members.Select(m => m.UserId).Append(@case.LeadId).Distinct().ToList();
            var users = await db.Users.AsNoTracking().Where(u => memberIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
            var team = memberIds
                .Select(id => users.TryGetValue(id, out var u) ? new ExportedPerson(u.Label, u.Email, id == @case.LeadId) : new ExportedPerson(id, null, id == @case.LeadId))
                .OrderByDescending(m => m.IsLead).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            var evidence = profile == ExportProfile.Full
                ? await db.EvidenceFiles.AsNoTracking().Where(f => f.CaseId == @case.Id).ToListAsync(cancellationToken)
                : [];
            var followUps = profile == ExportProfile.Public
                ? []
                : await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.CaseId == @case.Id && m.Purpose == OutboxPurpose.OwnerFollowUp && OutboxStates.NotYetSent.Contains(m.State))
                    .Select(m => new OutboxMessage { Id = m.Id, CaseId = m.CaseId, Purpose = m.Purpose, State = m.State, DueAt = m.DueAt, To = m.To, Subject = m.Subject })
                    .ToListAsync(cancellationToken);

            // The export is of the chain as it stood when the case row was read: events appended while it streams
            // belong to the next export, and the head stated up front stays the last event written.
            var caseId = @case.Id;
            var head = @case.LastEventSequence;
            var included = db.TimelineEvents.AsNoTracking()
                .Where(e => e.CaseId == caseId && e.Sequence <= head)
                .Where(CaseExportDocument.VisibleTo(profile));
            var includedCount = await included.CountAsync(cancellationToken);
            await RecordAsync(caseId, head, query, user, cancellationToken);
            var document = CaseExportDocument.Create(profile, time.GetUtcNow().UtcDateTime, user.Name, @case, team, @case.Contacts, evidence,
                includedCount, _ => included.OrderBy(e => e.Sequence).AsAsyncEnumerable());
            return document with { Calendar = CaseCalendar.For(@case, document.Case.Title, followUps, profile, user.TimeZone) };
        }
    }

    /// <summary>Writes the document in one format, a chunk at a time, with asynchronous writes only.</summary>
    public static Task WriteAsync(CaseExportDocument document, ExportFormat format, Stream output, ExportOptions? options = null, CancellationToken cancellationToken = default) => format switch
    {
        ExportFormat.Json => JsonCaseExport.WriteAsync(document, output, cancellationToken),
        ExportFormat.Markdown => MarkdownCaseExport.WriteAsync(document, output, cancellationToken),
        ExportFormat.Csv => CsvCaseExport.WriteAsync(document, output, cancellationToken),
        ExportFormat.Html => HtmlCaseExport.WriteAsync(document, output, cancellationToken),
        ExportFormat.Csaf => CsafCaseExport.WriteAsync(document, options ?? new ExportOptions(), output, cancellationToken),
        ExportFormat.Ics => IcsCaseExport.WriteAsync(document, output, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format."),
    };

    /// <summary>The whole export in memory: for tests and small documents, never for a case read from the database.</summary>
    public static async Task<byte[]> RenderAsync(CaseExportDocument document, ExportFormat format, ExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream();
        await WriteAsync(document, format, stream, options, cancellationToken);
        return stream.ToArray();
    }
}
