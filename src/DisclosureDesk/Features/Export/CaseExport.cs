using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Export;

/// <summary>Exports one case the user may see, under a redaction profile, in one format.</summary>
public static class CaseExport
{
    public sealed record Query(string Reference, ExportFormat Format, ExportProfile Profile);

    public sealed record File(byte[] Content, string ContentType, string FileName);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
    {
        /// <summary>The export, or null when the case does not exist or the user may not see it (the same answer for both).</summary>
        public async Task<File?> HandleAsync(Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var document = await LoadAsync(query.Reference, query.Profile, user, cancellationToken);
            if (document is null)
            {
                return null;
            }
            return new File(Render(document, query.Format), query.Format.ContentType(), ExportChoices.FileName(document.Case.Reference, query.Format, query.Profile));
        }

        public async Task<CaseExportDocument?> LoadAsync(string reference, ExportProfile profile, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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
            var events = await db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == @case.Id).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
            var evidence = profile == ExportProfile.Full
                ? await db.EvidenceFiles.AsNoTracking().Where(f => f.CaseId == @case.Id).ToListAsync(cancellationToken)
                : [];
            var followUps = profile == ExportProfile.Public
                ? []
                : await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.CaseId == @case.Id && m.Purpose == OutboxPurpose.OwnerFollowUp && CaseCalendar.PendingStates.Contains(m.State))
                    .Select(m => new OutboxMessage { Id = m.Id, CaseId = m.CaseId, Purpose = m.Purpose, State = m.State, DueAt = m.DueAt, To = m.To, Subject = m.Subject })
                    .ToListAsync(cancellationToken);
            var document = CaseExportDocument.Create(profile, time.GetUtcNow().UtcDateTime, user.Name, @case, team, @case.Contacts, evidence, events);
            return document with { Calendar = CaseCalendar.For(@case, document.Case.Title, followUps, profile, user.TimeZone) };
        }
    }

    public static byte[] Render(CaseExportDocument document, ExportFormat format)
    {
        switch (format)
        {
            case ExportFormat.Json:
                using (var stream = new MemoryStream())
                {
                    JsonCaseExport.Write(document, stream);
                    return stream.ToArray();
                }
            case ExportFormat.Ics:
                using (var stream = new MemoryStream())
                {
                    IcsCaseExport.Write(document, stream);
                    return stream.ToArray();
                }
            case ExportFormat.Markdown:
                return Encoding.UTF8.GetBytes(MarkdownCaseExport.Render(document));
            default:
                return Encoding.UTF8.GetBytes(CsvCaseExport.Render(document));
        }
    }
}
