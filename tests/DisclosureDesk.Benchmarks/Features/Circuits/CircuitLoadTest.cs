using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DisclosureDesk.Benchmarks.Features.Circuits;

/// <summary>
/// <c>-- --circuits</c>: holds many Blazor Server circuits open on the case list against the real app in a
/// child process, and measures the server's memory per circuit and its event-handling time while some of
/// them click. See docs/benchmarks.md for the method.
/// </summary>
internal static partial class CircuitLoadTest
{
    private const string Email = "lead@disclosuredesk.test";
    private const string Password = "Disclose-Responsibly-2026";
    private const int WarmupCircuits = 20;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var count = IntArgument(args, "--count", 1_000);
        var clickers = Math.Min(count, IntArgument(args, "--clickers", 100));
        var caseCount = IntArgument(args, "--cases", 200);
        var clickSeconds = IntArgument(args, "--seconds", 30);
        var thinkMilliseconds = IntArgument(args, "--think", 1_000);
        var parallel = IntArgument(args, "--parallel", 8);
        var holdSeconds = IntArgument(args, "--hold", 0);
        output.WriteLine($"Circuit load test: {count:N0} circuits on /cases, {clickers} of them clicking for {clickSeconds} s " +
                         $"({thinkMilliseconds} ms between a click's answer and the next click), {caseCount} cases, {Environment.ProcessorCount} cores, load {LoadAverage()}");

