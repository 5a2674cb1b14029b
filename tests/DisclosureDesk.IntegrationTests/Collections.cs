namespace DisclosureDesk.IntegrationTests;

/// <summary>Tests of the app on SQLite; they share one app and database and run one at a time.</summary>
[CollectionDefinition]
public sealed class SqliteCollection : ICollectionFixture<SqliteDisclosureDeskFactory>;

/// <summary>Tests of the app on PostgreSQL; they run in parallel with the SQLite collection.</summary>
[CollectionDefinition]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlDisclosureDeskFactory>;
