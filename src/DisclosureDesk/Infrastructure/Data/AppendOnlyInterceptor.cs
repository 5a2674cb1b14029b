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

    private static string Verb(EntityState state) => state == EntityState.Deleted ? "deleted" : "changed";

    private static void Guard(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        foreach (var entry in context.ChangeTracker.Entries<TimelineEvent>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"Timeline event {entry.Entity.Id} of case {entry.Entity.CaseId} cannot be {Verb(entry.State)}: the audit trail is append-only.");
            }
        }
        foreach (var entry in context.ChangeTracker.Entries<VendorResponse>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"Response {entry.Entity.Id} of case {entry.Entity.CaseId} cannot be {Verb(entry.State)}: log a correcting response instead.");
            }
        }
        foreach (var entry in context.ChangeTracker.Entries<EmailTemplateVersion>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"Version {entry.Entity.Version} of the {entry.Entity.TemplateId} template cannot be {Verb(entry.State)}: template history is append-only; save a new version instead.");
            }
        }
    }
}