        var dataDirectory = Directory.CreateTempSubdirectory("disclosuredesk-circuits-");
        try
        {
            await SeedAsync(dataDirectory.FullName, caseCount);
            await using var server = await ServerProcess.StartAsync(dataDirectory.FullName);
            output.WriteLine($"Server: {server.BaseAddress} (pid {server.ProcessId}); file descriptor limit {FileDescriptorLimit()}");

            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
            {
                BaseAddress = server.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };
            var cookie = await SignInAsync(server.BaseAddress);

            // Warm-up: JIT, EF's compiled model and query caches, the pools; then closed as a tab closes them.
            var warmup = await OpenAsync(http, server.BaseAddress, cookie, WarmupCircuits, parallel, output, CancellationToken.None);
            foreach (var circuit in warmup.Circuits)
            {
                for (var i = 0; i < 4; i++)
                {
                    await circuit.ClickAsync(CancellationToken.None);
                }
            }
            await CloseAsync(http, cookie, warmup.Circuits);
            await WaitForOpenCircuitsAsync(http, 0);
            await Task.Delay(Settle);
            await EventsAsync(http);
            var baseline = await MemoryAsync(http);
            output.WriteLine($"Baseline (0 circuits, after {WarmupCircuits} warm-up circuits closed): {Describe(baseline)}");

            var opened = await OpenAsync(http, server.BaseAddress, cookie, count, parallel, output, CancellationToken.None);
            var circuits = opened.Circuits;
            output.WriteLine($"Opened {circuits.Count:N0} of {count:N0} circuits in {opened.Elapsed.TotalSeconds:0.0} s" +
                             (opened.Failure is null ? "" : $"; stopped by: {opened.Failure}"));
            await Task.Delay(Settle);
            var loaded = await MemoryAsync(http);
            output.WriteLine($"With circuits open: {Describe(loaded)}; load {LoadAverage()}");
            if (loaded.OpenCircuits > 0)
            {
                var n = loaded.OpenCircuits;
                output.WriteLine($"Memory per circuit ({n:N0} open on the server): GC heap {(loaded.GcHeapBytes - baseline.GcHeapBytes) / 1024.0 / n:0.0} KB, " +
                                 $"working set {(loaded.WorkingSetBytes - baseline.WorkingSetBytes) / 1024.0 / n:0.0} KB, " +
                                 $"GC committed {(loaded.GcCommittedBytes - baseline.GcCommittedBytes) / 1024.0 / n:0.0} KB (target <= 400 KB)");
            }

            if (holdSeconds > 0)
            {
                // Time to look inside the server with the circuits open (dotnet-gcdump collect -p PID).
                output.WriteLine($"Holding the circuits open for {holdSeconds} s (server pid {server.ProcessId})");
                await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
            }

            var clicks = await ClickAsync(circuits.Take(clickers).ToList(), TimeSpan.FromSeconds(clickSeconds), TimeSpan.FromMilliseconds(thinkMilliseconds), server, output);
            var serverTimes = await EventsAsync(http);
            serverTimes.Sort();
            clicks.RoundTrips.Sort();
            output.WriteLine($"Clicks: {clicks.RoundTrips.Count:N0} answered, {clicks.Failures} failed; CPU of the server process during the clicks {clicks.ServerCpuShare:P0} of one core; load {LoadAverage()}");
            if (serverTimes.Count > 0)
            {
                output.WriteLine($"Server-side event handling (aspnetcore.components.handle_event.duration, {serverTimes.Count:N0} onclick events): " +
                                 $"p50 {Percentile(serverTimes, 0.50):0.0} ms, p95 {Percentile(serverTimes, 0.95):0.0} ms, p99 {Percentile(serverTimes, 0.99):0.0} ms, max {serverTimes[^1]:0.0} ms (target p95 <= 50 ms)");
            }
            if (clicks.RoundTrips.Count > 0)
            {
                output.WriteLine($"Client round trip (send to the dispatch call's answer): p50 {Percentile(clicks.RoundTrips, 0.50):0.0} ms, " +
                                 $"p95 {Percentile(clicks.RoundTrips, 0.95):0.0} ms, p99 {Percentile(clicks.RoundTrips, 0.99):0.0} ms, max {clicks.RoundTrips[^1]:0.0} ms");
            }
            var after = await MemoryAsync(http);
            output.WriteLine($"After the clicks: {Describe(after)}");

            var errors = circuits.Sum(c => c.Errors);
            foreach (var failed in circuits.Where(c => c.Errors > 0).Take(3))
            {
                output.WriteLine($"  circuit error: {failed.LastError}");
            }
            output.WriteLine($"Errors reported to circuits: {errors}");
            await CloseAsync(http, cookie, circuits);
            return opened.Failure is null && errors == 0 && clicks.Failures == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                dataDirectory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // The server may still be letting go of its files; the folder is in the temp directory.
            }
        }
    }

    private sealed record Opened(List<CircuitClient> Circuits, TimeSpan Elapsed, string? Failure);

    private static async Task<Opened> OpenAsync(HttpClient http, Uri baseAddress, string cookie, int count, int parallel, TextWriter output, CancellationToken cancellationToken)
    {
        var circuits = new List<CircuitClient>(count);
        string? failure = null;
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = stop.Token }, async (i, token) =>
        {
            try
            {
                var circuit = await CircuitClient.OpenAsync(http, baseAddress, cookie, token);
                int opened;
                lock (circuits)
                {
                    circuits.Add(circuit);
                    opened = circuits.Count;
                }
                if (opened % 100 == 0)
                {
                    output.WriteLine($"  {opened:N0} circuits after {clock.Elapsed.TotalSeconds:0} s, load {LoadAverage()}");
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                lock (circuits)
                {
                    failure ??= $"{exception.GetType().Name}: {exception.Message}";
                }
                await stop.CancelAsync();
            }
        }).ContinueWith(_ => { }, TaskScheduler.Default);
        return new Opened(circuits, clock.Elapsed, failure);
    }

    private sealed record Clicks(List<double> RoundTrips, int Failures, double ServerCpuShare);

    private static async Task<Clicks> ClickAsync(List<CircuitClient> clickers, TimeSpan duration, TimeSpan think, ServerProcess server, TextWriter output)
    {
        var roundTrips = new List<double>();
        var failures = 0;
        var cpuBefore = server.ProcessorTime;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var tasks = clickers.Select(async (circuit, index) =>
        {
            // Spread the first clicks over one think time, so the clickers do not move in step.
            await Task.Delay(think * index / clickers.Count);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var elapsed = await circuit.ClickAsync(CancellationToken.None);
                    lock (roundTrips)
                    {
                        roundTrips.Add(elapsed.TotalMilliseconds);
                    }
                }
                catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                    output.WriteLine($"  click failed: {exception.Message}");
                }
                await Task.Delay(think);
            }
        });
        await Task.WhenAll(tasks);
        return new Clicks(roundTrips, failures, (server.ProcessorTime - cpuBefore) / clock.Elapsed);
    }

    private static async Task CloseAsync(HttpClient http, string cookie, List<CircuitClient> circuits)
    {
        foreach (var circuit in circuits)
        {
            if (circuit.CircuitSecret is { } secret)
            {
                // What the script posts when a tab closes: the server ends the circuit instead of keeping it for a reconnect.
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("_blazor/disconnect", UriKind.Relative))
                {
                    Content = new MultipartFormDataContent { { new StringContent(secret), "circuitId" } },
                };
                request.Headers.Add("Cookie", cookie);
                using var _ = await http.SendAsync(request);
            }
            await circuit.DisposeAsync();
        }
    }

    private static async Task WaitForOpenCircuitsAsync(HttpClient http, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while ((await MemoryAsync(http)).OpenCircuits != expected && deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(500);
        }
    }

    private static async Task<ServerMemory> MemoryAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<ServerMemory>(new Uri("_benchmark/memory", UriKind.Relative)))!;

    private static async Task<List<double>> EventsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<List<double>>(new Uri("_benchmark/events", UriKind.Relative)))!;

    private static string Describe(ServerMemory memory) =>
        $"{memory.OpenCircuits:N0} circuits, working set {memory.WorkingSetBytes / 1048576.0:0.0} MB, GC heap {memory.GcHeapBytes / 1048576.0:0.0} MB, " +
        $"GC committed {memory.GcCommittedBytes / 1048576.0:0.0} MB ({(memory.ServerGc ? "server" : "workstation")} GC)";

    /// <summary>Signs in once through the real login form; every circuit then reuses the cookies.</summary>
    private static async Task<string> SignInAsync(Uri baseAddress)
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        var form = await browser.GetStringAsync(new Uri("Account/Login", UriKind.Relative));
        using var response = await browser.PostAsync(new Uri("Account/Login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = HiddenInput(form, "_handler"),
            ["__RequestVerificationToken"] = HiddenInput(form, "__RequestVerificationToken"),
            ["Input.Email"] = Email,
            ["Input.Password"] = Password,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect || cookies.GetCookies(baseAddress)[".AspNetCore.Identity.Application"] is null)
        {
            throw new InvalidOperationException($"Signing in failed: {(int)response.StatusCode}.");
        }
        return cookies.GetCookieHeader(baseAddress);
    }

    private static string HiddenInput(string html, string name) =>
        HiddenInputPattern().Matches(html).Select(m => m.Groups)
            .Where(g => WebUtility.HtmlDecode(g["name"].Value) == name)
            .Select(g => WebUtility.HtmlDecode(g["value"].Value))
            .FirstOrDefault() ?? throw new InvalidOperationException($"The login page has no hidden input {name}.");

    [GeneratedRegex("""<input\b[^>]*\btype="hidden"[^>]*\bname="(?<name>[^"]*)"[^>]*\bvalue="(?<value>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInputPattern();

    /// <summary>A fresh database with one administrator who leads <paramref name="caseCount"/> cases, filed through the app's handler.</summary>
    private static async Task SeedAsync(string dataDirectory, int caseCount)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = dataDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddData();
        builder.AddUsers();
        builder.AddCases();
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync();

        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = Email,
            Email = Email,
            EmailConfirmed = true,
            DisplayName = "Load Test Lead",
            RegisteredAt = TimeProvider.System.GetUtcNow().UtcDateTime,
        };
        Succeeded(await users.CreateAsync(user, Password));
        Succeeded(await users.AddToRoleAsync(user, Roles.Administrator));
        var principal = await services.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user);
        var lead = CurrentUser.From(principal)!;

        var create = services.GetRequiredService<CreateCase.Handler>();
        var engines = Enum.GetValues<ServiceEngine>();
        var severities = Enum.GetValues<Severity>();
        for (var i = 1; i <= caseCount; i++)
        {
            var form = new CaseForm
            {
                Title = $"Open {engines[i % engines.Length].DisplayName()} with customer records ({i})",
                Summary = "Found during a scan of exposed databases; answers without authentication and holds personal data.",
                Service = engines[i % engines.Length],
                Severity = severities[i % severities.Length],
                Host = $"198.51.{i / 250}.{i % 250 + 1}",
                Port = 27017,
                OrganizationName = $"Example Org {i % 37}",
                AffectedCountry = "NL",
            };
            var result = await create.HandleAsync(form, lead);
            if (!result.Result.Succeeded)
            {
                throw new InvalidOperationException($"Seeding case {i} failed: {result.Result.Summary}");
            }
        }
    }

    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string FileDescriptorLimit()
    {
        const string limits = "/proc/self/limits";
        return File.Exists(limits)
            ? File.ReadLines(limits).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?[26..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "n/a"
            : "n/a";
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
