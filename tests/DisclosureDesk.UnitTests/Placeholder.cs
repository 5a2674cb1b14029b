namespace DisclosureDesk.UnitTests;

public class BuildCheck
{
    [Fact]
    public void Runs() => Assert.True(true);
}
