using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Keeps a case's disclosure deadline in step with its policy: a fix (the case becoming Mitigated) may start a
/// patch-adoption period, and the researcher may grant the owner the policy's grace period. Each change of the
/// date is recorded on the case's timeline.
/// </summary>
public static class DisclosureDeadline
{
    public const int MaxNoteLength = 500;

    /// <summary>Records the first fix of a notified case and moves its deadline if its policy says so.</summary>
    public static void RecordFix(AppDbContext db, Case @case, Actor actor, DateTime now)
    {
        if (@case.FixedAt is not null || @case.FirstNotifiedAt is null)
        {
            return;
        }
        @case.FixedAt = now;
        Recompute(db, @case, actor, now, "the owner fixed the exposure");
    }

    /// <summary>Sets the deadline the policy now gives and appends an event when it moved.</summary>
    private static void Recompute(AppDbContext db, Case @case, Actor actor, DateTime now, string why)
    {
        if (DisclosurePolicies.DatesOf(@case) is not { } dates || dates.PublishAfter == @case.DisclosureDeadlineAt)
        {
            return;
        }
        var before = @case.DisclosureDeadlineAt;
        @case.DisclosureDeadlineAt = dates.PublishAfter;
        CaseTimeline.Append(db, @case, actor, now, TimelineEventType.DeadlineChanged,
            $"Disclosure deadline moved from {before:yyyy-MM-dd} to {dates.PublishAfter:yyyy-MM-dd} UTC: {why} ({@case.DisclosurePolicy}).",
            changes: [new FieldChange("Disclosure deadline", Iso(before), Iso(dates.PublishAfter))]);
    }

    private static string? Iso(DateTime? at) => at?.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public sealed class Handler(CaseWriter writer)
    {
        /// <summary>Grants the policy's grace period, which the owner asked for before the deadline.</summary>
        public Task<CommandResult> GrantGraceAsync(string reference, string? note, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (note is { Length: > MaxNoteLength })
            {
                return Task.FromResult(CommandResult.Fail($"The note can be at most {MaxNoteLength} characters.", "GraceNote"));
            }
            return writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                var policy = DisclosurePolicies.Of(@case);
                if (@case.FirstNotifiedAt is null || policy?.GraceDays is not { } graceDays)
                {
                    return Task.FromResult(CommandResult.Fail("This case's disclosure policy has no grace period."));
                }
                if (@case.GraceGrantedAt is not null)
                {
                    return Task.FromResult(CommandResult.Fail("The grace period has already been granted."));
                }
                if (@case.FixedAt is not null || !CaseStatusMachine.IsOpen(@case.Status))
                {
                    return Task.FromResult(CommandResult.Fail("The exposure is fixed or the case is over; there is nothing to extend."));
                }
                if (now > DisclosurePolicies.DatesOf(@case)!.FixBy)
                {
                    return Task.FromResult(CommandResult.Fail("The deadline has passed; a grace period is granted only when the owner asks before it."));
                }
                @case.GraceGrantedAt = now;
                var why = $"{user.Name} granted the owner a {graceDays}-day grace period" +
                          (string.IsNullOrWhiteSpace(note) ? "" : $". Note: {note.Trim()}");
                Recompute(db, @case, user.AsActor(), now, why);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }
    }
}
