namespace WedSync.Migrations.Engine;

/// <summary>What a command did, and the exit code that tells the AppHost or the operator.</summary>
public sealed record MigrationOutcome(int ExitCode, IReadOnlyList<string> Applied, string? Error)
{
    public const int Success = 0;

    /// <summary>A script failed (or timed out); the message says what of it and of the run committed.</summary>
    public const int ScriptFailed = 1;

    /// <summary>Bad command line or configuration.</summary>
    public const int UsageError = 2;

    public const int DriftDetected = 3;
    public const int VerifyFailed = 4;
    public const int LockTimeout = 5;

    /// <summary>A pending script holds what the migrator cannot run faithfully (transaction control, psql meta-commands...); nothing ran.</summary>
    public const int ScriptRefused = 6;

    /// <summary>The database cannot be reached, logged into or created.</summary>
    public const int DatabaseUnavailable = 7;

    /// <summary>A failure the migrator does not know more about; the message is the error.</summary>
    public const int UnexpectedError = 8;

    /// <summary>A pending script has an error-level lint finding that neither the script nor --allow accepts; nothing was applied.</summary>
    public const int LintRefused = 9;

    /// <summary>The run lost its migration lock (its session ended) and stopped before its next write; the message says what committed.</summary>
    public const int LockLost = 10;

    public bool Succeeded => ExitCode == Success;

    public static MigrationOutcome Ok(IReadOnlyList<string>? applied = null) => new(Success, applied ?? [], null);

    public static MigrationOutcome Failed(int exitCode, string error) => new(exitCode, [], error);
}
