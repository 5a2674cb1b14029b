using System.Text;
using DisclosureDesk.Features.Export;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// Every format under every profile, byte for byte, on one fixed case. On a mismatch the actual output is
/// written next to the test binary as <c>*.actual</c>, to be reviewed and copied over the golden file.
/// </summary>
public sealed class CaseExportGoldenTests
{
    public static TheoryData<ExportFormat, ExportProfile> All()
    {
        var data = new TheoryData<ExportFormat, ExportProfile>();
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            foreach (var profile in Enum.GetValues<ExportProfile>())
            {
                data.Add(format, profile);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Render_FixedCase_MatchesGoldenFile(ExportFormat format, ExportProfile profile)
    {
        var actual = Encoding.UTF8.GetString(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(profile), format, cancellationToken: TestContext.Current.CancellationToken));

        var name = ExportChoices.FileName("DD-2026-00001", format, profile);
        var path = Path.Combine(AppContext.BaseDirectory, "Features", "Export", "Golden", name);
        var expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected != actual)
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, name + ".actual"), actual);
        }
        Assert.Equal(expected, actual);
    }
}
