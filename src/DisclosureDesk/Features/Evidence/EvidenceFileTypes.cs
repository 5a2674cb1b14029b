using System.Text;

namespace DisclosureDesk.Features.Evidence;

/// <summary>
/// Decides what an uploaded file is from its bytes, and which names are safe to show. Only formats a
/// researcher needs as evidence are accepted: images, PDF, and UTF-8 text; never archives (bombs),
/// HTML or SVG (script), or executables.
/// </summary>
public static class EvidenceFileTypes
{
    private sealed record BinaryType(string ContentType, string[] Extensions, Func<ReadOnlyMemory<byte>, bool> Matches);

    private static readonly BinaryType[] BinaryTypes =
    [
        new("image/png", [".png"], b => b.Span.StartsWith((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])),
        new("image/jpeg", [".jpg", ".jpeg"], b => b.Span.StartsWith((byte[])[0xFF, 0xD8, 0xFF])),
        new("image/gif", [".gif"], b => b.Span.StartsWith("GIF87a"u8) || b.Span.StartsWith("GIF89a"u8)),
        new("image/webp", [".webp"], b => b.Length >= 12 && b.Span.StartsWith("RIFF"u8) && b.Span[8..12].SequenceEqual("WEBP"u8)),
        new("application/pdf", [".pdf"], b => b.Span.StartsWith("%PDF-"u8)),
    ];

    private static readonly Dictionary<string, string> TextTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain",
        [".log"] = "text/plain",
        [".md"] = "text/markdown",
        [".csv"] = "text/csv",
        [".json"] = "application/json",
        [".eml"] = "message/rfc822",
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public const string Accepted = "PNG, JPEG, GIF, WebP, PDF, or UTF-8 text (.txt, .log, .md, .csv, .json, .eml)";

    /// <summary>The content type of <paramref name="content"/> named <paramref name="fileName"/>, or the reason it is refused.</summary>
    public static (string? ContentType, string? Refusal) Identify(string fileName, ReadOnlyMemory<byte> content)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (BinaryTypes.FirstOrDefault(t => t.Matches(content)) is { } binary)
        {
            return binary.Extensions.Contains(extension)
                ? (binary.ContentType, null)
                : (null, $"The file's content is {binary.ContentType}, but its name ends in '{extension}'. Rename it to {binary.Extensions[0]}.");
        }
        if (!TextTypes.TryGetValue(extension, out var textType))
        {
            return (null, $"Files of this kind are not accepted. Upload {Accepted}.");
        }
        if (!IsPlainText(content.Span))
        {
            return (null, $"A '{extension}' file must be UTF-8 text without control characters; this one is not.");
        }
        return (textType, null);
    }

    private static bool IsPlainText(ReadOnlySpan<byte> content)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n' or '\f'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The kind a file of this name most often is, offered until the researcher picks one, so that a CSV of field
    /// names is not filed as a screenshot because that happens to be the first choice. Never a redacted sample:
    /// that kind asks for a confirmation, which only the researcher can give.
    /// </summary>
    public static EvidenceKind LikelyKind(string? fileName) => Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
    {
        ".png" or ".jpg" or ".jpeg" or ".gif" or ".webp" => EvidenceKind.Screenshot,
        ".csv" or ".json" => EvidenceKind.FieldList,
        ".txt" or ".log" => EvidenceKind.ScanOutput,
        ".eml" => EvidenceKind.Correspondence,
        _ => EvidenceKind.Other,
    };

    /// <summary>
    /// The last segment of whatever the browser sent, with separators, control and reserved characters
    /// removed, so that it is only ever a label: files are stored by id, never by name.
    /// </summary>
    public static string SafeDisplayName(string? fileName)
    {
        var lastSegment = (fileName ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var cleaned = new StringBuilder(lastSegment.Length);
        foreach (var c in lastSegment)
        {
            if (!char.IsControl(c) && c is not ('<' or '>' or ':' or '"' or '|' or '?' or '*') && c is not ('\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068' or '\u2069'))
            {
                cleaned.Append(c);
            }
        }
        var name = cleaned.ToString().Trim().Trim('.').Trim();
        if (name.Length == 0)
        {
            return "evidence";
        }
        if (name.Length > EvidenceLimits.FileNameLength)
        {
            var extension = Path.GetExtension(name);
            extension = extension.Length > 16 ? "" : extension;
            name = name[..(EvidenceLimits.FileNameLength - extension.Length)] + extension;
        }
        return name;
    }
}
