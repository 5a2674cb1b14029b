using System.Net;
using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Evidence;

/// <summary>The evidence vault: checked on the way in, encrypted at rest, logged on the way out, purged after retention.</summary>
public abstract class EvidenceTests
{
    private static readonly byte[] Screenshot =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. "IHDR patient-names-visible-in-this-screenshot"u8];

    private readonly DisclosureDeskFactory _app;

    private EvidenceTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : EvidenceTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : EvidenceTests(app);

    [Fact]
    public async Task AddThenDownload_Screenshot_IsEncryptedAtRestHashedInTheChainAndEachDownloadIsRecorded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var lead = await _app.CreateResearcherAsync("evidence");
        var reference = await _app.CreateCaseAsync(lead);

        var added = await AddAsync(reference, lead, "../../clinic dashboard.png", Screenshot, new ManageEvidence.Form { Description = "Kibana index list" });

        Assert.True(added.Succeeded, added.Summary);
        var file = Assert.Single((await ListAsync(reference, lead))!);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Screenshot));
        Assert.Equal(("clinic dashboard.png", "image/png", (long)Screenshot.Length, sha256), (file.FileName, file.ContentType, file.Length, file.Sha256));
        var ciphertext = await _app.ExecuteDbContextAsync(db => db.Set<EvidenceContent>().Where(c => c.EvidenceFileId == file.Id).Select(c => c.Ciphertext).SingleAsync(cancellationToken));
        Assert.Equal(-1, ciphertext.AsSpan().IndexOf("patient-names"u8));
        var timeline = await TimelineAsync(reference, lead);
        var recorded = Assert.Single(timeline, e => e.Type == TimelineEventType.EvidenceAdded);
        Assert.Equal(file.EventSequence, recorded.Sequence);
        Assert.Contains(sha256, recorded.Text, StringComparison.Ordinal);

        using var browser = await _app.SignInAsync(lead);
        using var response = await browser.GetAsync(new Uri($"/cases/{reference}/evidence/{file.Id}", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Screenshot, await response.Content.ReadAsByteArrayAsync(cancellationToken));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("clinic dashboard.png", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        var downloaded = Assert.Single(await TimelineAsync(reference, lead), e => e.Type == TimelineEventType.EvidenceAccessed);
        Assert.Contains(lead.DisplayName, downloaded.ActorName, StringComparison.Ordinal);
        Assert.True((await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current)))!.Chain.IsValid);
    }

    [Fact]
    public async Task Download_ByAStrangerOrAnonymously_IsRefusedAndNotRecorded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var lead = await _app.CreateResearcherAsync("evidence-private");
        var stranger = await _app.CreateResearcherAsync("evidence-stranger");
        var reference = await _app.CreateCaseAsync(lead);
        Assert.True((await AddAsync(reference, lead, "fields.csv", "field,count\nemail,120000\n"u8.ToArray())).Succeeded);
        var file = Assert.Single((await ListAsync(reference, lead))!);
        var url = new Uri($"/cases/{reference}/evidence/{file.Id}", UriKind.Relative);
        var before = (await TimelineAsync(reference, lead)).Count;

        using var strangerBrowser = await _app.SignInAsync(stranger);
        using var asStranger = await strangerBrowser.GetAsync(url, cancellationToken);
        using var anonymous = _app.CreateBrowser();
        using var asAnonymous = await anonymous.GetAsync(url, cancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, asAnonymous.StatusCode);
        Assert.Contains("/Account/Login", asAnonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Null(await ListAsync(reference, stranger));
        Assert.Equal(before, (await TimelineAsync(reference, lead)).Count);
    }

    [Fact]
    public async Task Add_RefusedUploads_StoreNothing()
    {
        var lead = await _app.CreateResearcherAsync("evidence-refused");
        var stranger = await _app.CreateResearcherAsync("evidence-intruder");
        var reference = await _app.CreateCaseAsync(lead);
        var before = (await TimelineAsync(reference, lead)).Count;

        var tooLarge = new byte[25 * 1024 * 1024 + 1];
        Screenshot.CopyTo(tooLarge, 0);
        Assert.Contains("larger than the 25 MB limit", (await AddAsync(reference, lead, "huge.png", tooLarge)).Summary, StringComparison.Ordinal);
        Assert.Contains("empty", (await AddAsync(reference, lead, "empty.txt", [])).Summary, StringComparison.Ordinal);
        Assert.Contains("not accepted", (await AddAsync(reference, lead, "page.html", "<script>alert(1)</script>"u8.ToArray())).Summary, StringComparison.Ordinal);
        var unredacted = await AddAsync(reference, lead, "sample.json", "{\"name\":\"Alice\"}"u8.ToArray(), new ManageEvidence.Form { Kind = EvidenceKind.RedactedSample });
        Assert.True(unredacted.Errors.ContainsKey(nameof(ManageEvidence.Form.Redacted)), unredacted.Summary);
        Assert.Equal(CommandResult.NotFound.Summary, (await AddAsync(reference, stranger, "shot.png", Screenshot)).Summary);

        Assert.Empty((await ListAsync(reference, lead))!);
        Assert.Equal(before, (await TimelineAsync(reference, lead)).Count);
    }

    [Fact]
    public async Task Purge_CaseClosedForTheRetentionPeriod_DeletesTheContentKeepsTheHashAndRecordsIt()
    {
        var lead = await _app.CreateResearcherAsync("retention");
        var closed = await _app.CreateCaseAsync(lead);
        var open = await _app.CreateCaseAsync(lead);
        var reopened = await _app.CreateCaseAsync(lead);
        foreach (var reference in new[] { closed, open, reopened })
        {
            Assert.True((await AddAsync(reference, lead, "shot.png", Screenshot)).Succeeded);
        }
        await RejectAsync(closed, lead);
        await RejectAsync(reopened, lead);

        _app.Time.Advance(TimeSpan.FromDays(50));
        Assert.True((await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h => h.ReopenAsync(reopened, "The owner re-exposed it", lead.Current))).Succeeded);
        _app.Time.Advance(TimeSpan.FromDays(39));
        await PurgeAsync();
        Assert.Null(Assert.Single((await ListAsync(closed, lead))!).PurgedAt);

        _app.Time.Advance(TimeSpan.FromDays(2));
        await PurgeAsync();
        await PurgeAsync();

        var purged = Assert.Single((await ListAsync(closed, lead))!);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, purged.PurgedAt);
        Assert.False(await _app.ExecuteDbContextAsync(db => db.Set<EvidenceContent>().AnyAsync(c => c.EvidenceFileId == purged.Id)));
        var purgeEvent = Assert.Single(await TimelineAsync(closed, lead), e => e.Type == TimelineEventType.EvidencePurged);
        Assert.Contains(purged.Sha256, purgeEvent.Text, StringComparison.Ordinal);
        Assert.Null(await _app.ExecuteAsync<ManageEvidence.Handler, ManageEvidence.Download?>(h => h.DownloadAsync(closed, purged.Id, lead.Current)));
        Assert.True((await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(closed, lead.Current)))!.Chain.IsValid);
        foreach (var kept in new[] { open, reopened })
        {
            var file = Assert.Single((await ListAsync(kept, lead))!);
            Assert.Null(file.PurgedAt);
            Assert.NotNull(await _app.ExecuteAsync<ManageEvidence.Handler, ManageEvidence.Download?>(h => h.DownloadAsync(kept, file.Id, lead.Current)));
        }
    }

    private Task<CommandResult> AddAsync(string reference, TestUser user, string fileName, byte[] content, ManageEvidence.Form? form = null) =>
        _app.ExecuteAsync<ManageEvidence.Handler, CommandResult>(h =>
            h.AddAsync(reference, form ?? new ManageEvidence.Form(), fileName, new MemoryStream(content), user.Current));

    private Task<IReadOnlyList<ManageEvidence.Entry>?> ListAsync(string reference, TestUser user) =>
        _app.ExecuteAsync<ManageEvidence.Handler, IReadOnlyList<ManageEvidence.Entry>?>(h => h.ListAsync(reference, user.Current));

    private async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(string reference, TestUser user) =>
        (await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), user.Current)))!.Events;

    private Task PurgeAsync() =>
        _app.ExecuteAsync<PurgeExpiredEvidenceJob, bool>(async job => { await job.RunAsync(CancellationToken.None); return true; });

    private async Task RejectAsync(string reference, TestUser lead)
    {
        var rejected = await _app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h => h.HandleAsync(reference,
            new ChangeCaseStatus.Command { NewStatus = CaseStatus.Rejected, RejectionReason = RejectionReason.Invalid }, lead.Current));
        Assert.True(rejected.Succeeded, rejected.Summary);
    }
}
