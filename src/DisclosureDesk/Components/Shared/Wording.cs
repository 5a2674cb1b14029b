using System.Diagnostics.CodeAnalysis;

namespace DisclosureDesk.Components.Shared;

public static class Wording
{
    /// <summary>The noun for <paramref name="count"/> of it: "row" for 1, "rows" otherwise (regular plurals only).</summary>
    public static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    /// <summary><paramref name="text"/> cut to at most <paramref name="length"/> characters, an ellipsis marking the cut.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Clip(string? text, int length) =>
        text is null || text.Length <= length ? text : text[..(length - 1)] + "…";
}
