using System.Globalization;
using System.Reflection;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Cases;

public static class EditCase
{
    public sealed class Handler(CaseWriter writer)
    {
        /// <summary>Saves the edited fields and records each changed one, old and new value, in the timeline.</summary>
        public async Task<CommandResult> HandleAsync(string reference, CaseForm form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(form);
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                var before = CaseForm.From(@case);
                form.ApplyTo(@case);
                var changes = Diff(before, CaseForm.From(@case));
                if (changes.Count > 0)
                {
                    CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.FieldsChanged,
                        "Changed " + string.Join(", ", changes.Select(c => c.Field)) + ".", changes: changes);
                }
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }

        internal static List<FieldChange> Diff(CaseForm before, CaseForm after) =>
            typeof(CaseForm).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Name: FieldLabels.For(p.Name), Old: Format(p.GetValue(before)), New: Format(p.GetValue(after))))
                .Where(x => !string.Equals(x.Old, x.New, StringComparison.Ordinal))
                .Select(x => new FieldChange(x.Name, x.Old, x.New))
                .ToList();

        private static string? Format(object? value) => value switch
        {
            null => null,
            DataCategories categories => string.Join(", ", categories.FlagNames()),
            Enum e => e.DisplayName(),
            DateTime d => d.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            bool b => b ? "yes" : "no",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}

/// <summary>The words the UI and the timeline use for each case field.</summary>
public static class FieldLabels
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        [nameof(CaseForm.Title)] = "Title",
        [nameof(CaseForm.Summary)] = "Summary",
        [nameof(CaseForm.Severity)] = "Severity",
        [nameof(CaseForm.Tags)] = "Tags",
        [nameof(CaseForm.Service)] = "Service",
        [nameof(CaseForm.Host)] = "Host",
        [nameof(CaseForm.Port)] = "Port",
        [nameof(CaseForm.Asn)] = "ASN",
        [nameof(CaseForm.HostingProvider)] = "Hosting provider",
        [nameof(CaseForm.AuthenticationState)] = "Authentication",
        [nameof(CaseForm.DatabaseNames)] = "Databases / indices",
        [nameof(CaseForm.RecordCount)] = "Record count",
        [nameof(CaseForm.RecordCountMethod)] = "Record count method",
        [nameof(CaseForm.DataCategories)] = "Data categories",
        [nameof(CaseForm.AffectedCountry)] = "Country of affected people",
        [nameof(CaseForm.DiscoveryMethod)] = "How it was found",
        [nameof(CaseForm.FirstSeenAt)] = "First seen",
        [nameof(CaseForm.LastSeenAt)] = "Last seen",
        [nameof(CaseForm.RansomNotePresent)] = "Ransom note present",
        [nameof(CaseForm.OrganizationName)] = "Owner organisation",
        [nameof(CaseForm.OrganizationWebsite)] = "Owner website",
    };

    public static string For(string property) => Labels.GetValueOrDefault(property, property);
}
