using System.Data.Common;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using DisclosureDesk.Benchmarks.Features.Cases;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DisclosureDesk.Benchmarks;

/// <summary>
/// <c>-- --plans</c>: runs each benchmark once and prints every statement it sends with SQLite's
/// <c>EXPLAIN QUERY PLAN</c> for it, bound to the same parameters. The plans in docs/benchmarks.md come from here.
/// </summary>
internal static class QueryPlans
{
    public static async Task PrintAsync(TextWriter output)
    {
        var capture = new CommandCapture();
        var benchmarks = new ListCasesBenchmarks { Interceptors = [capture] };
        await benchmarks.SetupAsync();
        await using var connection = BenchmarkDatabase.OpenConnection();
        try
        {
            foreach (var method in typeof(ListCasesBenchmarks).GetMethods().Where(m => m.IsDefined(typeof(BenchmarkAttribute), inherit: false)))
            {
                capture.Commands.Clear();
                await (Task)method.Invoke(benchmarks, null)!;
                output.WriteLine($"=== {method.Name}");
                foreach (var (sql, parameters) in capture.Commands)
                {
                    output.WriteLine(sql);
                    foreach (var (name, value) in parameters)
                    {
                        var shown = value is DateTime instant
                            ? instant.ToString("O", CultureInfo.InvariantCulture)
                            : Convert.ToString(value, CultureInfo.InvariantCulture);
                        output.WriteLine($"  -- {name} = {shown}");
                    }
                    output.WriteLine("  QUERY PLAN");
                    foreach (var line in await ExplainAsync(connection, sql, parameters))
                    {
                        output.WriteLine(line);
                    }
                    output.WriteLine();
                }
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static async Task<List<string>> ExplainAsync(DbConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = explain.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            explain.Parameters.Add(parameter);
        }

        // Rows come as (id, parent, notused, detail); a row's depth in the tree is its parent's plus one.
        var depth = new Dictionary<long, int> { [0] = 0 };
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var level = depth.GetValueOrDefault(reader.GetInt64(1)) + 1;
            depth[reader.GetInt64(0)] = level;
            lines.Add($"{new string(' ', 2 * level)}|--{reader.GetString(3)}");
        }
        return lines;
    }

    private sealed class CommandCapture : DbCommandInterceptor
    {
        public List<(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters)> Commands { get; } = [];

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Add(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Add(command);
            return ValueTask.FromResult(result);
        }

        private void Add(DbCommand command) => Commands.Add((
            command.CommandText,
            command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value is DBNull ? null : p.Value)).ToList()));
    }
}
