using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.UnitTests.Features.Cases;

public class EditCaseTests
{
    [Fact]
    public void Diff_EqualForms_IsEmpty()
    {
        Assert.Empty(EditCase.Handler.Diff(CaseForms.Valid(), CaseForms.Valid()));
    }

    [Fact]
    public void Diff_OneTextField_ListsOnlyThatFieldWithOldAndNew()
    {
        var after = CaseForms.Valid();
        after.Title = "Open MongoDB, 120k patients";

        var changes = EditCase.Handler.Diff(CaseForms.Valid(), after);

        Assert.Equal([new FieldChange("Title", "Open MongoDB with patient records", "Open MongoDB, 120k patients")], changes);
    }

    [Fact]
    public void Diff_EnumsWithDisplayNames_UsesTheDisplayNames()
    {
        var before = CaseForms.Valid();
        before.Service = ServiceEngine.MongoDB;
        before.AuthenticationState = ServiceAuthentication.None;
        var after = CaseForms.Valid();
        after.Service = ServiceEngine.S3Bucket;
        after.AuthenticationState = ServiceAuthentication.DefaultCredentials;

        var changes = EditCase.Handler.Diff(before, after);

        Assert.Equal(
            [
                new FieldChange("Service", "MongoDB", "S3-compatible bucket"),
                new FieldChange("Authentication", "No authentication", "Default or weak credentials"),
            ],
            changes);
    }

    [Fact]
    public void Diff_EnumWithoutDisplayName_UsesTheMemberName()
    {
        var after = CaseForms.Valid();
        after.Severity = Severity.Critical;

        var changes = EditCase.Handler.Diff(CaseForms.Valid(), after);

        Assert.Equal([new FieldChange("Severity", "High", "Critical")], changes);
    }

    [Fact]
    public void Diff_FlagsEnum_ListsTheSetFlagsByDisplayName()
    {
        var before = CaseForms.Valid();
        before.DataCategories = DataCategories.ContactDetails;
        var after = CaseForms.Valid();
        after.DataCategories = DataCategories.ContactDetails | DataCategories.Location | DataCategories.SpecialCategories;

        var changes = EditCase.Handler.Diff(before, after);

        Assert.Equal(
            [new FieldChange("Data categories", "Contact details", "Contact details, Location / GPS, Special categories (GDPR Art. 9)")],
            changes);
    }

    [Fact]
    public void Diff_NumbersDatesAndFlags_AreFormattedForTheTimeline()
    {
        var before = CaseForms.Valid();
        before.RecordCount = null;
        before.FirstSeenAt = null;
        var after = CaseForms.Valid();
        after.Port = 9200;
        after.RecordCount = 1_500_000;
        after.FirstSeenAt = new DateTime(2026, 1, 30, 17, 45, 0, DateTimeKind.Utc);
        after.RansomNotePresent = true;

        var changes = EditCase.Handler.Diff(before, after);

        Assert.Equal(
            [
                new FieldChange("Port", "27017", "9200"),
                new FieldChange("Record count", null, "1500000"),
                new FieldChange("First seen", null, "2026-01-30 17:45 UTC"),
                new FieldChange("Ransom note present", "no", "yes"),
            ],
            changes);
    }

    [Fact]
    public void Diff_ClearedOptionalField_RecordsNullAsTheNewValue()
    {
        var after = CaseForms.Valid();
        after.HostingProvider = null;

        var changes = EditCase.Handler.Diff(CaseForms.Valid(), after);

        Assert.Equal([new FieldChange("Hosting provider", "Example Hosting", null)], changes);
    }

    [Fact]
    public void Diff_EveryFieldChanged_ListsEveryFieldUnderItsLabel()
    {
        var before = CaseForms.Valid();
        var after = new CaseForm
        {
            Title = "t", Summary = "s", Severity = Severity.Low, Tags = "x", Service = ServiceEngine.Redis,
            Host = "h.example", Port = 1, Asn = "AS1", HostingProvider = "p",
            AuthenticationState = ServiceAuthentication.Required, DatabaseNames = "d", RecordCount = 1,
            RecordCountMethod = RecordCountMethod.Verified, DataCategories = DataCategories.Other, AffectedCountry = "DE",
            DiscoveryMethod = "m", FirstSeenAt = DateTime.UnixEpoch, LastSeenAt = DateTime.UnixEpoch,
            RansomNotePresent = true, OrganizationName = "o", OrganizationWebsite = "https://o.example",
        };

        var changes = EditCase.Handler.Diff(before, after);

        // A field missing here would be edited without leaving a trace in the timeline.
        Assert.Equal(
            [
                "Title", "Summary", "Severity", "Tags", "Service", "Host", "Port", "ASN", "Hosting provider",
                "Authentication", "Databases / indices", "Record count", "Record count method", "Data categories",
                "Country of affected people", "How it was found", "First seen", "Last seen", "Ransom note present",
                "Owner organisation", "Owner website",
            ],
            changes.Select(c => c.Field));
    }
}
