using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DisclosureDesk.Benchmarks.Features.Circuits;

/// <summary>
/// The app in a process of its own, so its memory is not mixed with the clients': this assembly run with
/// <c>--circuits-server</c>, which starts the app's own entry point with <see cref="CircuitServerProbe"/> as a
/// hosting startup, on Kestrel bound to loopback, with the app's GC settings.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    public const string Flag = "--circuits-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(string dataDirectory)
    {
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "DisclosureDesk.Benchmarks.dll"), Flag, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__DataDirectory"] = dataDirectory;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        // The GC mode is fixed at process start: take the app's own (server GC, from its runtimeconfig), not this tool's.
        start.Environment["DOTNET_gcServer"] = AppConfigProperties().TryGetValue("System.GC.Server", out var server) && server ? "1" : "0";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }
            output.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["address"].Value + "/"));
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
            return new ServerProcess(process, await listening.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// In the child: the app's runtimeconfig switches (this tool's runtimeconfig lacks them), the probe as a hosting
    /// startup, the app's name (its static web asset manifests are named after it), then the app's own Main.
    /// </summary>
    public static int RunApp(string[] args)
    {
        foreach (var (name, value) in AppConfigProperties())
        {
            AppContext.SetSwitch(name, value);
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", typeof(CircuitServerProbe).Assembly.GetName().Name);
        var app = typeof(DisclosureDesk.Features.Cases.ListCases).Assembly;
        var appArgs = args.Where(a => a != Flag).Concat(["--applicationName", app.GetName().Name!]).ToArray();
        var result = app.EntryPoint!.Invoke(null, [appArgs]);
        return result switch
        {
            int code => code,
            Task<int> task => task.GetAwaiter().GetResult(),
            _ => 0,
        };
    }

    private static Dictionary<string, bool> AppConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "DisclosureDesk.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            .ToDictionary(p => p.Name, p => p.Value.GetBoolean());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (?<address>https?://\S+)")]
    private static partial Regex ListeningLine();
}
