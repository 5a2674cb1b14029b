namespace DisclosureDesk.Infrastructure.Telemetry;

/// <summary>
/// Wraps the host's logger factory so that every logger, the framework's included, passes its structured values
/// through <see cref="SecretRedaction"/> before any provider sees them. ASP.NET Core logs each request's path and
/// query string (Hosting at Information, routing and static files at Debug), and those carry the calendar feed's
/// token and Identity's emailed codes; no setting of theirs leaves the secret out.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        // Hosting opens a scope per request with its path (RequestPath), which structured sinks store with every entry.
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values && RedactedState.TryCreate(values, state, null, static (s, _) => s.ToString() ?? "") is { } redacted
                ? inner.BeginScope(redacted)
                : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && RedactedState.TryCreate(values, state, exception, formatter) is { } redacted)
            {
                inner.Log(logLevel, eventId, redacted, exception, static (s, _) => s.Message);
                return;
            }
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>A log entry's values and message after redaction; null from <see cref="TryCreate"/> when nothing needed it.</summary>
    private sealed class RedactedState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _values;

        private RedactedState(KeyValuePair<string, object?>[] values, string message)
        {
            _values = values;
            Message = message;
        }

        public string Message { get; }

        public int Count => _values.Length;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public static RedactedState? TryCreate<TState>(
            IReadOnlyList<KeyValuePair<string, object?>> values, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            KeyValuePair<string, object?>[]? copy = null;
            List<(string Original, string Redacted)>? replaced = null;
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                // Strings only (PathString and QueryString are logged as strings): formatting other values to look
                // for a secret would cost every log call, and the app's own values are ids, counts and states.
                if (value is not string text || key == "{OriginalFormat}")
                {
                    continue;
                }
                var clean = key == "QueryString" ? SecretRedaction.RedactQuery(text) : SecretRedaction.Redact(text);
                if (ReferenceEquals(clean, text) || clean == text)
                {
                    continue;
                }
                copy ??= [.. values];
                copy[i] = new KeyValuePair<string, object?>(key, clean);
                (replaced ??= []).Add((text, clean));
            }
            if (copy is null)
            {
                return null;
            }
            var message = formatter(state, exception);
            foreach (var (original, clean) in replaced!)
            {
                message = message.Replace(original, clean, StringComparison.Ordinal);
            }
            return new RedactedState(copy, SecretRedaction.Redact(message));
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
