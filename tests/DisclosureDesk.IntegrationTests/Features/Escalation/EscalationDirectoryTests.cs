using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Escalation;

/// <summary>
/// The directory escalations are addressed from: only administrators change it, bad entries are refused whole, and
/// retiring keeps the entry. The fixture's database is shared, so each test uses countries of its own.
/// </summary>
public abstract class EscalationDirectoryTests
{
    private readonly DisclosureDeskFactory _app;

    private EscalationDirectoryTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : EscalationDirectoryTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : EscalationDirectoryTests(app);

    private static ManageEscalationDirectory.Form Cert(string country, string email = "cert@ncsc.example.nl") => new()
    {
        Kind = AuthorityKind.NationalCert,
        CountryCode = country,
        Name = "  NCSC  ",
        Email = $" {email} ",
        Website = "https://www.ncsc.example.nl",
        Notes = "Reports in Dutch or English.",
    };

    [Fact]
    public async Task SaveAsync_ValidEntry_IsStoredNormalisedAndOfferedForItsCountry()
    {
        var admin = await _app.CreateAdministratorAsync("directory-add");

        var saved = await SaveAsync(null, Cert(" be "), admin);

        Assert.True(saved.Result.Succeeded, saved.Result.Summary);
        var offered = await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ForCountryAsync("be", AuthorityKind.NationalCert));
        var entry = Assert.Single(offered);
        Assert.Equal((saved.Value, "BE", "NCSC", "cert@ncsc.example.nl", admin.DisplayName), (entry.Id, entry.CountryCode, entry.Name, entry.Email, entry.UpdatedByName));
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, entry.CreatedAt);
        Assert.Empty(await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ForCountryAsync("BE", AuthorityKind.DataProtectionAuthority)));
    }

    [Fact]
    public async Task SaveAsync_ByResearcher_IsRefusedAndStoresNothing()
    {
        var researcher = await _app.CreateResearcherAsync("directory-researcher");

        var saved = await SaveAsync(null, Cert("AT"), researcher);

        Assert.False(saved.Result.Succeeded);
        Assert.Equal(ManageEscalationDirectory.Handler.AdministratorsOnly, saved.Result.Summary);
        Assert.False(await CountryHasEntriesAsync("AT"));
    }

    [Theory]
    [InlineData("XX", "cert@ncsc.example.nl", "https://www.ncsc.example.nl", "'XX' is not an ISO 3166 country code.")]
    [InlineData("Denmark", "cert@ncsc.example.nl", "https://www.ncsc.example.nl", "Use the two-letter ISO 3166 country code, e.g. NL.")]
    [InlineData("DK", "cert at ncsc", "https://www.ncsc.example.nl", "Enter one email address, like security@example.com.")]
    [InlineData("DK", "cert@ncsc.example.nl", "www.ncsc.example.nl", "Enter the website as a full URL, e.g. https://www.ncsc.nl.")]
    public async Task SaveAsync_BadInput_GivesTheReasonAndStoresNothing(string country, string email, string website, string expected)
    {
        var admin = await _app.CreateAdministratorAsync("directory-bad-" + country + email.Length + website.Length);
        var form = Cert(country, email);
        form.Website = website;

        var saved = await SaveAsync(null, form, admin);

        Assert.False(saved.Result.Succeeded);
        Assert.Equal(expected, saved.Result.Summary);
        Assert.False(await CountryHasEntriesAsync(country.Trim().ToUpperInvariant()));
    }

    [Fact]
    public async Task SaveAsync_SameAddressTwiceForOneCountryAndKind_IsRefusedButAnotherKindMayShareIt()
    {
        var admin = await _app.CreateAdministratorAsync("directory-duplicate");
        Assert.True((await SaveAsync(null, Cert("FI", "kirjaamo@example.fi"), admin)).Result.Succeeded);

        var again = await SaveAsync(null, Cert("fi", "KIRJAAMO@example.fi"), admin);
        var dpa = Cert("FI", "kirjaamo@example.fi");
        dpa.Kind = AuthorityKind.DataProtectionAuthority;
        var asAuthority = await SaveAsync(null, dpa, admin);

        Assert.Equal("FI already has a National CERT at KIRJAAMO@example.fi.", again.Result.Summary);
        Assert.True(asAuthority.Result.Succeeded, asAuthority.Result.Summary);
    }

    [Fact]
    public async Task SaveAsync_ExistingEntry_ReplacesItsDetailsAndRecordsWhoChangedIt()
    {
        var admin = await _app.CreateAdministratorAsync("directory-edit");
        var other = await _app.CreateAdministratorAsync("directory-editor");
        var id = (await SaveAsync(null, Cert("PT"), admin)).Value;
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var changed = Cert("PT", "cert@cncs.example.pt");
        changed.Name = "CERT.PT";

        var saved = await SaveAsync(id, changed, other);

        Assert.Equal(id, saved.Value);
        var entry = Assert.Single(await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ForCountryAsync("PT", AuthorityKind.NationalCert)));
        Assert.Equal(("CERT.PT", "cert@cncs.example.pt", other.DisplayName), (entry.Name, entry.Email, entry.UpdatedByName));
        Assert.True(entry.UpdatedAt > entry.CreatedAt);
    }

    [Fact]
    public async Task SetRetiredAsync_RetiredEntry_StaysListedButIsNotOfferedUntilRestored()
    {
        var admin = await _app.CreateAdministratorAsync("directory-retire");
        var id = (await SaveAsync(null, Cert("IE", "cert@example.ie"), admin)).Value;

        var retired = await _app.ExecuteAsync<ManageEscalationDirectory.Handler, CommandResult>(h => h.SetRetiredAsync(id, true, admin.Current));

        Assert.True(retired.Succeeded, retired.Summary);
        Assert.Empty(await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ForCountryAsync("IE", AuthorityKind.NationalCert)));
        var listed = Assert.Single(await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ListAsync()), a => a.Id == id);
        Assert.NotNull(listed.RetiredAt);

        // A replacement at the same address is allowed while the old one is retired; restoring the old one then clashes.
        Assert.True((await SaveAsync(null, Cert("IE", "cert@example.ie"), admin)).Result.Succeeded);
        var restored = await _app.ExecuteAsync<ManageEscalationDirectory.Handler, CommandResult>(h => h.SetRetiredAsync(id, false, admin.Current));
        Assert.Equal("IE already has a National CERT in use at cert@example.ie.", restored.Summary);
        Assert.Single(await _app.ExecuteAsync<ManageEscalationDirectory.Handler, IReadOnlyList<EscalationAuthority>>(h => h.ForCountryAsync("IE", AuthorityKind.NationalCert)));
    }

    private Task<CommandResult<int>> SaveAsync(int? id, ManageEscalationDirectory.Form form, TestUser user) =>
        _app.ExecuteAsync<ManageEscalationDirectory.Handler, CommandResult<int>>(h => h.SaveAsync(id, form, user.Current));

    private Task<bool> CountryHasEntriesAsync(string country) =>
        _app.ExecuteDbContextAsync(db => db.EscalationAuthorities.AnyAsync(a => a.CountryCode == country));
}
