using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.UnitTests.Features.Cases;

public class CaseFormTests
{
    [Theory]
    [InlineData("192.0.2.10")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("2001:db8::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("::ffff:192.0.2.10")]
    [InlineData("db.example.com")]
    [InlineData("db.example.com.")]
    [InlineData("mongo-01.prod.example.org")]
    [InlineData("bücher.example")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("  db.example.com  ")]
    public void IsHost_AddressOrHostname_IsAccepted(string host)
    {
        Assert.True(HostNameAttribute.IsHost(host));
    }

    [Theory]
    [InlineData("http://x.com")]
    [InlineData("x.com/path")]
    [InlineData("x.com:27017")]
    [InlineData("192.0.2.10:27017")]
    [InlineData("[2001:db8::1]:27017")]
    [InlineData("[192.0.2.10]")]
    [InlineData("a b.com")]
    [InlineData("300.1.1.1")]
    [InlineData("256.256.256.256")]
    [InlineData("1.2.3.4444")]
    [InlineData("1.2.3")]
    [InlineData("010.0.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("a..com")]
    [InlineData(".example.com")]
    [InlineData("-db.example.com")]
    public void IsHost_NotABareHost_IsRefused(string host)
    {
        Assert.False(HostNameAttribute.IsHost(host));
    }

    [Fact]
    public void IsHost_LabelLength_AcceptsSixtyThreeRefusesSixtyFour()
    {
        Assert.True(HostNameAttribute.IsHost(new string('a', 63) + ".example"));
        Assert.False(HostNameAttribute.IsHost(new string('a', 64) + ".example"));
    }

    [Fact]
    public void IsHost_LongerThanADnsName_IsRefused()
    {
        var label = new string('a', 63);
        var host = string.Join('.', label, label, label, label, "example");

        Assert.True(host.Length > CaseLimits.HostLength);
        Assert.False(HostNameAttribute.IsHost(host));
    }

    [Theory]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("[2001:DB8:0000::0001]", "2001:db8::1")]
    [InlineData("2001:db8:0:0::1", "2001:db8::1")]
    [InlineData("db.example.com.", "db.example.com")]
    [InlineData("  Db.Example.com. ", "Db.Example.com")]
    [InlineData("192.0.2.10", "192.0.2.10")]
    public void Normalize_Host_StripsBracketsAndTrailingDotAndCanonicalisesIps(string host, string expected)
    {
        Assert.Equal(expected, HostNameAttribute.Normalize(host));
    }

    [Theory]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("Bücher.Example.", "bücher.example")]
    [InlineData("BÜCHER.example", "bücher.example")]
    [InlineData("DB.Example.com", "db.example.com")]
    [InlineData("[2001:DB8::1]", "2001:db8::1")]
    [InlineData("acme corp", "acme corp")]
    public void Key_SpellingsOfOneHost_AreTheSameKey(string host, string expected)
    {
        Assert.Equal(expected, HostNameAttribute.Key(host));
    }

    [Fact]
    public void Validate_ValidForm_HasNoErrors()
    {
        Assert.Empty(Validate(CaseForms.Valid()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Validate_PortOutOfRange_IsRefusedOnPort(int port)
    {
        var form = CaseForms.Valid();
        form.Port = port;

        AssertOnlyErrorOn(nameof(CaseForm.Port), form);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(65535)]
    public void Validate_PortAtBoundary_IsAccepted(int port)
    {
        var form = CaseForms.Valid();
        form.Port = port;

        Assert.Empty(Validate(form));
    }

    [Fact]
    public void Validate_NegativeRecordCount_IsRefusedOnRecordCount()
    {
        var form = CaseForms.Valid();
        form.RecordCount = -1;

        AssertOnlyErrorOn(nameof(CaseForm.RecordCount), form);
    }

    [Fact]
    public void Validate_TitleLongerThanTheColumn_IsRefusedOnTitle()
    {
        var form = CaseForms.Valid();
        form.Title = new string('t', CaseLimits.TitleLength);
        Assert.Empty(Validate(form));

        form.Title += "t";

        AssertOnlyErrorOn(nameof(CaseForm.Title), form);
    }

    [Fact]
    public void Validate_MissingTitle_IsRefusedOnTitle()
    {
        var form = CaseForms.Valid();
        form.Title = "  ";

        AssertOnlyErrorOn(nameof(CaseForm.Title), form);
    }

    [Fact]
    public void Validate_InvalidHost_IsRefusedOnHost()
    {
        var form = CaseForms.Valid();
        form.Host = "https://db.example.com/";

        AssertOnlyErrorOn(nameof(CaseForm.Host), form);
    }

    [Fact]
    public void Validate_LastSeenBeforeFirstSeen_IsRefusedOnLastSeenAt()
    {
        var form = CaseForms.Valid();
        form.LastSeenAt = form.FirstSeenAt!.Value.AddMinutes(-1);

        AssertOnlyErrorOn(nameof(CaseForm.LastSeenAt), form);
    }

    [Fact]
    public void Validate_LastSeenEqualToFirstSeen_IsAccepted()
    {
        var form = CaseForms.Valid();
        form.LastSeenAt = form.FirstSeenAt;

        Assert.Empty(Validate(form));
    }

    [Theory]
    [InlineData(nameof(CaseForm.Severity))]
    [InlineData(nameof(CaseForm.Service))]
    [InlineData(nameof(CaseForm.AuthenticationState))]
    [InlineData(nameof(CaseForm.RecordCountMethod))]
    [InlineData(nameof(CaseForm.DataCategories))]
    public void Validate_UndefinedEnumValue_IsRefusedOnThatMember(string member)
    {
        var form = CaseForms.Valid();
        var property = typeof(CaseForm).GetProperty(member)!;
        property.SetValue(form, Enum.ToObject(property.PropertyType, 1 << 20));

        AssertOnlyErrorOn(member, form);
    }

    [Theory]
    [InlineData("ASX1")]
    [InlineData("AS 123")]
    [InlineData("12345678901")]
    public void Validate_MalformedAsn_IsRefusedOnAsn(string asn)
    {
        var form = CaseForms.Valid();
        form.Asn = asn;

        AssertOnlyErrorOn(nameof(CaseForm.Asn), form);
    }

    [Theory]
    [InlineData("NLD")]
    [InlineData("N1")]
    public void Validate_CountryNotTwoLetters_IsRefusedOnAffectedCountry(string country)
    {
        var form = CaseForms.Valid();
        form.AffectedCountry = country;

        AssertOnlyErrorOn(nameof(CaseForm.AffectedCountry), form);
    }

    [Fact]
    public void Validate_TagOverFiftyCharacters_IsRefusedOnTags()
    {
        var form = CaseForms.Valid();
        form.Tags = "mongodb, " + new string('x', 51);

        AssertOnlyErrorOn(nameof(CaseForm.Tags), form);
    }

    [Fact]
    public void Parse_MixedCaseDuplicatesAndBothSeparators_DedupsCaseInsensitively()
    {
        var tags = TagList.Parse(" MongoDB, healthcare|mongodb ,, HealthCare |ransom ");

        Assert.Equal(["mongodb", "healthcare", "ransom"], tags);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , | ")]
    public void Parse_NoTags_IsEmptyAndFormatsAsEmpty(string? input)
    {
        var tags = TagList.Parse(input);

        Assert.Empty(tags);
        Assert.Equal("", TagList.Format(tags));
    }

    [Fact]
    public void Format_ThenParse_RoundTrips()
    {
        var tags = TagList.Parse("mongodb, Healthcare, ransom");

        var stored = TagList.Format(tags);

        Assert.Equal("|mongodb|healthcare|ransom|", stored);
        Assert.Equal(tags, TagList.Parse(stored));
    }

    [Fact]
    public void ApplyTo_Form_StoresNormalisedValues()
    {
        var form = CaseForms.Valid();
        form.Title = "  Open MongoDB  ";
        form.Summary = "   ";
        form.Host = "[2001:DB8::1]";
        form.Asn = "12345";
        form.AffectedCountry = "nl";
        form.Tags = "MongoDB, mongodb, Health";
        form.OrganizationName = " Example Clinic ";
        var @case = new Case();

        form.ApplyTo(@case);

        Assert.Equal("Open MongoDB", @case.Title);
        Assert.Null(@case.Summary);
        Assert.Equal("2001:db8::1", @case.Host);
        Assert.Equal("AS12345", @case.Asn);
        Assert.Equal("NL", @case.AffectedCountry);
        Assert.Equal("|mongodb|health|", @case.Tags);
        Assert.Equal("Example Clinic", @case.OrganizationName);
        Assert.Equal("example clinic", @case.OrganizationKey);
    }

    [Theory]
    [InlineData("DB.Example.COM.", "DB.Example.COM", "db.example.com")]
    [InlineData("BÜCHER.example", "BÜCHER.example", "bücher.example")]
    public void ApplyTo_Host_KeepsSpellingAndLowerCasesTheKey(string input, string host, string hostKey)
    {
        var form = CaseForms.Valid();
        form.Host = input;
        var @case = new Case();

        form.ApplyTo(@case);

        Assert.Equal(host, @case.Host);
        Assert.Equal(hostKey, @case.HostKey);
    }

    [Theory]
    [InlineData("12345", "AS12345")]
    [InlineData("AS12345", "AS12345")]
    [InlineData(" AS64500 ", "AS64500")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void ApplyTo_Asn_IsStoredWithTheAsPrefix(string? input, string? expected)
    {
        var form = CaseForms.Valid();
        form.Asn = input;
        var @case = new Case();

        form.ApplyTo(@case);

        Assert.Equal(expected, @case.Asn);
    }

    [Fact]
    public void From_AppliedForm_GivesBackTheNormalisedForm()
    {
        var @case = new Case();
        CaseForms.Valid().ApplyTo(@case);

        var form = CaseForm.From(@case);

        Assert.Equal("mongodb, healthcare", form.Tags);
        Assert.Equal("db.example.com", form.Host);
        Assert.Empty(Validate(form));
    }

    private static List<ValidationResult> Validate(CaseForm form)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true);
        return results;
    }

    private static void AssertOnlyErrorOn(string member, CaseForm form)
    {
        var error = Assert.Single(Validate(form));
        Assert.Equal([member], error.MemberNames);
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorMessage));
    }
}
