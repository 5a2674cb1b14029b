using DisclosureDesk.Features.Discovery;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

public sealed class SecurityTxtFetcherTests : IAsyncLifetime
{
    private LoopbackHttpsServer _server = null!;
    private DiscoveryHarness _harness = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpsServer.StartAsync();
        _harness = new DiscoveryHarness(_server);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<FetchedSecurityTxt> FetchAsync() =>
        _harness.Get<SecurityTxtFetcher>().FetchAsync("localhost", TestContext.Current.CancellationToken);

    [Fact]
    public async Task FetchAsync_WellKnownFile_IsParsedWithItsBytes()
    {
        var bytes = DiscoverySamples.Bytes("github-style.txt");
        _server.Serve("/.well-known/security.txt", bytes, "text/plain; charset=utf-8");

        var file = await FetchAsync();

        Assert.False(file.FromLegacyPath);
        Assert.Equal(new Uri("https://localhost/.well-known/security.txt"), file.Uri);
        Assert.Equal(["https://hackerone.com/github"], file.Document.Contacts);
        Assert.Equal(bytes, file.Content);
        Assert.Equal(["/.well-known/security.txt"], _server.Requests);
    }

    [Fact]
    public async Task FetchAsync_NoWellKnownFile_FallsBackToTheLegacyPath()
    {
        _server.Serve("/security.txt", DiscoverySamples.Text("google-style.txt"));

        var file = await FetchAsync();

        Assert.True(file.FromLegacyPath);
        Assert.Contains("mailto:security@google.com", file.Document.Contacts);
        Assert.Equal(["/.well-known/security.txt", "/security.txt"], _server.Requests);
    }

    [Fact]
    public async Task FetchAsync_HtmlSoftNotFound_IsNotTakenForAFile()
    {
        const string page = "<html><body>Contact: mailto:wrong@example.org</body></html>";
        _server.Serve("/.well-known/security.txt", page, "text/html");
        _server.Serve("/security.txt", page, "text/html");

        var error = await Assert.ThrowsAsync<FetchException>(FetchAsync);

        Assert.Contains("is text/html, not text/plain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_InvalidUtf8_IsAClearError()
    {
        _server.Serve("/.well-known/security.txt", [.. "Contact: mailto:a@example.org\nPolicy: "u8, 0xFF, 0xFE, .. "\n"u8], "text/plain");

        var error = await Assert.ThrowsAsync<FetchException>(FetchAsync);

        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_EnormousFile_IsRefusedAtTheCap()
    {
        _server.Serve("/.well-known/security.txt", new byte[1_000_000], "text/plain");

        var error = await Assert.ThrowsAsync<FetchException>(FetchAsync);

        Assert.Contains("over the 65536-byte limit", error.Message, StringComparison.Ordinal);
    }
}
