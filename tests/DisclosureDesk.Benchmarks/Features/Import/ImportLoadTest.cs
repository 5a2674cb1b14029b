using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DisclosureDesk.Benchmarks.Features.Import;

/// <summary>
/// <c>-- --import</c>: a load test, not a BenchmarkDotNet benchmark (one sample is 100,000 findings). It generates a
/// search-engine JSON-lines file and imports it through the real path on a real SQLite file: upload, parse and stage
/// (<see cref="ImportScanResults.Handler"/>), then <see cref="ImportCasesJob"/>'s batched filing, called directly as
/// Hangfire would. The same findings are then inserted by a bare loop (one prepared INSERT, one transaction, into a
/// table of the finding's columns in a fresh SQLite file), and the import's rows/s is reported as a ratio to it. Last,
/// the floor of the design (<see cref="FloorAsync"/>) says what ratio any import that stages and then files could reach.
/// </summary>
internal static class ImportLoadTest
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var count = IntArgument(args, "--count", 100_000);
        var organisations = IntArgument(args, "--orgs", 2_000);
        var grouping = args.Contains("--per-host") ? ImportGrouping.PerHost : ImportGrouping.PerOrganization;
        output.WriteLine($"Import load test: {count:N0} findings, {organisations:N0} organisations, grouped {grouping}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        var directory = Directory.CreateTempSubdirectory("disclosuredesk-importbench-");
        try
        {
            var file = Path.Combine(directory.FullName, "findings.jsonl");
            var findings = Generate(count, organisations);
            await File.WriteAllLinesAsync(file, findings.Select(f => f.Json));
            output.WriteLine($"Generated {new FileInfo(file).Length / (1024.0 * 1024.0):0.0} MB of JSON lines");

            if (!args.Contains("--cold"))
            {
                // A server has run its import code before; a fresh process spends seconds of CPU compiling EF's and the
                // import's code, which the bare loop, run after the import, never pays. The warm-up files 60 batches, so
                // that the per-batch code too is called often enough to be recompiled optimised (tiered compilation),
                // and the clock starts only once the background compiler has had nothing left to do for a second.
                var warmUp = Path.Combine(directory.FullName, "warm-up.jsonl");
                var warmUpCount = Math.Min(count, 30_000);
                await File.WriteAllLinesAsync(warmUp, Generate(warmUpCount, Math.Min(organisations, 600)).Select(f => f.Json));
                var warm = Stopwatch.StartNew();
                await ImportAsync(Path.Combine(directory.FullName, "warm-up"), warmUp, grouping, TextWriter.Null);
                var imported = warm.Elapsed;
                var compiled = await WaitForCompilerToSettleAsync();
                output.WriteLine($"Warm-up import ({warmUpCount:N0} findings, another database, not timed): {imported.TotalSeconds:0.00} s, " +
                                 $"then {(warm.Elapsed - imported).TotalSeconds:0.0} s until the JIT was idle ({compiled:N0} methods compiled meanwhile)");
            }
            var import = await ImportAsync(Path.Combine(directory.FullName, "app"), file, grouping, output);
            var bare = await BareInsertAsync(Path.Combine(directory.FullName, "bare.db"), findings, output);
            output.WriteLine($"Bare prepared insert: {count:N0} rows in {bare.TotalSeconds:0.00} s = {count / bare.TotalSeconds:N0} rows/s");
            output.WriteLine($"Import (stage + file): {count:N0} rows in {import.TotalSeconds:0.00} s = {count / import.TotalSeconds:N0} rows/s");
            var parse = ParseOnly(file);
            output.WriteLine($"Parse only (no database; part of staging, shown to split it): {count:N0} rows in {parse.TotalSeconds:0.00} s");
            var ratio = bare.TotalSeconds / import.TotalSeconds;
            output.WriteLine($"Ratio import/bare: {ratio:0.000} (target >= 0.5)");
            var appDatabase = Path.Combine(directory.FullName, "app", "disclosuredesk.db");
            foreach (var rawApart in new[] { false, true })
            {
                var (staged, marked) = await FloorAsync(appDatabase, Path.Combine(directory.FullName, $"floor-{rawApart}.db"), findings, rawApart);
                output.WriteLine($"Floor of staging then filing{(rawApart ? ", raw JSON in a table of its own" : "")}: insert into ImportRow {staged.TotalSeconds:0.00} s " +
                                 $"+ mark each row filed {marked.TotalSeconds:0.00} s; best ratio any implementation could reach: {bare.TotalSeconds / (staged + marked).TotalSeconds:0.000}");
            }
            output.WriteLine($"Load average after {LoadAverage()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private sealed record Finding(string Ip, int Port, string Org, string Asn, string Hostname, DateTime SeenAt, string Product, string Json);

    /// <summary>Distinct hosts in 198.18.0.0/15 (the range set aside for benchmarks), spread over the organisations.</summary>
    private static List<Finding> Generate(int count, int organisations)
    {
        var products = new[] { "MongoDB", "Elastic", "Redis key-value store", "PostgreSQL", "MySQL" };
        var ports = new[] { 27017, 9200, 6379, 5432, 3306 };
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var findings = new List<Finding>(count);
        for (var i = 0; i < count; i++)
        {
            var ip = $"198.{18 + (i >> 16)}.{(i >> 8) & 0xff}.{i & 0xff}";
            var org = $"Benchmark Hosting {i % organisations:D4}";
            var asn = $"AS{64512 + (i % organisations)}";
            var hostname = $"db{i}.org{i % organisations}.example";
            var seen = start.AddSeconds(i);
            var json = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ip_str"] = ip,
                ["port"] = ports[i % ports.Length],
                ["transport"] = "tcp",
                ["org"] = org,
                ["asn"] = asn,
                ["hostnames"] = new[] { hostname },
                ["domains"] = new[] { $"org{i % organisations}.example" },
                ["timestamp"] = seen.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                ["product"] = products[i % products.Length],
                ["banner"] = new { version = "7.0.2", auth = false },
            });
            findings.Add(new Finding(ip, ports[i % ports.Length], org, asn, hostname, seen, products[i % products.Length], json));
        }
        return findings;
    }

    /// <summary>Waits until no method has been compiled for a second; returns how many were compiled while waiting.</summary>
    private static async Task<long> WaitForCompilerToSettleAsync()
    {
        var start = System.Runtime.JitInfo.GetCompiledMethodCount();
        var last = start;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == last)
            {
                return now - start;
            }
            last = now;
        }
    }

    /// <summary>Upload, stage and file, timed from the upload to the job's end, less the preview between them (timed apart).</summary>
    private static async Task<TimeSpan> ImportAsync(string dataDirectory, string file, ImportGrouping grouping, TextWriter output)
    {
        Directory.CreateDirectory(dataDirectory);
        using var host = BuildHost(dataDirectory);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        }
        var user = await CreateResearcherAsync(host.Services);

        await using var scope2 = host.Services.CreateAsyncScope();
        var handler = scope2.ServiceProvider.GetRequiredService<ImportScanResults.Handler>();
        var job = scope2.ServiceProvider.GetRequiredService<ImportCasesJob>();
        var total = Stopwatch.StartNew();
        long runId;
        await using (var upload = File.OpenRead(file))
        {
            var uploaded = await handler.UploadAsync(upload, "findings.jsonl", user);
            Check(uploaded.Result);
            runId = uploaded.Value;
        }
        var stage = Stopwatch.StartNew();
        var stageCpu = Cpu();
        Check(await handler.StageAsync(runId, ImportFormat.SearchEngineJson, null, user));
        stageCpu = Cpu() - stageCpu;
        stage.Stop();
        // What the researcher waits for after staging, and again on each change of grouping: not in the import's time.
        var previewing = Stopwatch.StartNew();
        var preview = await handler.PreviewAsync(runId, grouping, user) ?? throw new InvalidOperationException("No preview.");
        previewing.Stop();
        Check(await handler.StartAsync(runId, grouping, skipBadRows: false, user));
        var filing = Stopwatch.StartNew();
        var filingCpu = Cpu();
        await job.RunAsync(runId, CancellationToken.None);
        filingCpu = Cpu() - filingCpu;
        filing.Stop();
        total.Stop();

        var run = await handler.FindAsync(runId, user) ?? throw new InvalidOperationException("The run is gone.");
        output.WriteLine($"Preview ({preview.CaseCount:N0} cases planned, {preview.Existing.Count:N0} duplicates of existing cases): {previewing.Elapsed.TotalSeconds:0.00} s");
        output.WriteLine($"Import run {run.State}: {run.ValidRows:N0} staged in {stage.Elapsed.TotalSeconds:0.00} s (CPU {stageCpu.TotalSeconds:0.00} s), " +
                         $"{run.CasesCreated:N0} cases filed from {run.RowsDone:N0} rows in {filing.Elapsed.TotalSeconds:0.00} s (CPU {filingCpu.TotalSeconds:0.00} s)" +
                         (run.Error is null ? "" : $", error: {run.Error}"));
        if (run.State != ImportRunState.Completed || run.RowsDone != run.ValidRows)
        {
            throw new InvalidOperationException("The import did not complete.");
        }
        return total.Elapsed - previewing.Elapsed;
    }

    /// <summary>Reading the file as staging does (split, decode, parse, validate), without writing anything.</summary>
    private static TimeSpan ParseOnly(string file)
    {
        var elapsed = Stopwatch.StartNew();
        using var stream = File.OpenRead(file);
        foreach (var row in JsonLinesParser.Parse(stream, ImportFormat.SearchEngineJson))
        {
            if (row.Error is { } error)
            {
                throw new InvalidOperationException($"Line {error.Line}: {error.Reason}");
            }
        }
        return elapsed.Elapsed;
    }

    /// <summary>The floor: the same values, one prepared INSERT per row, one transaction.</summary>
    private static async Task<TimeSpan> BareInsertAsync(string path, List<Finding> findings, TextWriter output)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            // The app's SQLite settings (ADR-003): WAL, synchronous NORMAL.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync();
        }
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE Findings (Id INTEGER PRIMARY KEY, Line INTEGER NOT NULL, Host TEXT NOT NULL, Port INTEGER NOT NULL, Organization TEXT,
                    Asn TEXT, Hostnames TEXT, SeenAt TEXT, Product TEXT, Raw TEXT NOT NULL)
                """;
            await create.ExecuteNonQueryAsync();
        }
        var elapsed = Stopwatch.StartNew();
        var cpu = Cpu();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO Findings (Line, Host, Port, Organization, Asn, Hostnames, SeenAt, Product, Raw) VALUES ($line, $host, $port, $org, $asn, $hostnames, $seen, $product, $raw)";
        var parameters = new[] { "$line", "$host", "$port", "$org", "$asn", "$hostnames", "$seen", "$product", "$raw" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        insert.Prepare();
        for (var i = 0; i < findings.Count; i++)
        {
            var f = findings[i];
            parameters[0].Value = i + 1;
            parameters[1].Value = f.Ip;
            parameters[2].Value = f.Port;
            parameters[3].Value = f.Org;
            parameters[4].Value = f.Asn;
            parameters[5].Value = f.Hostname;
            parameters[6].Value = f.SeenAt;
            parameters[7].Value = f.Product;
            parameters[8].Value = f.Json;
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        output.WriteLine($"Bare prepared insert CPU {(Cpu() - cpu).TotalSeconds:0.00} s");
        return elapsed.Elapsed;
    }

    /// <summary>
    /// The two writes ADR-020's design makes per finding, with nothing else: every row into a table made from the app's own
    /// <c>ImportRow</c> DDL and indexes (prepared INSERT, a transaction per 1,000 rows as staging commits), then each row
    /// marked filed with its case (prepared UPDATE, a transaction per 500 rows as filing commits). No parsing, no cases, no
    /// events, no EF, and no foreign-key checks (the app has them on; the tables they point to are not here): a floor under any
    /// implementation that stages the file for its preview and files from the staged rows.
    /// With <paramref name="rawApart"/> the raw JSON goes to a table of its own, so that marking a row rewrites a short record.
    /// </summary>
    private static async Task<(TimeSpan Staged, TimeSpan Marked)> FloorAsync(string appDatabase, string path, List<Finding> findings, bool rawApart)
    {
        List<string> schema;
        await using (var app = new SqliteConnection($"Data Source={appDatabase};Mode=ReadOnly;Pooling=False"))
        {
            await app.OpenAsync();
            await using var read = app.CreateCommand();
            read.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'ImportRow' AND sql IS NOT NULL ORDER BY type DESC";
            schema = [];
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                schema.Add(reader.GetString(0));
            }
        }
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + string.Join("; ", schema) +
                                 "; CREATE TABLE ImportRowRaw (RowId INTEGER PRIMARY KEY, Raw TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }

        var staging = Stopwatch.StartNew();
        await using (var insert = connection.CreateCommand())
        await using (var insertRaw = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO "ImportRow" ("RunId", "Line", "Host", "HostKey", "Port", "Transport", "Service", "Product", "Organization", "Asn", "Hostnames", "SeenAt", "Raw", "State")
                VALUES (1, $line, $host, $host, $port, 'tcp', 1, $product, $org, $asn, $hostnames, $seen, $raw, 0)
                """;
            var parameters = new[] { "$line", "$host", "$port", "$product", "$org", "$asn", "$hostnames", "$seen", "$raw" }
                .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
                .ToArray();
            insertRaw.CommandText = "INSERT INTO ImportRowRaw (RowId, Raw) VALUES (last_insert_rowid(), $raw)";
            var raw = insertRaw.Parameters.Add(new SqliteParameter { ParameterName = "$raw" });
            for (var start = 0; start < findings.Count; start += 1_000)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                insert.Transaction = transaction;
                insertRaw.Transaction = transaction;
                foreach (var (f, i) in findings.Skip(start).Take(1_000).Select((f, i) => (f, start + i)))
                {
                    parameters[0].Value = i + 1;
                    parameters[1].Value = f.Ip;
                    parameters[2].Value = f.Port;
                    parameters[3].Value = f.Product;
                    parameters[4].Value = f.Org;
                    parameters[5].Value = f.Asn;
                    parameters[6].Value = f.Hostname;
                    parameters[7].Value = f.SeenAt;
                    parameters[8].Value = rawApart ? "" : f.Json;
                    await insert.ExecuteNonQueryAsync();
                    if (rawApart)
                    {
                        raw.Value = f.Json;
                        await insertRaw.ExecuteNonQueryAsync();
                    }
                }
                await transaction.CommitAsync();
            }
        }
        var staged = staging.Elapsed;

        var marking = Stopwatch.StartNew();
        await using (var mark = connection.CreateCommand())
        {
            mark.CommandText = """UPDATE "ImportRow" SET "State" = 1, "CaseId" = $case WHERE "Id" = $id AND "State" = 0""";
            var caseId = mark.Parameters.Add(new SqliteParameter { ParameterName = "$case" });
            var id = mark.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            for (var start = 0; start < findings.Count; start += 500)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                mark.Transaction = transaction;
                for (var i = start; i < Math.Min(start + 500, findings.Count); i++)
                {
                    caseId.Value = i / 50 + 1;
                    id.Value = i + 1;
                    if (await mark.ExecuteNonQueryAsync() != 1)
                    {
                        throw new InvalidOperationException($"Row {i + 1} was not marked.");
                    }
                }
                await transaction.CommitAsync();
            }
        }
        return (staged, marking.Elapsed);
    }

    private static IHost BuildHost(string dataDirectory)
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
        builder.AddImport();
        // The job is called directly, as the Hangfire server would; the handler's request for it goes nowhere.
        builder.Services.AddSingleton<IBackgroundJobClient, NoJobs>();
        return builder.Build();
    }

    private static async Task<CurrentUser> CreateResearcherAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = "bench@example.test", Email = "bench@example.test", EmailConfirmed = true, DisplayName = "Benchmark" };
        Check(await users.CreateAsync(user, "Correct-Horse-9-battery"));
        Check(await users.AddToRoleAsync(user, Roles.Researcher));
        return new CurrentUser(user.Id, user.DisplayName, IsAdministrator: false, IsApproved: true, TimeZoneInfo.Utc);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    private static void Check(CommandResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Summary);
        }
    }

    /// <summary>The process's processor time: under a shared machine's load, wall-clock phases stretch with the load; this does much less.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int IntArgument(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private sealed class NoJobs : IBackgroundJobClient
    {
        public string Create(Job job, IState state) => Guid.NewGuid().ToString("N");

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }
}
