namespace WedSync.Migrations.Engine;

/// <summary>What a command did, and the exit code that tells the AppHost or the operator.</summary>
public sealed record MigrationOutcome(int ExitCode, IReadOnlyList<string> Applied, string? Error)
{
    public const int Success = 0;
    public const int ScriptFailed = 1;
    public const int UsageError = 2;
    public const int DriftDetected = 3;
    public const int VerifyFailed = 4;
    public const int LockTimeout = 5;

    public bool Succeeded => ExitCode == Success;

    public static MigrationOutcome Ok(IReadOnlyList<string>? applied = null) => new(Success, applied ?? [], null);

    public static MigrationOutcome Failed(int exitCode, string error) => new(exitCode, [], error);
}
