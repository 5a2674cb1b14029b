using System.Buffers.Binary;
using System.Text;

namespace DisclosureDesk.Benchmarks.Features.Circuits;

/// <summary>
/// Reads as much of a Blazor Server render batch (the binary format of the framework's <c>RenderBatchWriter</c>,
/// read in the browser by the Blazor script) as the load test needs: the reference frames, which carry element
/// names, attributes with their event handler ids and texts, and the ids of disposed event handlers.
/// </summary>
/// <remarks>
/// Layout: sections, then a string table, then five little-endian int32 offsets (updated components, reference
/// frames, disposed component ids, disposed event handler ids, string table). Reference frames are a count and
/// 20 bytes a frame: the frame type, then 16 bytes whose meaning depends on it. Strings are BinaryWriter strings
/// (7-bit length, UTF-8) found through a table of int32 positions.
/// </remarks>
internal static class RenderBatchReader
{
    private const int FrameSize = 20;

    public enum FrameType
    {
        Element = 1,
        Text = 2,
        Attribute = 3,
        Markup = 8,
    }

    public readonly record struct Frame(FrameType Type, string? Name, string? Value, ulong EventHandlerId);

    public sealed record Batch(IReadOnlyList<Frame> ReferenceFrames, IReadOnlyList<ulong> DisposedEventHandlerIds);

    public static Batch Read(byte[] data)
    {
        var trailer = data.Length - 20;
        var referenceFramesOffset = Int(data, trailer + 4);
        var disposedEventHandlerIdsOffset = Int(data, trailer + 12);
        var stringTableOffset = Int(data, trailer + 16);

        var frames = new List<Frame>();
        var frameCount = Int(data, referenceFramesOffset);
        for (var i = 0; i < frameCount; i++)
        {
            var at = referenceFramesOffset + 4 + i * FrameSize;
            var type = (FrameType)Int(data, at);
            switch (type)
            {
                case FrameType.Element:
                    frames.Add(new Frame(type, String(data, stringTableOffset, Int(data, at + 8)), null, 0));
                    break;
                case FrameType.Text:
                case FrameType.Markup:
                    frames.Add(new Frame(type, null, String(data, stringTableOffset, Int(data, at + 4)), 0));
                    break;
                case FrameType.Attribute:
                    frames.Add(new Frame(type, String(data, stringTableOffset, Int(data, at + 4)),
                        String(data, stringTableOffset, Int(data, at + 8)), BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at + 12))));
                    break;
            }
        }

        var disposed = new List<ulong>();
        var disposedCount = Int(data, disposedEventHandlerIdsOffset);
        for (var i = 0; i < disposedCount; i++)
        {
            disposed.Add(BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(disposedEventHandlerIdsOffset + 4 + i * 8)));
        }
        return new Batch(frames, disposed);
    }

    private static int Int(byte[] data, int offset) => BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));

    private static string? String(byte[] data, int tableOffset, int index)
    {
        if (index < 0)
        {
            return null;
        }
        var position = Int(data, tableOffset + index * 4);
        var length = 0;
        var shift = 0;
        byte b;
        do
        {
            b = data[position++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return Encoding.UTF8.GetString(data, position, length);
    }
}
