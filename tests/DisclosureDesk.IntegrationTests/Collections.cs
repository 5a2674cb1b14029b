namespace DisclosureDesk.IntegrationTests;

/// <summary>Tests of the app on SQLite; they share one app and database and run one at a time.</summary>
[CollectionDefinition]
public sealed class SqliteCollection : ICollectionFixture<SqliteDisclosureDeskFactory>;

/// <summary>Tests of the app on PostgreSQL; they run in parallel with the SQLite collection.</summary>
[CollectionDefinition]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlDisclosureDeskFactory>;

/// <summary>
/// Tests that start hosts with a running Hangfire server. Hangfire keeps its log provider in a static, so a
/// host disposed here would leave the shared fixtures logging into a disposed factory; xUnit runs a
/// collection without parallelization only after the parallel collections, and their fixtures, are done.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class HangfireServerCollection;
