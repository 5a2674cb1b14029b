using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.Features.Cases;

public static class ManageCaseContacts
{
    public sealed class ContactForm
    {
        [Required(ErrorMessage = "Give the contact a name (a person, a team or a mailbox name).")]
        [StringLength(CaseLimits.NameLength, ErrorMessage = "The name can be at most {1} characters.")]
        public string Name { get; set; } = "";

        [DeliverableEmail]
        [StringLength(CaseLimits.EmailLength, ErrorMessage = "The email address can be at most {1} characters.")]
        public string? Email { get; set; }

        [StringLength(CaseLimits.ShortTextLength, ErrorMessage = "The role can be at most {1} characters.")]
        public string? Role { get; set; }

        public ContactSource Source { get; set; }

        public bool Verified { get; set; }
    }

    public sealed class Handler(CaseWriter writer)
    {
        public async Task<CommandResult> AddAsync(string reference, ContactForm form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(form);
            if (!Enum.IsDefined(form.Source))
            {
                errors.Add(new ValidationResult("Choose where the contact came from.", [nameof(ContactForm.Source)]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                Add(db, @case, user, now, form);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }

        /// <summary>Adds an already validated contact inside a caller's case change (also used when a discovered contact is accepted).</summary>
        public static CaseContact Add(AppDbContext db, Case @case, CurrentUser user, DateTime now, ContactForm form)
        {
            var contact = new CaseContact
            {
                CaseId = @case.Id,
                Name = form.Name.Trim(),
                Email = string.IsNullOrWhiteSpace(form.Email) ? null : form.Email.Trim(),
                Role = string.IsNullOrWhiteSpace(form.Role) ? null : form.Role.Trim(),
                Source = form.Source,
                VerifiedAt = form.Verified ? now : null,
                AddedAt = now,
            };
            @case.Contacts.Add(contact);
            CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.ContactAdded,
                $"Contact added: {Describe(contact)} (source: {contact.Source.DisplayName()}{(form.Verified ? ", verified" : "")}).",
                changes: [new FieldChange("Contacts", null, Describe(contact))]);
            return contact;
        }

        public Task<CommandResult> RemoveAsync(string reference, int contactId, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                var contact = @case.Contacts.SingleOrDefault(c => c.Id == contactId);
                if (contact is null)
                {
                    return Task.FromResult(CommandResult.Fail("That contact is not on this case."));
                }
                @case.Contacts.Remove(contact);
                db.CaseContacts.Remove(contact);
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.ContactRemoved,
                    $"Contact removed: {Describe(contact)}.", changes: [new FieldChange("Contacts", Describe(contact), null)]);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);

        public Task<CommandResult> MarkVerifiedAsync(string reference, int contactId, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                var contact = @case.Contacts.SingleOrDefault(c => c.Id == contactId);
                if (contact is null)
                {
                    return Task.FromResult(CommandResult.Fail("That contact is not on this case."));
                }
                contact.VerifiedAt = now;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.ContactVerified,
                    $"Contact verified: {Describe(contact)}.");
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);

        private static string Describe(CaseContact contact) =>
            contact.Email is null ? contact.Name : $"{contact.Name} <{contact.Email}>";
    }
}
