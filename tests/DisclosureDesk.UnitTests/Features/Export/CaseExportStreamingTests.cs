using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// Structural proof that every format streams: the events come from a sequence the test hands out one at a
/// time, and before it hands out the last one the destination must already hold the start of the export,
/// written in chunks no bigger than the formatter's buffer.
/// </summary>
public sealed class CaseExportStreamingTests
{
    private const int EventCount = 3_000;

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Markdown)]
    [InlineData(ExportFormat.Csv)]
    [InlineData(ExportFormat.Html)]
    [InlineData(ExportFormat.Csaf)]
    public async Task WriteAsync_LongTimeline_FlushesEarlyEventsBeforeTheSequenceEnds(ExportFormat format)
    {
        var (@case, events) = LongCase();
        var destination = new RecordingStream();
        var bytesBeforeLastEvent = -1L;
        var flushesBeforeLastEvent = -1;

        async IAsyncEnumerable<TimelineEvent> Lazily()
        {
            foreach (var e in events)
            {
                await Task.Yield();
                if (e.Sequence == EventCount && bytesBeforeLastEvent < 0)
                {
                    bytesBeforeLastEvent = destination.Length;
                    flushesBeforeLastEvent = destination.Flushes;
                }
                yield return e;
            }
        }

        var document = CaseExportDocument.Create(ExportProfile.Full, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, [], [], EventCount, _ => Lazily());
        await CaseExport.WriteAsync(document, format, destination, cancellationToken: TestContext.Current.CancellationToken);

        var written = Encoding.UTF8.GetString(destination.ToArray());
        var sentEarly = Encoding.UTF8.GetString(destination.ToArray(), 0, (int)bytesBeforeLastEvent);
        Assert.True(flushesBeforeLastEvent > 1, $"{format}: {flushesBeforeLastEvent} flush(es) before the last event");
        Assert.Contains("First step of many, #1.", sentEarly, StringComparison.Ordinal);
        Assert.True(destination.LargestWrite <= 2 * ExportOutput.ChunkSize, $"{format}: one write of {destination.LargestWrite:N0} bytes");
        Assert.Contains($"First step of many, #{EventCount}.", written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_DestinationRefusesSynchronousWrites_StillWritesTheWholeExport()
    {
        var (@case, events) = LongCase();
        var document = CaseExportDocument.Create(ExportProfile.Full, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, [], [], events);
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            var destination = new RecordingStream { RefuseSynchronousWrites = true };

            await CaseExport.WriteAsync(document, format, destination, cancellationToken: TestContext.Current.CancellationToken);

            // A calendar holds the case's dates, not its events: its whole file arriving is what counts there.
            var last = format == ExportFormat.Ics ? "END:VCALENDAR" : $"First step of many, #{EventCount}.";
            Assert.Contains(last, Encoding.UTF8.GetString(destination.ToArray()), StringComparison.Ordinal);
        }
    }

    private static (Case Case, List<TimelineEvent> Events) LongCase()
    {
        var @case = new Case { Id = 1, Reference = "DD-2026-00042", Title = "Long case", Host = "192.0.2.1", CreatedAt = ExportFixtures.GeneratedAt.AddDays(-10) };
        var events = new List<TimelineEvent>();
        for (var i = 1; i <= EventCount; i++)
        {
            ExportFixtures.Append(@case, events, @case.CreatedAt.AddMinutes(i), TimelineEventType.NoteAdded, EventVisibility.Public, $"First step of many, #{i}.");
        }
        return (@case, events);
    }

    /// <summary>A memory stream that counts flushes and, like ASP.NET Core's response body, can refuse synchronous writes.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public bool RefuseSynchronousWrites { get; init; }

        public int Flushes { get; private set; }

        public int LargestWrite { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (RefuseSynchronousWrites)
            {
                throw new InvalidOperationException("Synchronous operations are disallowed.");
            }
            Record(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (RefuseSynchronousWrites)
            {
                throw new InvalidOperationException("Synchronous operations are disallowed.");
            }
            Record(buffer.Length);
            base.Write(buffer);
        }

        // MemoryStream's own async methods call the synchronous ones; these go straight to its storage instead.
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Length);
            var bytes = buffer.ToArray();
            base.Write(bytes, 0, bytes.Length);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            if (RefuseSynchronousWrites)
            {
                throw new InvalidOperationException("Synchronous operations are disallowed.");
            }
            Flushes++;
        }

        private void Record(int count) => LargestWrite = Math.Max(LargestWrite, count);
    }
}
