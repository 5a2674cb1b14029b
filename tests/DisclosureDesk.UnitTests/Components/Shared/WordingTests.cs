using System.Globalization;
using DisclosureDesk.Components.Shared;

namespace DisclosureDesk.UnitTests.Components.Shared;

public sealed class WordingTests
{
    [Theory]
    [InlineData(0, "en-GB", "0 rows")]
    [InlineData(1, "en-GB", "1 row")]
    [InlineData(19_998, "en-GB", "19,998 rows")]
    [InlineData(100_000, "de-DE", "100.000 rows")]
    public void Count_GroupsThousandsAsTheCultureDoesAndPluralisesTheNoun(int count, string culture, string expected)
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Equal(expected, Wording.Count(count, "row"));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly10!", 10, "exactly10!")]
    [InlineData("one too long", 11, "one too lo…")]
    public void Clip_CutsOnlyWhatIsTooLongAndMarksTheCut(string text, int length, string expected) =>
        Assert.Equal(expected, Wording.Clip(text, length));
}
