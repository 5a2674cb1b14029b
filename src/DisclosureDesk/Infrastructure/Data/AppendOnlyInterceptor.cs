using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// Refuses any save that would update or delete a timeline event, a logged response or an email template
/// version: the trail, the records its hashes vouch for, and the template history are append-only.
/// </summary>
internal sealed class AppendOnlyInterceptor : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Guard(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Guard(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Guard(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }
            var verb = entry.State == EntityState.Deleted ? "deleted" : "changed";
            var refusal = entry.Entity switch
            {
                TimelineEvent e => $"Timeline event {e.Id} of case {e.CaseId} cannot be {verb}: the audit trail is append-only.",
                VendorResponse r => $"Response {r.Id} of case {r.CaseId} cannot be {verb}: log a correcting response instead.",
                EmailTemplateVersion v => $"Version {v.Version} of the {v.TemplateId} template cannot be {verb}: template history is append-only; save a new version instead.",
                _ => null,
            };
            if (refusal is not null)
            {
                throw new InvalidOperationException(refusal);
            }
        }
    }
}
