using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Cases;

public static class ChangeCaseStatus
{
    public sealed class Command
    {
        public CaseStatus NewStatus { get; set; }

        [StringLength(CaseLimits.NoteLength, ErrorMessage = "The note can be at most {1} characters.")]
        public string? Note { get; set; }

        public RejectionReason? RejectionReason { get; set; }

        [StringLength(CaseLimits.ReferenceLength)]
        public string? DuplicateOf { get; set; }
    }

    public sealed class Handler(CaseWriter writer)
    {
        public async Task<CommandResult> HandleAsync(string reference, Command command, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(command);
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            return await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (CaseStatusMachine.ExplainRefusal(@case.Status, command.NewStatus) is { } refusal)
                {
                    return CommandResult.Fail(refusal, nameof(Command.NewStatus));
                }
                string? rejection = null;
                if (command.NewStatus == CaseStatus.Rejected)
                {
                    if (command.RejectionReason is not { } reason || !Enum.IsDefined(reason))
                    {
                        return CommandResult.Fail("Say why the case is rejected: invalid or duplicate.", nameof(Command.RejectionReason));
                    }
                    if (reason == Cases.RejectionReason.Duplicate)
                    {
                        var original = command.DuplicateOf?.Trim().ToUpperInvariant();
                        if (string.IsNullOrEmpty(original) || original == @case.Reference
                            || !await db.CasesVisibleTo(user).AnyAsync(c => c.Reference == original, cancellationToken))
                        {
                            return CommandResult.Fail("Name the case this one duplicates (a case id you can see, not this one).", nameof(Command.DuplicateOf));
                        }
                        @case.DuplicateOfReference = original;
                        rejection = $" as a duplicate of {original}";
                    }
                    else
                    {
                        rejection = " as invalid";
                    }
                    @case.RejectionReason = reason;
                }

                var from = @case.Status;
                @case.Status = command.NewStatus;
                if (!CaseStatusMachine.IsOpen(command.NewStatus))
                {
                    @case.ClosedAt ??= now;
                }
                var note = string.IsNullOrWhiteSpace(command.Note) ? "" : $" Note: {command.Note.Trim()}";
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.StatusChanged,
                    $"Status changed from {from.DisplayName()} to {command.NewStatus.DisplayName()}{rejection}.{note}",
                    changes: [new FieldChange("Status", from.DisplayName(), command.NewStatus.DisplayName())]);
                if (command.NewStatus == CaseStatus.Mitigated)
                {
                    Notifications.DisclosureDeadline.RecordFix(db, @case, user.AsActor(), now);
                }
                if (Notifications.FollowUpSchedule.EndsFollowUps(command.NewStatus))
                {
                    await Notifications.FollowUpSchedule.CancelAsync(db, @case, user.AsActor(), now,
                        $"the case is now {command.NewStatus.DisplayName()}", cancellationToken);
                }
                return CommandResult.Success;
            }, cancellationToken);
        }

        /// <summary>Reopening is its own, explicit action with a mandatory reason, never a plain transition.</summary>
        public async Task<CommandResult> ReopenAsync(string reference, string reason, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                return CommandResult.Fail("Say why the case is reopened.", "ReopenReason");
            }
            if (reason.Length > CaseLimits.NoteLength)
            {
                return CommandResult.Fail($"The reason can be at most {CaseLimits.NoteLength} characters.", "ReopenReason");
            }
            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                if (!CaseStatusMachine.CanReopen(@case.Status))
                {
                    return Task.FromResult(CommandResult.Fail($"A case that is {@case.Status.DisplayName()} is still open; only closed, rejected, published or unanswered cases are reopened.", "ReopenReason"));
                }
                var from = @case.Status;
                @case.Status = CaseStatusMachine.ReopenedStatus;
                @case.ClosedAt = null;
                @case.RejectionReason = null;
                @case.DuplicateOfReference = null;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.CaseReopened,
                    $"Case reopened (was {from.DisplayName()}): {reason.Trim()}",
                    changes: [new FieldChange("Status", from.DisplayName(), CaseStatusMachine.ReopenedStatus.DisplayName())]);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }
    }
}
