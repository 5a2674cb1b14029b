using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DisclosureDesk.Components.Shared;

public static class Wording
{
    /// <summary>The noun for <paramref name="count"/> of it: "row" for 1, "rows" otherwise (regular plurals only).</summary>
    public static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    /// <summary><paramref name="count"/> with its thousands grouped, and the noun: "1 row", "19,998 rows".</summary>
    public static string Count(int count, string noun) => $"{Number(count)} {Plural(count, noun)}";

    /// <summary><paramref name="count"/> with its thousands grouped as the reader's culture groups them: an import counts in tens of thousands.</summary>
    public static string Number(int count) => count.ToString("N0", CultureInfo.CurrentCulture);

    /// <summary><paramref name="text"/> cut to at most <paramref name="length"/> characters, an ellipsis marking the cut.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Clip(string? text, int length) =>
        text is null || text.Length <= length ? text : text[..(length - 1)] + "…";
}
