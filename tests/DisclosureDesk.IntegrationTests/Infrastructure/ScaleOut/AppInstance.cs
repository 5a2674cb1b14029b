using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DisclosureDesk.IntegrationTests.Features.Notifications;

namespace DisclosureDesk.IntegrationTests.Infrastructure.ScaleOut;

/// <summary>
/// The built app (<c>dotnet DisclosureDesk.dll</c>) running as a process of its own on Kestrel, configured through
/// environment variables as an operator would, so that it shares nothing with the test but the database and the
/// SMTP server.
/// </summary>
internal sealed partial class AppInstance : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dataDirectory;
    private readonly StringBuilder _output = new();
    private int _delivered;

    private AppInstance(string name, Process process, DirectoryInfo dataDirectory, Uri baseAddress)
    {
        Name = name;
        _process = process;
        _dataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    /// <summary>Messages this process has logged as accepted by the SMTP server.</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    public static AppInstance Start(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var dataDirectory = Directory.CreateTempSubdirectory($"disclosuredesk-{name}-");
        var baseAddress = new Uri($"http://127.0.0.1:{TestSmtpServer.FreePort()}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DisclosureDesk.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        start.Environment["Database__DataDirectory"] = dataDirectory.FullName;
        // Only the delivery log is read (to tell which process sent what); the rest would be noise.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__DisclosureDesk.Features.Notifications.DeliverOutboxJob"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = new Process { StartInfo = start };
        var instance = new AppInstance(name, process, dataDirectory, baseAddress);
        process.OutputDataReceived += (_, line) => instance.Read(line.Data);
        process.ErrorDataReceived += (_, line) => instance.Read(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (DeliveredLine().IsMatch(line))
        {
            Interlocked.Increment(ref _delivered);
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>What the process wrote, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits for <c>/health/ready</c> (database, Hangfire storage, SMTP) to answer 200; fails with the process's output if it never does.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            Assert.False(_process.HasExited, $"Instance {Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening, but still starting.
            }
            await Task.Delay(200, cancellationToken);
        }
        Assert.Fail($"Instance {Name} did not become ready:\n{Output}");
    }

    /// <summary>Ends the process outright (SIGKILL): no graceful stop, nothing finished or recorded.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dataDirectory.Delete(recursive: true);
    }

    [GeneratedRegex(@"Outbox message \d+ \(.*\) attempt \d+: Delivered")]
    private static partial Regex DeliveredLine();
}
