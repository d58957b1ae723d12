using System.Text;
using Microsoft.Extensions.Logging;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// Captures a resource's console logs as Aspire's testing host forwards them to logging
/// (category <c>&lt;AppHost&gt;.Resources.&lt;name&gt;</c>), so the logs of a process that already exited,
/// such as a failed migrator, are still there to assert on.
/// </summary>
public sealed class ResourceLogCollector(string resourceName) : ILoggerProvider
{
    private readonly StringBuilder lines = new();

    public string Text
    {
        get
        {
            lock (lines)
            {
                return lines.ToString();
            }
        }
    }

    public async Task<bool> WaitForAsync(string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Text.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.EndsWith($".Resources.{resourceName}", StringComparison.Ordinal) ? new Sink(this) : NullLogger;

    private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private void Append(string line)
    {
        lock (lines)
        {
            lines.AppendLine(line);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Sink(ResourceLogCollector owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Append(formatter(state, exception));
    }
}
