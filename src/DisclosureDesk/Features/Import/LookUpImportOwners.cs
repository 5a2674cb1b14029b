using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// The RDAP owner lookup of a staged import (ADR-026): started and cancelled from the preview, run by
/// <see cref="ResolveImportOwnersJob"/>, shown in the preview with a warning for every finding that has no owner.
/// </summary>
public static class LookUpImportOwners
{
    private const int PreviewWarnings = 100;

    /// <summary>The lookup as the preview shows it; the warnings are the first <c>PreviewWarnings</c> of <c>WarningCount</c>.</summary>
    public sealed record View(
        OwnerLookupState State,
        bool CancelRequested,
        int Hosts,
        int HostsDone,
        int Lookups,
        string? Error,
        IReadOnlyList<Warning> Warnings,
        int WarningCount);

    /// <summary>A finding without an owner, and why; it gets a case for its host.</summary>
    public sealed record Warning(int Line, string Endpoint, string Reason);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, IBackgroundJobClient jobs)
    {
        /// <summary>Queues the lookup of the run's owners; after a cancel or a failure it goes on from where it stopped.</summary>
        public async Task<CommandResult> StartAsync(long runId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsApproved)
            {
                return CommandResult.Fail("Your account must be approved before you can import findings.");
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var run = await Visible(db, runId, user).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            if (run is null)
            {
                return CommandResult.Fail("No such import.");
            }
            if (run.State != ImportRunState.Staged)
            {
                return CommandResult.Fail("Check the file first; owners are looked up for a checked file that is not imported yet.");
            }
            var queued = await db.Set<ImportRun>()
                .Where(r => r.Id == runId && r.State == ImportRunState.Staged
                    && (r.OwnerLookup == OwnerLookupState.NotStarted || r.OwnerLookup == OwnerLookupState.Cancelled || r.OwnerLookup == OwnerLookupState.Failed))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(r => r.OwnerLookup, OwnerLookupState.Queued)
                    .SetProperty(r => r.OwnerLookupCancelRequested, false)
                    .SetProperty(r => r.OwnerLookupError, (string?)null), cancellationToken);
            if (queued == 0)
            {
                return CommandResult.Fail("The owners are already being looked up, or have been.");
            }
            jobs.Enqueue<ResolveImportOwnersJob>(job => job.RunAsync(runId, CancellationToken.None));
            return CommandResult.Success;
        }

        /// <summary>Stops the lookup: a queued one at once, a running one after the addresses it is on. What it found is kept.</summary>
        public async Task<CommandResult> CancelAsync(long runId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!await Visible(db, runId, user).AnyAsync(cancellationToken))
            {
                return CommandResult.Fail("No such import.");
            }
            var cancelled = await db.Set<ImportRun>().Where(r => r.Id == runId && r.OwnerLookup == OwnerLookupState.Queued)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.OwnerLookup, OwnerLookupState.Cancelled), cancellationToken);
            if (cancelled == 0)
            {
                cancelled = await db.Set<ImportRun>().Where(r => r.Id == runId && r.OwnerLookup == OwnerLookupState.Running)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.OwnerLookupCancelRequested, true), cancellationToken);
            }
            return cancelled == 1 ? CommandResult.Success : CommandResult.Fail("The owner lookup is not running.");
        }

        private static IQueryable<ImportRun> Visible(AppDbContext db, long runId, CurrentUser user) =>
            db.Set<ImportRun>().Where(r => r.Id == runId && (user.IsAdministrator || r.CreatedById == user.Id));
    }

    internal static async Task<View> ViewAsync(AppDbContext db, ImportRun run, CancellationToken cancellationToken)
    {
        var warned = db.Set<ImportRow>().AsNoTracking()
            .Where(r => r.RunId == run.Id && r.State == ImportRowState.Pending && r.OwnerWarning != null);
        var count = await warned.CountAsync(cancellationToken);
        var warnings = await warned.OrderBy(r => r.Line).Take(PreviewWarnings)
            .Select(r => new { r.Line, r.Host, r.Port, r.OwnerWarning })
            .ToListAsync(cancellationToken);
        return new View(run.OwnerLookup, run.OwnerLookupCancelRequested, run.OwnerHosts, run.OwnerHostsDone, run.OwnerLookups, run.OwnerLookupError,
            warnings.Select(w => new Warning(w.Line, ImportPlan.Endpoint(new ImportRow { Host = w.Host, Port = w.Port }), w.OwnerWarning!)).ToList(),
            count);
    }

    /// <summary>The networks the run's lookup found, by id, for grouping.</summary>
    internal static async Task<IReadOnlyDictionary<long, ImportOwnerNetwork>> NetworksAsync(AppDbContext db, long runId, CancellationToken cancellationToken) =>
        await db.Set<ImportOwnerNetwork>().AsNoTracking().Where(n => n.RunId == runId).ToDictionaryAsync(n => n.Id, cancellationToken);

    /// <summary>Forgets a run's owners, when its file is read again (the rows they belonged to are gone) or discarded.</summary>
    internal static async Task ForgetAsync(AppDbContext db, long runId, CancellationToken cancellationToken)
    {
        await db.Set<ImportOwnerNetwork>().Where(n => n.RunId == runId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ImportRun>().Where(r => r.Id == runId).ExecuteUpdateAsync(set => set
            .SetProperty(r => r.OwnerLookup, OwnerLookupState.NotStarted)
            .SetProperty(r => r.OwnerHosts, 0)
            .SetProperty(r => r.OwnerHostsDone, 0)
            .SetProperty(r => r.OwnerLookups, 0)
            .SetProperty(r => r.OwnerLookupCancelRequested, false)
            .SetProperty(r => r.OwnerLookupError, (string?)null), cancellationToken);
    }

    /// <summary>
    /// Adds the abuse addresses of a group's networks to its newly filed case as abuse contacts (the escalation ladder's
    /// hosting-provider rung writes to them too), each with a ContactAdded event naming the network it came from.
    /// </summary>
    internal static async Task AddOwnerContactsAsync(AppDbContext db, Case @case, ImportPlan.Group group, Actor actor, DateTime now, long runId,
        CancellationToken cancellationToken)
    {
        var networks = (group.Networks ?? []).Where(n => n.AbuseEmail is not null).DistinctBy(n => n.AbuseEmail!.ToLowerInvariant()).ToList();
        if (networks.Count == 0)
        {
            return;
        }
        foreach (var network in networks)
        {
            var name = network.AbuseName ?? network.Organization ?? network.AbuseEmail!;
            var contact = new CaseContact
            {
                CaseId = @case.Id,
                Name = name.Length > CaseLimits.NameLength ? name[..CaseLimits.NameLength] : name,
                Email = network.AbuseEmail,
                Role = EscalationLadder.AbuseContactRole,
                Source = ContactSource.RdapAbuse,
                AddedAt = now,
            };
            db.CaseContacts.Add(contact);
            var described = $"{contact.Name} <{contact.Email}>";
            CaseTimeline.Append(db, @case, actor, now, TimelineEventType.ContactAdded,
                $"Contact added: {described} (source: RDAP abuse, from the owner lookup of import {runId}: {network.Describe()}, {network.Source}).",
                changes: [new FieldChange("Contacts", null, described)]);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
