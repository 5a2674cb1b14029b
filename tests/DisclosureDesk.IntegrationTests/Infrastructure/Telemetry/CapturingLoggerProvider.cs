using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Telemetry;

/// <summary>
/// Keeps everything a structured sink could store of each entry: category, message, every value, every open
/// scope's values and the exception, one line per entry.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder().Append(category).Append(" | ").Append(logLevel).Append(" | ").Append(formatter(state, exception));
            Append(line, state);
            provider._scopes.ForEachScope((scope, builder) => Append(builder.Append(" | scope ").Append(scope), scope), line);
            if (exception is not null)
            {
                line.Append(" | ").Append(exception);
            }
            provider._lines.Enqueue(line.ToString());
        }

        private static void Append(StringBuilder line, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(" | ").Append(key).Append('=').Append(value);
                }
            }
        }
    }
}
