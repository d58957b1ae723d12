namespace WedSync.AppHost.Postgres;

/// <summary>PostgreSQL refuses to run as root, so a root AppHost starts it as the <c>postgres</c> OS user.</summary>
internal static class OsUser
{
    public const string PostgresAccount = "postgres";

    // Environment.UserName resolves the effective uid on Unix.
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";
}
