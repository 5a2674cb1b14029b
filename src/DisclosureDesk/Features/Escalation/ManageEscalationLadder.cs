using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Notifications.Templates;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Escalation;

/// <summary>A case's escalation ladder as its team sees it, and the researcher's choice of rungs and silence.</summary>
public static class ManageEscalationLadder
{
    public sealed class Form
    {
        public EscalationSteps Steps { get; set; }

        /// <summary>Null: the configured default.</summary>
        public int? SilenceDays { get; set; }
    }

    /// <summary>An escalation email already written, from its outbox row.</summary>
    public sealed record SentRung(EscalationSteps Step, string To, DateTime CreatedAt, OutboxState State, DateTime? SentAt);

    /// <summary>Everything the ladder panel plans from; the plan itself is recomputed as the researcher edits the form.</summary>
    /// <param name="Authorities">The directory's entries in use for the case's country.</param>
    /// <param name="Emails">Each rung that has a recipient now, rendered as it would go out now.</param>
    public sealed record View(
        Case Case,
        int DefaultSilenceDays,
        IReadOnlyList<EscalationAuthority> Authorities,
        IReadOnlyList<SentRung> Sent,
        IReadOnlyDictionary<EscalationSteps, RenderedEmail> Emails)
    {
        public TimeSpan SilenceFor(int? days) => TimeSpan.FromDays(days ?? DefaultSilenceDays);

        public LadderPlan Plan(Form form) => EscalationLadder.Plan(Case, SilenceFor(form.SilenceDays), Authorities, form.Steps);
    }

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        EmailTemplateStore templateStore,
        EscalationEmail escalationEmail,
        IOptions<EscalationOptions> options,
        TimeProvider time)
    {
        /// <summary>The case's ladder, or null when the user may not see the case.</summary>
        public async Task<View?> GetAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var @case = await db.CasesVisibleTo(user).AsNoTracking().Include(c => c.Contacts)
                .SingleOrDefaultAsync(c => c.Reference == reference, cancellationToken);
            if (@case is null)
            {
                return null;
            }
            var authorities = await AuthoritiesAsync(db, @case, cancellationToken);
            var rows = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.CaseId == @case.Id && m.Purpose == OutboxPurpose.Escalation)
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                .Select(m => new { m.DedupKey, m.To, m.CreatedAt, m.State, m.SentAt })
                .ToListAsync(cancellationToken);
            var sent = rows
                .Select(r => new SentRung(EscalationLadder.RungOf(r.DedupKey), r.To, r.CreatedAt, r.State, r.SentAt))
                .ToList();

            var now = time.GetUtcNow().UtcDateTime;
            var templates = await templateStore.LoadActiveAsync(db, cancellationToken);
            var plan = EscalationLadder.Plan(@case, TimeSpan.FromDays(options.Value.SilenceDays), authorities, EscalationLadder.AllRungs);
            var emails = new Dictionary<EscalationSteps, RenderedEmail>();
            foreach (var rung in plan.Rungs.Where(r => r.Recipients.Count > 0 && !r.Reached))
            {
                emails[rung.Step] = await escalationEmail.RenderAsync(db, @case, rung, templates, now, cancellationToken);
            }
            return new View(@case, options.Value.SilenceDays, authorities, sent, emails);
        }

        /// <summary>Sets which rungs the case climbs and after how long a silence; recorded on the timeline.</summary>
        public Task<CommandResult> SaveAsync(string reference, Form form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if ((form.Steps & ~EscalationLadder.AllRungs) != EscalationSteps.None)
            {
                return Task.FromResult(CommandResult.Fail("Choose among the hosting provider, the national CERT and the data-protection authority.", nameof(Form.Steps)));
            }
            if (form.SilenceDays is < EscalationOptions.MinSilenceDays or > EscalationOptions.MaxSilenceDays)
            {
                return Task.FromResult(CommandResult.Fail(
                    $"The silence before each step must be {EscalationOptions.MinSilenceDays} to {EscalationOptions.MaxSilenceDays} days.", nameof(Form.SilenceDays)));
            }
            return writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                if (!CaseStatusMachine.IsOpen(@case.Status))
                {
                    return Task.FromResult(CommandResult.Fail($"The case is {@case.Status.DisplayName()}; its ladder can no longer change."));
                }
                var silenceDays = form.SilenceDays == options.Value.SilenceDays ? null : form.SilenceDays;
                if (@case.EscalationSteps == form.Steps && @case.EscalationSilenceDays == silenceDays)
                {
                    return Task.FromResult(CommandResult.Fail("The ladder is already set that way."));
                }
                @case.EscalationSteps = form.Steps;
                @case.EscalationSilenceDays = silenceDays;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.EscalationLadderChanged,
                    Describe(form.Steps, silenceDays ?? options.Value.SilenceDays));
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }

        /// <summary>"Escalation ladder: the hosting provider, then the national CERT, each after 14 days without a reply."</summary>
        public static string Describe(EscalationSteps steps, int silenceDays) =>
            steps == EscalationSteps.None
                ? "Escalation ladder switched off."
                : $"Escalation ladder: {string.Join(", then ", EscalationLadder.Rungs.Where(r => steps.HasFlag(r)).Select(EscalationEmail.Describe))}, " +
                  $"each after {silenceDays} days without a reply.";

        internal static async Task<List<EscalationAuthority>> AuthoritiesAsync(AppDbContext db, Case @case, CancellationToken cancellationToken)
        {
            var country = @case.AffectedCountry?.ToUpperInvariant();
            return country is null
                ? []
                : await db.EscalationAuthorities.AsNoTracking()
                    .Where(a => a.RetiredAt == null && a.CountryCode == country)
                    .OrderBy(a => a.Id)
                    .ToListAsync(cancellationToken);
        }
    }
}
