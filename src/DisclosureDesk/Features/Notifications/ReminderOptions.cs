using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Notifications;

/// <summary>When researchers' reminders and digests go out, in each researcher's own time zone.</summary>
public sealed class ReminderOptions : IValidatableObject
{
    public const string SectionName = "Reminders";

    /// <summary>Local hour at which a deadline reminder goes out on its day (7 and 1 days before).</summary>
    [Range(0, 23, ErrorMessage = "Reminders:DeadlineReminderHour must be between 0 and 23.")]
    public int DeadlineReminderHour { get; set; } = 9;

    /// <summary>Local hour from which the day's overdue digest goes out.</summary>
    [Range(0, 23, ErrorMessage = "Reminders:DigestHour must be between 0 and 23.")]
    public int DigestHour { get; set; } = 8;

    /// <summary>The address researchers open DisclosureDesk at, for links in their emails; none: no links.</summary>
    public string? AppUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(AppUrl)
            && !(Uri.TryCreate(AppUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"Reminders:AppUrl '{AppUrl}' is not an absolute http(s) address.", [nameof(AppUrl)]);
        }
    }

    /// <summary>The absolute address of <paramref name="path"/> in the app, or null without <see cref="AppUrl"/>.</summary>
    public string? Link(string path) =>
        string.IsNullOrWhiteSpace(AppUrl) ? null : AppUrl.TrimEnd('/') + "/" + path.TrimStart('/');
}
