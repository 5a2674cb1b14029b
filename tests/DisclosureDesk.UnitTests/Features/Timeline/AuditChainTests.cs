using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.UnitTests.Features.Timeline;

public class AuditChainTests
{
    private const string Reference = "DD-2026-00001";
    private const int ChainLength = 5;

    // Sub-microsecond ticks on purpose: the chain must survive PostgreSQL's microsecond storage.
    private static readonly DateTime Start = new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc).AddTicks(1_234_567);

    [Fact]
    public void Verify_IntactChain_IsValid()
    {
        var (@case, events) = BuildChain();

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        Assert.Equal(new ChainVerification(true, ChainLength, null, null, null), result);
    }

    [Fact]
    public void Verify_EventsGivenOutOfOrder_IsValid()
    {
        var (@case, events) = BuildChain();

        var result = AuditChain.Verify(Reference, [events[3], events[0], events[4], events[2], events[1]], @case.LastEventSequence, @case.LastEventHash);

        Assert.True(result.IsValid, result.Problem);
    }

    [Fact]
    public void Verify_AlteredText_NamesTheAlteredEvent()
    {
        var (@case, events) = BuildChain();
        events[2].Text = "Owner never notified.";

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[2], "altered");
    }

    [Fact]
    public async Task VerifyAsync_StreamedChain_GivesTheSameVerdictsAsVerify()
    {
        var (@case, events) = BuildChain();
        Assert.Equal(new ChainVerification(true, ChainLength, null, null, null),
            await AuditChain.VerifyAsync(Reference, events.ToAsyncEnumerable(), @case.LastEventSequence, @case.LastEventHash, TestContext.Current.CancellationToken));

        events[3].Text = "Owner never notified.";
        var streamed = await AuditChain.VerifyAsync(Reference, events.ToAsyncEnumerable(), @case.LastEventSequence, @case.LastEventHash, TestContext.Current.CancellationToken);

        AssertBrokenAt(streamed, events[3], "altered");
        Assert.Equal(AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash), streamed);
    }

    [Fact]
    public void Verify_AlteredOccurredAtByOneMicrosecond_NamesTheAlteredEvent()
    {
        var (@case, events) = BuildChain();
        events[1].OccurredAt = events[1].OccurredAt.AddMicroseconds(1);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[1], "altered");
    }

    [Fact]
    public void Verify_AlteredEventWithRecomputedHash_BreaksTheLinkOfTheNextEvent()
    {
        var (@case, events) = BuildChain();
        events[2].Text = "Owner never notified.";
        events[2].Hash = AuditChain.ComputeHash(events[2], Reference);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[3], "link");
    }

    [Fact]
    public void Verify_RemovedMiddleEvent_NamesTheMissingAndTheFoundSequence()
    {
        var (@case, events) = BuildChain();
        var afterGap = events[3];
        events.RemoveAt(2);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        Assert.False(result.IsValid);
        Assert.Equal(afterGap.Sequence, result.BrokenSequence);
        Assert.Equal(afterGap.Id, result.BrokenEventId);
        Assert.Equal(2, result.EventCount);
        Assert.Contains("expected event #3 but found #4", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_RemovedFirstEvent_IsBrokenAtTheNewFirstEvent()
    {
        var (@case, events) = BuildChain();
        events.RemoveAt(0);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        Assert.False(result.IsValid);
        Assert.Equal(2, result.BrokenSequence);
        Assert.Equal(0, result.EventCount);
    }

    [Fact]
    public void Verify_SwappedSequenceNumbers_NamesTheFirstOutOfPlaceEvent()
    {
        var (@case, events) = BuildChain();
        (events[1].Sequence, events[2].Sequence) = (events[2].Sequence, events[1].Sequence);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        // The event now at position 2 is the former third one; its link points past the event it follows.
        Assert.False(result.IsValid);
        Assert.Equal(2, result.BrokenSequence);
        Assert.Equal(events[2].Id, result.BrokenEventId);
        Assert.Contains("link", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_RemovedLastEvent_ReportsTheHeadMismatch()
    {
        var (@case, events) = BuildChain();
        events.RemoveAt(events.Count - 1);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        Assert.False(result.IsValid);
        Assert.Equal(ChainLength - 1, result.EventCount);
        Assert.Null(result.BrokenSequence);
        Assert.Equal($"the case records {ChainLength} events but {ChainLength - 1} were found: events were removed from the end", result.Problem);
    }

    [Fact]
    public void Verify_LastEventReplacedWithValidHash_IsCaughtByTheHeadWithoutClaimingRemoval()
    {
        var (@case, events) = BuildChain();
        var last = events[^1];
        last.Text = "Owner acknowledged.";
        last.Hash = AuditChain.ComputeHash(last, Reference);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        Assert.False(result.IsValid);
        Assert.Equal(ChainLength, result.EventCount);
        Assert.Equal($"event #{ChainLength} does not match the case's recorded head: it was replaced, or the head was changed", result.Problem);
    }

    [Fact]
    public void Verify_EventsBeyondTheRecordedHead_IsBrokenWithoutClaimingRemoval()
    {
        var (@case, events) = BuildChain();

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence - 1, events[^2].Hash);

        Assert.False(result.IsValid);
        Assert.Equal($"the case records {ChainLength - 1} events but {ChainLength} were found: events were added without moving the case's head", result.Problem);
    }

    [Fact]
    public void Verify_ChangedPreviousHash_NamesThatEvent()
    {
        var (@case, events) = BuildChain();
        events[3].PreviousHash = events[1].Hash;

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[3], "link");
    }

    [Fact]
    public void Verify_FirstEventNotLinkedToGenesis_NamesTheFirstEvent()
    {
        var (@case, events) = BuildChain();
        events[0].PreviousHash = new string('f', 64);
        events[0].Hash = AuditChain.ComputeHash(events[0], Reference);

        var result = AuditChain.Verify(Reference, events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[0], "link");
    }

    [Fact]
    public void Verify_ChainCheckedUnderAnotherCaseReference_IsBrokenAtTheFirstEvent()
    {
        var (@case, events) = BuildChain();

        var result = AuditChain.Verify("DD-2026-00002", events, @case.LastEventSequence, @case.LastEventHash);

        AssertBrokenAt(result, events[0], "altered");
    }

    [Fact]
    public void Append_SeveralEvents_LinkEachToThePreviousAndMoveTheCaseHead()
    {
        var (@case, events) = BuildChain();

        Assert.Equal(AuditChain.GenesisHash, events[0].PreviousHash);
        Assert.All(events.Skip(1), (e, i) => Assert.Equal(events[i].Hash, e.PreviousHash));
        Assert.Equal(ChainLength, @case.LastEventSequence);
        Assert.Equal(events[^1].Hash, @case.LastEventHash);
        Assert.Equal(events[^1].OccurredAt, @case.UpdatedAt);
    }

    [Fact]
    public void TruncateToStoredPrecision_SubMicrosecondTicks_AreDroppedAndKindIsUtc()
    {
        var truncated = AuditChain.TruncateToStoredPrecision(Start);

        Assert.Equal(0, truncated.Ticks % TimeSpan.TicksPerMicrosecond);
        Assert.InRange(Start - truncated, TimeSpan.Zero, TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond - 1));
        Assert.Equal(DateTimeKind.Utc, truncated.Kind);
        Assert.Equal(truncated, AuditChain.TruncateToStoredPrecision(truncated));
    }

    [Fact]
    public void Append_OccurredAtThroughMicrosecondStorage_KeepsValueAndHash()
    {
        var (_, events) = BuildChain();
        var e = events[0];

        // What PostgreSQL's timestamptz hands back for the stored instant.
        var fromPostgres = new DateTime(e.OccurredAt.Ticks / TimeSpan.TicksPerMicrosecond * TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
        Assert.Equal(e.OccurredAt, fromPostgres);

        e.OccurredAt = fromPostgres;
        Assert.Equal(e.Hash, AuditChain.ComputeHash(e, Reference));
    }

    [Theory]
    [InlineData("alice\",\"", "note", "alice", "\",\"note")]
    [InlineData("alice|", "note", "alice", "|note")]
    [InlineData("alice,", "note", "alice", ",note")]
    [InlineData("alice\\", "\"note", "alice\\\"", "note")]
    public void ComputeHash_SeparatorMovedBetweenFields_HashesDiffer(string actorA, string textA, string actorB, string textB)
    {
        var a = Event(actorA, textA);
        var b = Event(actorB, textB);

        Assert.NotEqual(AuditChain.ComputeHash(a, Reference), AuditChain.ComputeHash(b, Reference));
    }

    [Fact]
    public void ComputeHash_SeparatorMovedBetweenTextAndChanges_HashesDiffer()
    {
        var a = Event("alice", "Changed Title.\",\"[]");
        var b = Event("alice", "Changed Title.");
        b.Changes = "[]";

        Assert.NotEqual(AuditChain.ComputeHash(a, Reference), AuditChain.ComputeHash(b, Reference));
    }

    private static TimelineEvent Event(string actorName, string text) => new()
    {
        Sequence = 1,
        OccurredAt = AuditChain.TruncateToStoredPrecision(Start),
        ActorId = "user-1",
        ActorName = actorName,
        Type = TimelineEventType.NoteAdded,
        Text = text,
        PreviousHash = AuditChain.GenesisHash,
    };

    private static void AssertBrokenAt(ChainVerification result, TimelineEvent expected, string problemWord)
    {
        Assert.False(result.IsValid);
        Assert.Equal(expected.Sequence, result.BrokenSequence);
        Assert.Equal(expected.Id, result.BrokenEventId);
        Assert.Equal(expected.Sequence - 1, result.EventCount);
        Assert.StartsWith($"event #{expected.Sequence} (id {expected.Id}): ", result.Problem, StringComparison.Ordinal);
        Assert.Contains(problemWord, result.Problem, StringComparison.Ordinal);
    }

    /// <summary>A chain written by the app's own append path; the context only tracks, it never opens a connection.</summary>
    private static (Case Case, List<TimelineEvent> Events) BuildChain()
    {
        var options = DataServiceCollectionExtensions.BuildOptions(new DatabaseOptions { ConnectionString = "Data Source=:memory:" }, ".");
        using var db = new SqliteAppDbContext(options);
        var @case = new Case { Id = 7, Reference = Reference };
        var actor = new Actor("user-1", "Alice Researcher");
        var events = new List<TimelineEvent>
        {
            CaseTimeline.Append(db, @case, actor, Start, TimelineEventType.CaseCreated, "Case created."),
            CaseTimeline.Append(db, @case, actor, Start.AddMinutes(5), TimelineEventType.FieldsChanged, "Changed Title.",
                changes: [new FieldChange("Title", "Open MongoDB", "Open MongoDB at example.com")]),
            CaseTimeline.Append(db, @case, actor, Start.AddHours(1), TimelineEventType.StatusChanged, "Triaged → Owner identified.", EventVisibility.Owner),
            CaseTimeline.Append(db, @case, Actor.System, Start.AddDays(1), TimelineEventType.NoteAdded, "Notification sent."),
            CaseTimeline.Append(db, @case, actor, Start.AddDays(2), TimelineEventType.NoteAdded, "Reminder sent.", EventVisibility.Public),
        };
        foreach (var e in events)
        {
            // The database would assign these; they only matter for the messages under test.
            e.Id = 100 + e.Sequence;
        }
        return (@case, events);
    }
}
