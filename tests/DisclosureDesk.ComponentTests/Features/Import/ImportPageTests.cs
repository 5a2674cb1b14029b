using Bunit;
using DisclosureDesk.Features.Import;
using Microsoft.AspNetCore.Components.Forms;

namespace DisclosureDesk.ComponentTests.Features.Import;

public sealed class ImportPageTests : ComponentTestBase
{
    [Fact]
    public async Task CheckFile_FileWithBadRows_ListsEachErrorWithItsLineAndRefusesImportWithoutConsent()
    {
        var file = "{\"ip_str\":\"198.51.100.1\",\"port\":27017}\n{\"ip_str\":\"198.51.100.2\",\"port\":70000}\n{\"port\":1}\n{\"ip_str\":\"198.51.100.3\",\"po";
        var page = Render<ImportPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(file, "scan.jsonl"));
        page.WaitForElement("button.btn-outline-primary");
        page.Find("button.btn-outline-primary").Click();

        page.WaitForAssertion(() => Assert.Equal(
            ["Line 2: The port '70000' is not between 1 and 65535.", "Line 3: No host: the row needs an IP address or hostname.", "Line 4: The last line is cut off: the file looks truncated."],
            page.FindAll(".import-errors li").Select(li => li.TextContent.Trim())));
        Assert.Contains("3 rows with errors", page.Find(".import-counts").TextContent, StringComparison.Ordinal);
        Assert.Equal("Import the valid rows and skip the 3 bad ones", page.Find("label[for=import-skip]").TextContent.Trim());

        page.Find(".import-preview button.btn-primary").Click();

        page.WaitForAssertion(() => Assert.Contains("3 rows have errors", page.Find(".alert-danger").TextContent, StringComparison.Ordinal));
        await using var db = CreateDbContext();
        Assert.Empty(db.Cases);
    }
}
