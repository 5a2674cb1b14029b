using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Import;

namespace DisclosureDesk.UnitTests.Features.Import;

public sealed class ImportPlanTests
{
    private static ImportRow Row(int line, string host, int port, string? asn, string? org) => new()
    {
        Line = line, Host = host, HostKey = host.ToLowerInvariant(), Port = port, Asn = asn, Organization = org,
        Service = ServiceEngine.MongoDB, SeenAt = new DateTime(2026, 3, line, 0, 0, 0, DateTimeKind.Utc),
    };

    private static readonly ImportRow[] Rows =
    [
        Row(1, "198.51.100.1", 27017, "AS1", "Alpha"),
        Row(2, "198.51.100.1", 9200, "AS1", "Alpha"),
        Row(3, "198.51.100.2", 27017, "AS1", "Beta"),
        Row(4, "198.51.100.3", 27017, null, null),
    ];

    [Theory]
    [InlineData(ImportGrouping.PerHost, 3)]
    [InlineData(ImportGrouping.PerAsn, 2)]
    [InlineData(ImportGrouping.PerOrganization, 3)]
    public void GroupRows_Grouping_GivesOneGroupPerOwnerAndHostsWithoutOneAlone(ImportGrouping grouping, int groups)
    {
        Assert.Equal(groups, ImportPlan.GroupRows(Rows, grouping).Count);
    }

    [Fact]
    public void GroupRows_PerAsn_TitlesNameTheAsnAndCountFindings()
    {
        var groups = ImportPlan.GroupRows(Rows, ImportGrouping.PerAsn);

        Assert.Equal("3 exposed services at AS1 (Alpha)", groups[0].Title);
        Assert.Equal("Exposed MongoDB at 198.51.100.3:27017", groups[1].Title);
    }

    [Fact]
    public void Form_Group_IsValidAndSpansTheFindingsDates()
    {
        var group = ImportPlan.GroupRows(Rows, ImportGrouping.PerAsn)[0];
        var form = ImportPlan.Form(group, new ImportRun { Id = 7, FileName = "scan.jsonl", Sha256 = new string('a', 64) });

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(form, new(form), results, true), string.Join(" ", results));
        Assert.Equal(("198.51.100.1", 27017, "AS1", "Alpha"), (form.Host, form.Port, form.Asn, form.HostingProvider));
        Assert.Equal(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), form.FirstSeenAt);
        Assert.Equal(new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc), form.LastSeenAt);
        Assert.Contains("- 198.51.100.1:9200 MongoDB, line 2", form.Summary, StringComparison.Ordinal);
        Assert.Contains("Import 7: scan.jsonl (SHA-256 aaaa", form.DiscoveryMethod, StringComparison.Ordinal);
    }
}
