using DisclosureDesk.Infrastructure.Csv;

namespace DisclosureDesk.UnitTests.Infrastructure.Csv;

public sealed class CsvFieldsTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("a\nb", "\"a\nb\"")]
    [InlineData("2026-03", "2026-03")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("", "")]
    public void Field_Value_IsNeutralisedAndQuoted(string value, string expected)
    {
        Assert.Equal(expected, CsvFields.Field(value));
    }

    [Fact]
    public void WriteRow_Cells_JoinsFieldsWithCommasAndEndsWithCrLf()
    {
        using var writer = new StringWriter();

        CsvFields.WriteRow(writer, "a", "=b", "c\"d");

        Assert.Equal("a,'=b,\"c\"\"d\"\r\n", writer.ToString());
    }
}
