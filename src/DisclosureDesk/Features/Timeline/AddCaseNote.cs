using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Timeline;

/// <summary>A researcher's own entry in the trail: a call made, a finding confirmed, a decision taken.</summary>
public static class AddCaseNote
{
    public sealed class Command
    {
        [Required(ErrorMessage = "Write the note.")]
        [StringLength(CaseLimits.NoteLength, ErrorMessage = "A note can be at most {1} characters.")]
        public string Text { get; set; } = "";

        public EventVisibility Visibility { get; set; } = EventVisibility.Internal;
    }

    public sealed class Handler(CaseWriter writer)
    {
        public async Task<CommandResult> HandleAsync(string reference, Command command, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(command);
            if (!Enum.IsDefined(command.Visibility))
            {
                errors.Add(new ValidationResult("Choose who may see the note.", [nameof(Command.Visibility)]));
            }
            if (string.IsNullOrWhiteSpace(command.Text) && errors.Count == 0)
            {
                errors.Add(new ValidationResult("Write the note.", [nameof(Command.Text)]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.NoteAdded, command.Text.Trim(), command.Visibility);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }
    }
}
