using DisclosureDesk.Components.Shared;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Discovery;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Finds the network owner of every pending finding of a staged run through RDAP, for the grouping "One case per RDAP
/// owner" (ADR-026). Addresses are deduplicated and worked in order, one part of the address space per worker, so an
/// address inside a network already found is answered from that network's range without a lookup: one lookup per
/// network, not per finding. A server answering 429 is left alone for its Retry-After by every worker. A host name,
/// a private address or a failed lookup is a warning on the row, which then gets a case for its host. Progress is
/// written to the run as it goes; a cancel is honoured between writes. Safe to run twice: a row with an owner or a
/// warning is done, and the networks found are read back into the cache.
/// </summary>
public sealed class ResolveImportOwnersJob(
    IDbContextFactory<AppDbContext> dbFactory,
    RdapLookup rdap,
    RdapBootstrap bootstrap,
    AddressGuard guard,
    IOptions<ImportOptions> options,
    IOptions<DiscoveryOptions> discoveryOptions,
    TimeProvider time,
    ILogger<ResolveImportOwnersJob> logger)
{
    private const int WriteEvery = 50;

    /// <summary>Called with the wait once a rate-limited server's pause has begun; tests use it to move the clock past the pause.</summary>
    internal Action<TimeSpan>? Pausing { get; set; }

    private sealed record Outcome(string HostKey, long? NetworkId, string? Warning);

    public async Task RunAsync(long runId, CancellationToken cancellationToken)
    {
        List<(string HostKey, bool Done)> hosts;
        List<ImportOwnerNetwork> known;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var run = await db.Set<ImportRun>().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.State != ImportRunState.Staged || run.OwnerLookup is not (OwnerLookupState.Queued or OwnerLookupState.Running))
            {
                return;
            }
            if (run.OwnerLookupCancelRequested)
            {
                await FinishAsync(runId, OwnerLookupState.Cancelled, null, cancellationToken);
                return;
            }
            var rows = await db.Set<ImportRow>().AsNoTracking()
                .Where(r => r.RunId == runId && r.State == ImportRowState.Pending)
                .Select(r => new { r.HostKey, Done = r.OwnerNetworkId != null || r.OwnerWarning != null })
                .ToListAsync(cancellationToken);
            hosts = rows.GroupBy(r => r.HostKey, StringComparer.Ordinal).Select(g => (g.Key, g.All(r => r.Done))).ToList();
            known = await db.Set<ImportOwnerNetwork>().AsNoTracking().Where(n => n.RunId == runId).ToListAsync(cancellationToken);
            run.OwnerLookup = OwnerLookupState.Running;
            run.OwnerHosts = hosts.Count;
            run.OwnerHostsDone = hosts.Count(h => h.Done);
            await db.SaveChangesAsync(cancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = new Work(dbFactory, rdap, bootstrap, discoveryOptions.Value, options.Value, time, Pausing, runId, known, stop, cancellationToken);
        try
        {
            var addresses = new List<(string HostKey, IPAddress Address)>();
            foreach (var (hostKey, _) in hosts.Where(h => !h.Done))
            {
                if (!IPAddress.TryParse(hostKey, out var address) || address.ToString() != hostKey)
                {
                    await work.RecordAsync(new Outcome(hostKey, null,
                        $"{hostKey} is a host name: RDAP owners are looked up by address, so it gets a case for its host."));
                }
                else if (guard.WhyBlocked(address) is { } reason)
                {
                    await work.RecordAsync(new Outcome(hostKey, null,
                        $"{hostKey} is a {reason} address, which has no owner in RDAP: it gets a case for its host."));
                }
                else
                {
                    addresses.Add((hostKey, address));
                }
            }

            // Each worker takes one part of the address space (an IPv4 /16, an IPv6 /32) in address order, so the
            // next address of a network it has just found is answered from the cache, never looked up again.
            var parts = addresses
                .GroupBy(a => Part(a.Address))
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.OrderBy(a => AddressRange.Single(a.Address).First).ToList())
                .ToList();
            await Parallel.ForEachAsync(parts,
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.RdapConcurrency, CancellationToken = stop.Token },
                async (part, token) =>
                {
                    foreach (var (hostKey, address) in part)
                    {
                        await work.RecordAsync(await work.ResolveAsync(hostKey, address, token));
                    }
                });
            await work.FlushAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await work.FlushAsync();
            await FinishAsync(runId, OwnerLookupState.Cancelled, null, cancellationToken);
            return;
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            logger.LogError(failure, "The owner lookup of import {RunId} failed", runId);
            var error = $"The owner lookup stopped: {failure.Message} What it found is kept; start it again to go on.";
            await FinishAsync(runId, OwnerLookupState.Failed, error.Length > CaseLimits.LongTextLength ? error[..CaseLimits.LongTextLength] : error, cancellationToken);
            return;
        }
        await FinishAsync(runId, OwnerLookupState.Completed, null, cancellationToken);
    }

    private static string Part(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? $"4:{bytes[0]:x2}{bytes[1]:x2}"
            : $"6:{Convert.ToHexString(bytes, 0, 4)}";
    }

    private async Task FinishAsync(long runId, OwnerLookupState state, string? error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Set<ImportRun>()
            .Where(r => r.Id == runId && (r.OwnerLookup == OwnerLookupState.Queued || r.OwnerLookup == OwnerLookupState.Running))
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.OwnerLookup, state)
                .SetProperty(r => r.OwnerLookupCancelRequested, false)
                .SetProperty(r => r.OwnerLookupError, error), cancellationToken);
    }

    /// <summary>One run's lookup: the range cache, the servers' pauses, and the outcomes waiting to be written.</summary>
    private sealed class Work
    {
        private readonly IDbContextFactory<AppDbContext> _dbFactory;
        private readonly RdapLookup _rdap;
        private readonly RdapBootstrap _bootstrap;
        private readonly DiscoveryOptions _discovery;
        private readonly ImportOptions _settings;
        private readonly TimeProvider _time;
        private readonly Action<TimeSpan>? _pausing;
        private readonly long _runId;
        private readonly CancellationTokenSource _stop;
        // Writes use the job's own token, not the workers': a cancel stops the lookups, never a write half done.
        private readonly CancellationToken _jobToken;
        private readonly NetworkRangeCache _cache = new();
        private readonly Dictionary<long, ImportOwnerNetwork> _networks = [];
        private readonly ConcurrentDictionary<string, Server> _servers = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<Outcome> _pending = [];
        // Writes take turns: SQLite has one writer, and a network must be saved before rows point to it.
        private readonly SemaphoreSlim _write = new(1, 1);
        private int _lookups;

        public Work(IDbContextFactory<AppDbContext> dbFactory, RdapLookup rdap, RdapBootstrap bootstrap, DiscoveryOptions discovery, ImportOptions settings,
            TimeProvider time, Action<TimeSpan>? pausing, long runId, IEnumerable<ImportOwnerNetwork> known, CancellationTokenSource stop,
            CancellationToken jobToken)
        {
            _jobToken = jobToken;
            (_dbFactory, _rdap, _bootstrap, _discovery, _settings, _time, _pausing) = (dbFactory, rdap, bootstrap, discovery, settings, time, pausing);
            (_runId, _stop) = (runId, stop);
            foreach (var network in known)
            {
                Remember(network);
            }
        }

        public async Task<Outcome> ResolveAsync(string hostKey, IPAddress address, CancellationToken cancellationToken)
        {
            var settings = _settings;
            var server = _servers.GetOrAdd((_bootstrap.BaseUrlFor(address) ?? new Uri(_discovery.RdapFallbackBaseUrl)).Host,
                _ => new Server(_time));
            for (var attempt = 1; ; attempt++)
            {
                if (Cached(hostKey, address) is { } cached)
                {
                    return cached;
                }
                if (server.GaveUp is { } gaveUp)
                {
                    return new Outcome(hostKey, null, $"No owner for {address}: {gaveUp}");
                }
                await server.TurnAsync(cancellationToken);
                if (Cached(hostKey, address) is { } found)
                {
                    return found;
                }
                RdapNetwork network;
                try
                {
                    Interlocked.Increment(ref _lookups);
                    network = await _rdap.LookupAddressAsync(address, cancellationToken);
                }
                catch (FetchException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var wait = e.RetryAfter ?? TimeSpan.FromSeconds(settings.RdapDefaultRetrySeconds);
                    if (wait > TimeSpan.FromSeconds(settings.RdapMaxRetryAfterSeconds))
                    {
                        server.GiveUp($"the RDAP server asked to wait {Seconds(wait)} s (429 Too Many Requests), longer than the " +
                            $"{settings.RdapMaxRetryAfterSeconds} s this lookup waits; start the lookup again later.");
                        continue;
                    }
                    if (attempt >= settings.RdapAttempts)
                    {
                        return new Outcome(hostKey, null,
                            $"No owner for {address}: the RDAP server answered 429 Too Many Requests {attempt} times; start the lookup again later.");
                    }
                    _pausing?.Invoke(server.Pause(wait, _stop.Token));
                    continue;
                }
                catch (FetchException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return new Outcome(hostKey, null, $"RDAP has no network for {address}: {e.Message}");
                }
                catch (Exception e) when (e is FetchException or RdapFormatException)
                {
                    return new Outcome(hostKey, null, $"The RDAP lookup of {address} failed: {e.Message}");
                }
                var saved = await SaveAsync(address, network);
                return OutcomeFor(hostKey, saved);
            }
        }

        private Outcome? Cached(string hostKey, IPAddress address)
        {
            if (_cache.Find(address) is not { } id)
            {
                return null;
            }
            lock (_networks)
            {
                return OutcomeFor(hostKey, _networks[id]);
            }
        }

        private static Outcome OutcomeFor(string hostKey, ImportOwnerNetwork network) =>
            new(hostKey, network.Id, network.OwnerKey is null
                ? $"RDAP names neither an organisation nor an abuse address for {network.Describe()}: {hostKey} gets a case for its host."
                : null);

        private void Remember(ImportOwnerNetwork network)
        {
            lock (_networks)
            {
                _networks[network.Id] = network;
            }
            if (AddressRange.Of(network.StartAddress, network.EndAddress) is { } range)
            {
                _cache.Add(range, network.Id);
            }
        }

        private async Task<ImportOwnerNetwork> SaveAsync(IPAddress address, RdapNetwork network)
        {
            // A range that does not hold the address asked about is not believed: only that address is cached.
            var range = AddressRange.From(network.StartAddress, network.EndAddress, network.Cidrs) is { } given && given.Contains(address)
                ? given
                : AddressRange.Single(address);
            var abuse = network.Contacts.FirstOrDefault(c => c.Role == RdapRole.Abuse && DeliverableEmailAttribute.IsDeliverable(c.Email));
            var saved = new ImportOwnerNetwork
            {
                RunId = _runId,
                StartAddress = range.FirstAddress.ToString(),
                EndAddress = range.LastAddress.ToString(),
                Handle = Wording.Clip(network.Handle, CaseLimits.ShortTextLength),
                Name = Wording.Clip(network.Name, CaseLimits.NameLength),
                Registry = Wording.Clip(network.Registry, CaseLimits.HostLength) ?? "",
                Organization = Wording.Clip(network.Organisation?.Trim(), CaseLimits.NameLength) is { Length: > 0 } organization ? organization : null,
                AbuseEmail = abuse?.Email.Trim(),
                AbuseName = Wording.Clip(abuse?.Name, CaseLimits.NameLength),
                Source = Wording.Clip(network.Documents.FirstOrDefault()?.Uri.ToString(), CaseLimits.UrlLength) ?? "",
            };
            await _write.WaitAsync(_jobToken);
            try
            {
                await using var db = await _dbFactory.CreateDbContextAsync(_jobToken);
                db.Add(saved);
                await db.SaveChangesAsync(_jobToken);
            }
            finally
            {
                _write.Release();
            }
            Remember(saved);
            return saved;
        }

        public async Task RecordAsync(Outcome outcome)
        {
            bool due;
            lock (_pending)
            {
                _pending.Add(outcome);
                due = _pending.Count >= WriteEvery;
            }
            if (due)
            {
                await FlushAsync();
            }
        }

        /// <summary>Writes the outcomes so far and the progress, then stops the workers if the researcher cancelled.</summary>
        public async Task FlushAsync()
        {
            var cancellationToken = _jobToken;
            await _write.WaitAsync(cancellationToken);
            try
            {
                List<Outcome> batch;
                lock (_pending)
                {
                    batch = [.. _pending];
                    _pending.Clear();
                }
                await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                foreach (var same in batch.GroupBy(o => (o.NetworkId, o.Warning)))
                {
                    foreach (var chunk in same.Select(o => o.HostKey).Chunk(500))
                    {
                        var (networkId, warning) = same.Key;
                        await db.Set<ImportRow>()
                            .Where(r => r.RunId == _runId && r.State == ImportRowState.Pending && chunk.Contains(r.HostKey))
                            .ExecuteUpdateAsync(set => set.SetProperty(r => r.OwnerNetworkId, networkId).SetProperty(r => r.OwnerWarning, warning), cancellationToken);
                    }
                }
                var lookups = Volatile.Read(ref _lookups);
                await db.Set<ImportRun>().Where(r => r.Id == _runId).ExecuteUpdateAsync(set => set
                    .SetProperty(r => r.OwnerHostsDone, r => r.OwnerHostsDone + batch.Count)
                    .SetProperty(r => r.OwnerLookups, r => r.OwnerLookups + lookups), cancellationToken);
                Interlocked.Add(ref _lookups, -lookups);
                await transaction.CommitAsync(cancellationToken);
                if (await db.Set<ImportRun>().Where(r => r.Id == _runId).Select(r => r.OwnerLookupCancelRequested).SingleAsync(cancellationToken))
                {
                    await _stop.CancelAsync();
                }
            }
            finally
            {
                _write.Release();
            }
        }

        private static string Seconds(TimeSpan wait) => Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// One RDAP server's manners: when it answers 429, every worker waits out the one pause it asked for (a shared
    /// task, not a wait each worker computes), and a server asking for too long is not asked again in this lookup.
    /// </summary>
    private sealed class Server(TimeProvider time)
    {
        private readonly Lock _lock = new();
        private Task _pause = Task.CompletedTask;

        public string? GaveUp { get; private set; }

        public Task TurnAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _pause.WaitAsync(cancellationToken);
            }
        }

        public TimeSpan Pause(TimeSpan wait, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _pause = Task.WhenAll(_pause, Task.Delay(wait, time, cancellationToken));
            }
            return wait;
        }

        public void GiveUp(string reason)
        {
            lock (_lock)
            {
                GaveUp ??= reason;
            }
        }
    }
}
