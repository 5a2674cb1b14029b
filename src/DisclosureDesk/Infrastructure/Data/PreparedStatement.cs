using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// A statement a job repeats many times, prepared once on the context's open connection, for loops where EF's change
/// tracking and per-save command building would cost more than the writes. Each parameter is created from the
/// provider's own type mapping (of a CLR type, or of an entity property with its value converter), and every value goes
/// through that mapping's converter, so a value is stored exactly as EF stores it: a Guid or a DateTime as TEXT on
/// SQLite and as uuid or timestamptz on PostgreSQL, an enum as its number, an instant pinned to UTC.
/// </summary>
/// <remarks>The caller opens the connection first (<c>db.Database.OpenConnectionAsync</c>) and keeps it open while the statement is used.</remarks>
internal sealed class PreparedStatement : IAsyncDisposable
{
    private readonly DatabaseFacade _database;
    private readonly DbCommand _command;
    private readonly RelationalTypeMapping[] _mappings;

    private PreparedStatement(DatabaseFacade database, DbCommand command, RelationalTypeMapping[] mappings)
    {
        _database = database;
        _command = command;
        _mappings = mappings;
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> whose parameters (named as in the SQL, e.g. <c>@id</c>) are typed by the provider's
    /// default mapping of each CLR type. Values are set by position, in the order given here.
    /// </summary>
    public static Task<PreparedStatement> PrepareAsync(AppDbContext db, string sql, params (string Name, Type Type)[] parameters)
    {
        var types = db.GetService<IRelationalTypeMappingSource>();
        return PrepareAsync(db, sql, parameters.Select(p => (p.Name, types.FindMapping(p.Type)
            ?? throw new NotSupportedException($"The database provider has no mapping for {p.Type}."))).ToList());
    }

    private static async Task<PreparedStatement> PrepareAsync(AppDbContext db, string sql, IReadOnlyList<(string Name, RelationalTypeMapping Mapping)> parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        foreach (var (name, mapping) in parameters)
        {
            command.Parameters.Add(mapping.CreateParameter(command, name, null, nullable: true));
        }
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await command.PrepareAsync(CancellationToken.None);
        return new PreparedStatement(db.Database, command, parameters.Select(p => p.Mapping).ToArray());
    }

    /// <summary>Sets the parameter at <paramref name="index"/>, converted as EF would convert it for its column.</summary>
    public void Set(int index, object? value)
    {
        if (_mappings[index].Converter is { } converter)
        {
            value = converter.ConvertToProvider(value);
        }
        else if (value is Enum)
        {
            value = Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture);
        }
        _command.Parameters[index].Value = value ?? DBNull.Value;
    }

    /// <summary>Sets the parameter named <paramref name="name"/> as it appears in the SQL.</summary>
    public void Set(string name, object? value) =>
        Set(_command.Parameters.IndexOf(name) is >= 0 and var index ? index : throw new ArgumentException($"The statement has no parameter {name}.", nameof(name)), value);

    /// <summary>Runs the statement with the values set, inside the context's current transaction if it has one.</summary>
    public Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        _command.Transaction = _database.CurrentTransaction?.GetDbTransaction();
        return _command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    /// <summary>
    /// An INSERT of <typeparamref name="TEntity"/> into its table with every mapped column but its store-generated key,
    /// each parameter typed by that property's own mapping (its column type, value converter and all). What it stores
    /// is what <c>SaveChanges</c> would store for the same entity, without tracking it or reading its key back.
    /// </summary>
    public sealed class Insert<TEntity> : IAsyncDisposable where TEntity : class
    {
        private readonly PreparedStatement _statement;
        private readonly IClrPropertyGetter[] _getters;

        private Insert(PreparedStatement statement, IClrPropertyGetter[] getters)
        {
            _statement = statement;
            _getters = getters;
        }

        public static async Task<Insert<TEntity>> PrepareAsync(AppDbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(TEntity)) ?? throw new NotSupportedException($"{typeof(TEntity).Name} is not in the model.");
            var table = StoreObject(entity);
            var properties = new List<IProperty>();
            foreach (var property in entity.GetProperties())
            {
                if (property.IsPrimaryKey() && property.ValueGenerated != ValueGenerated.Never)
                {
                    continue;
                }
                // SaveChanges would leave such a column to the database or fill it from elsewhere; this insert could not
                // store the same, so it refuses rather than differ.
                if (property.ValueGenerated != ValueGenerated.Never || property.IsShadowProperty() || property.GetDefaultValueSql() is not null)
                {
                    throw new NotSupportedException($"{entity.DisplayName()}.{property.Name} is generated or shadow; a prepared insert cannot store it as SaveChanges would.");
                }
                properties.Add(property);
            }
            var sql = db.GetService<ISqlGenerationHelper>();
            var columns = properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!));
            var values = properties.Select((_, i) => sql.GenerateParameterNamePlaceholder($"p{i}"));
            var text = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)})";
            var statement = await PreparedStatement.PrepareAsync(db, text,
                properties.Select((p, i) => (sql.GenerateParameterName($"p{i}"), p.GetRelationalTypeMapping())).ToList());
            return new Insert<TEntity>(statement, properties.Select(p => p.GetGetter()).ToArray());
        }

        /// <summary>Inserts <paramref name="row"/> (inside the context's current transaction, if any).</summary>
        public Task ExecuteAsync(TEntity row, CancellationToken cancellationToken)
        {
            for (var i = 0; i < _getters.Length; i++)
            {
                _statement.Set(i, _getters[i].GetClrValueUsingContainingEntity(row));
            }
            return _statement.ExecuteAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _statement.DisposeAsync();

        private static StoreObjectIdentifier StoreObject(IEntityType entity) =>
            entity.GetTableName() is { } name
                ? StoreObjectIdentifier.Table(name, entity.GetSchema())
                : throw new NotSupportedException($"{entity.DisplayName()} is not mapped to a table.");
    }
}
