using System.Text;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Splits a file into lines as bytes and decodes each one on its own, strictly, so a wrong encoding is reported on the
/// line it is on instead of being replaced by U+FFFD (a StreamReader decodes whole buffers and would blame, or mangle,
/// other lines). Lines longer than <see cref="MaxLineBytes"/> are reported and skipped, so one huge line cannot
/// exhaust memory.
/// </summary>
public static class ScanLines
{
    public const int MaxLineBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One physical line: its text (null when it could not be decoded), or why not; <c>Last</c> without a line break.</summary>
    public readonly record struct Line(int Number, string? Text, string? Error, bool Unterminated);

    public static IEnumerable<Line> Read(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        var number = 0;
        var tooLong = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }
                if (!tooLong)
                {
                    line.Write(buffer, start, i - start);
                }
                yield return Decode(++number, line, tooLong, unterminated: false);
                line.SetLength(0);
                tooLong = false;
                start = i + 1;
            }
            if (!tooLong)
            {
                line.Write(buffer, start, read - start);
                if (line.Length > MaxLineBytes)
                {
                    tooLong = true;
                    line.SetLength(0);
                }
            }
        }
        if (line.Length > 0 || tooLong)
        {
            yield return Decode(++number, line, tooLong, unterminated: true);
        }
    }

    private static Line Decode(int number, MemoryStream bytes, bool tooLong, bool unterminated)
    {
        if (tooLong || bytes.Length > MaxLineBytes)
        {
            return new Line(number, null, $"The line is longer than {MaxLineBytes / 1024} KiB.", unterminated);
        }
        var span = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        if (number == 1 && span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }
        if (span.EndsWith("\r"u8))
        {
            span = span[..^1];
        }
        try
        {
            return new Line(number, StrictUtf8.GetString(span), null, unterminated);
        }
        catch (DecoderFallbackException invalid)
        {
            return new Line(number, null,
                $"Not valid UTF-8 (byte {invalid.Index + 1} of the line): save the file as UTF-8.", unterminated);
        }
    }
}
