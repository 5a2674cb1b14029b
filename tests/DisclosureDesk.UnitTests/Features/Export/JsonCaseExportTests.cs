using System.Diagnostics;
using System.Text.Json;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.UnitTests.Features.Export;

public sealed class JsonCaseExportTests
{
    [Fact]
    public async Task Render_FullProfile_ChainReVerifiesFromTheExportAlone()
    {
        using var json = JsonDocument.Parse(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Full), ExportFormat.Json, cancellationToken: TestContext.Current.CancellationToken));

        var (reference, events, headSequence, headHash) = Read(json.RootElement);
        var verification = AuditChain.Verify(reference, events, headSequence, headHash);

        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(6, verification.EventCount);
        Assert.True(json.RootElement.GetProperty("chain").GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task Render_FullProfileWithAnEventTextChanged_ChainNoLongerVerifies()
    {
        using var json = JsonDocument.Parse(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Full), ExportFormat.Json, cancellationToken: TestContext.Current.CancellationToken));
        var (reference, events, headSequence, headHash) = Read(json.RootElement);

        events[2].Text = "Notified nobody.";

        Assert.False(AuditChain.Verify(reference, events, headSequence, headHash).IsValid);
    }

    [Fact]
    public async Task Render_OwnerProfile_UnredactedEventsHashToTheirOwnHashesAndTheLastToTheHead()
    {
        using var json = JsonDocument.Parse(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Owner), ExportFormat.Json, cancellationToken: TestContext.Current.CancellationToken));
        var (reference, events, headSequence, headHash) = Read(json.RootElement);

        Assert.Equal([1, 3, 5, 6], events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal(e.Hash, AuditChain.ComputeHash(e, reference)));
        Assert.Equal((headSequence, headHash), (events[^1].Sequence, events[^1].Hash));
        Assert.False(json.RootElement.GetProperty("chain").GetProperty("complete").GetBoolean());
    }

    /// <summary>The script docs/export-format.md tells readers to run must agree with the app's own hashing.</summary>
    [Fact]
    public async Task DocumentedVerifyScript_EveryProfile_AcceptsTheExportAndRejectsATamperedOne()
    {
        var script = Path.Combine(RepositoryRoot(), "docs", "examples", "verify-export.py");
        Assert.SkipUnless(FindOnPath("python3") is not null, "python3 is not installed");
        foreach (var profile in Enum.GetValues<ExportProfile>())
        {
            var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.json");
            try
            {
                var bytes = await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(profile), ExportFormat.Json, cancellationToken: TestContext.Current.CancellationToken);
                await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
                var (exitCode, output) = await RunAsync(script, path);
                Assert.True(exitCode == 0, $"{profile}: {output}");
                Assert.StartsWith("OK: DD-2026-00001", output, StringComparison.Ordinal);

                var tampered = System.Text.Encoding.UTF8.GetString(bytes).Replace("for good", "for evil", StringComparison.Ordinal);
                await File.WriteAllTextAsync(path, tampered, TestContext.Current.CancellationToken);
                (exitCode, output) = await RunAsync(script, path);
                Assert.True(exitCode == 1, $"{profile} tampered: {output}");
                Assert.Contains("event #5 does not match its hash", output, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static (string Reference, List<TimelineEvent> Events, int HeadSequence, string HeadHash) Read(JsonElement root)
    {
        var events = root.GetProperty("events").EnumerateArray().Select(e => new TimelineEvent
        {
            Sequence = e.GetProperty("sequence").GetInt32(),
            OccurredAt = DateTime.Parse(e.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal),
            ActorId = e.GetProperty("actorId").GetString(),
            ActorName = e.GetProperty("actorName").GetString()!,
            Type = Enum.Parse<TimelineEventType>(e.GetProperty("type").GetString()!),
            Visibility = Enum.Parse<EventVisibility>(e.GetProperty("visibility").GetString()!),
            Text = e.GetProperty("text").GetString()!,
            Changes = e.GetProperty("changes").GetString(),
            PreviousHash = e.GetProperty("previousHash").GetString()!,
            Hash = e.GetProperty("hash").GetString()!,
        }).ToList();
        var chain = root.GetProperty("chain");
        return (root.GetProperty("case").GetProperty("reference").GetString()!, events, chain.GetProperty("headSequence").GetInt32(), chain.GetProperty("headHash").GetString()!);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string path)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, output + error);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DisclosureDesk.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}
