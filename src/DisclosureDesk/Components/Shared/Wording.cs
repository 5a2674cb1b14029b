namespace DisclosureDesk.Components.Shared;

public static class Wording
{
    /// <summary>The noun for <paramref name="count"/> of it: "row" for 1, "rows" otherwise (regular plurals only).</summary>
    public static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";
}
