using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DisclosureDesk.EndToEndTests;

/// <summary>
/// The built app run the way an operator runs it: <c>dotnet DisclosureDesk.dll</c> in its own process, on
/// Kestrel bound to loopback, with a database folder of its own that is deleted afterwards.
/// </summary>
public sealed partial class AppServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly ConcurrentQueue<string> _output;

    private AppServer(Process process, string dataDirectory, ConcurrentQueue<string> output, Uri baseAddress)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The app's data folder: its database, keys and, with no SMTP server configured, its outgoing mail.</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The last lines the app has written, for failure messages.</summary>
    public IReadOnlyList<string> RecentOutput(int lines) => _output.TakeLast(lines).ToList();

    public static async Task<AppServer> StartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("disclosuredesk-e2e-").FullName;
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The referenced app is copied into this project's output with its deps, runtimeconfig and static web
        // asset manifests, so it runs from here with this folder as its content root.
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Port 0 lets Kestrel pick a free port with no race; the log line says which one it got.
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "DisclosureDesk.dll"), "--urls", "http://127.0.0.1:0" })
        {
            startInfo.ArgumentList.Add(argument);
        }
        // Development resolves static web assets from the build output instead of a publish folder.
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["Database__DataDirectory"] = dataDirectory;
        // The browser tests sign in often from one address; the limits have integration tests of their own.
        startInfo.Environment["Accounts__AttemptsPerAddress"] = "1000000";
        // The start-up wait reads Kestrel's "Now listening on" line, whatever the configured log levels.
        startInfo.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }
            output.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["address"].Value));
            }
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"The app exited before it listened:{Environment.NewLine}{string.Join(Environment.NewLine, output)}"));

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(StartTimeout, cancellationToken);
            return new AppServer(process, dataDirectory, output, address);
        }
        catch (TimeoutException)
        {
            await StopAsync(process, dataDirectory);
            throw new TimeoutException($"The app did not listen within {StartTimeout.TotalSeconds:N0} s:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }
        catch
        {
            await StopAsync(process, dataDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(_process, _dataDirectory);

    private static async Task StopAsync(Process process, string dataDirectory)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        process.Dispose();
        Directory.Delete(dataDirectory, recursive: true);
    }

    // `dotnet test` names the host that runs it; elsewhere the one on PATH will do.
    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    [GeneratedRegex(@"Now listening on: (?<address>https?://\S+)")]
    private static partial Regex ListeningLine();
}
