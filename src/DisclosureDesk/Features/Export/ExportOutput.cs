using System.Text;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// Where a formatter writes: a small in-memory chunk that is handed on to the destination with asynchronous
/// writes whenever it fills. ASP.NET Core's response body refuses synchronous writes, and the chunk bounds what
/// an export holds at once, however long the timeline.
/// </summary>
internal sealed class ExportOutput(Stream destination)
{
    public const int ChunkSize = 32 * 1024;

    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly MemoryStream _chunk = new(ChunkSize * 2);

    /// <summary>The chunk: formatters write to it synchronously (it is memory).</summary>
    public Stream Chunk => _chunk;

    public long Buffered => _chunk.Length;

    /// <summary>A text writer over the chunk; flush it before <see cref="SendAsync"/>.</summary>
    public StreamWriter CreateTextWriter() => new(_chunk, Utf8, bufferSize: 4096, leaveOpen: true) { NewLine = "\n" };

    /// <summary>Hands the chunk to the destination and flushes it there, so a reader sees these bytes now.</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_chunk.Length == 0)
        {
            return;
        }
        await destination.WriteAsync(_chunk.GetBuffer().AsMemory(0, (int)_chunk.Length), cancellationToken);
        await destination.FlushAsync(cancellationToken);
        _chunk.SetLength(0);
    }

    /// <summary>Sends the text written so far once the chunk is full; a formatter calls this after each event.</summary>
    public ValueTask SendWhenFullAsync(StreamWriter text, CancellationToken cancellationToken)
    {
        if (_chunk.Length < ChunkSize)
        {
            return ValueTask.CompletedTask;
        }
        text.Flush();
        return SendAsync(cancellationToken);
    }
}
