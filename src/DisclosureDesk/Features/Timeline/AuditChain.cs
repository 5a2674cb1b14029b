using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DisclosureDesk.Features.Timeline;

/// <summary>The hash chain over a case's timeline: how an event is hashed and how a chain is checked.</summary>
public static class AuditChain
{
    /// <summary>The previous hash of a case's first event.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>
    /// PostgreSQL keeps microseconds and SQLite keeps ticks; an instant is truncated to what both keep
    /// before it is hashed, or a chain written on one would not verify after a round trip through the other.
    /// </summary>
    public static DateTime TruncateToStoredPrecision(DateTime instant) =>
        new(instant.Ticks - instant.Ticks % 10, DateTimeKind.Utc);

    /// <summary>
    /// SHA-256 over a JSON array of the event's fields in a fixed order. A JSON array is used because
    /// its escaping is unambiguous: no choice of text can make two different events serialise alike.
    /// </summary>
    public static string ComputeHash(TimelineEvent e, string caseReference)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            1,
            caseReference,
            e.Sequence,
            e.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            e.ActorId,
            e.ActorName,
            e.Type.ToString(),
            e.Visibility.ToString(),
            e.Text,
            e.Changes,
            e.PreviousHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

    /// <summary>Checks a case's events (in any order) against each other and against the case's recorded head.</summary>
    public static ChainVerification Verify(string caseReference, IEnumerable<TimelineEvent> events, int headSequence, string headHash)
    {
        var walk = new ChainWalk(caseReference);
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            if (walk.Step(e) is { } broken)
            {
                return broken;
            }
        }
        return walk.End(headSequence, headHash);
    }

    /// <summary>
    /// The same check over events already in sequence order, read one at a time, so a timeline of any length is
    /// verified without holding it in memory.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(
        string caseReference, IAsyncEnumerable<TimelineEvent> eventsInSequenceOrder, int headSequence, string headHash, CancellationToken cancellationToken = default)
    {
        var walk = new ChainWalk(caseReference);
        await foreach (var e in eventsInSequenceOrder.WithCancellation(cancellationToken))
        {
            if (walk.Step(e) is { } broken)
            {
                return broken;
            }
        }
        return walk.End(headSequence, headHash);
    }

    private sealed class ChainWalk(string caseReference)
    {
        private string _expectedPrevious = GenesisHash;
        private int _expectedSequence = 1;

        public ChainVerification? Step(TimelineEvent e)
        {
            if (e.Sequence != _expectedSequence)
            {
                return ChainVerification.Broken(e, _expectedSequence - 1, $"expected event #{_expectedSequence} but found #{e.Sequence}: an event is missing");
            }
            if (!string.Equals(e.PreviousHash, _expectedPrevious, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(e, _expectedSequence - 1, "its link to the previous event does not match");
            }
            if (!string.Equals(ComputeHash(e, caseReference), e.Hash, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(e, _expectedSequence - 1, "its content does not match its hash (the event was altered)");
            }
            _expectedPrevious = e.Hash;
            _expectedSequence++;
            return null;
        }

        public ChainVerification End(int headSequence, string headHash)
        {
            var count = _expectedSequence - 1;
            if (count < headSequence)
            {
                return new ChainVerification(false, count, null, null,
                    $"the case records {headSequence} events but {count} were found: events were removed from the end");
            }
            if (count > headSequence)
            {
                return new ChainVerification(false, count, null, null,
                    $"the case records {headSequence} events but {count} were found: events were added without moving the case's head");
            }
            if (!string.Equals(_expectedPrevious, headHash, StringComparison.Ordinal))
            {
                // Re-hashing the last event needs no later link to be forged, so only the recorded head catches it.
                return new ChainVerification(false, count, null, null,
                    $"event #{count} does not match the case's recorded head: it was replaced, or the head was changed");
            }
            return new ChainVerification(true, count, null, null, null);
        }
    }
}

public sealed record ChainVerification(bool IsValid, int EventCount, long? BrokenEventId, int? BrokenSequence, string? Problem)
{
    internal static ChainVerification Broken(TimelineEvent e, int intactEvents, string problem) =>
        new(false, intactEvents, e.Id, e.Sequence, $"event #{e.Sequence} (id {e.Id}): {problem}");
}
