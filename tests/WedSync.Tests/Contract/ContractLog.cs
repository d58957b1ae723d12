namespace WedSync.Tests.Contract;

/// <summary>
/// Every validated answer is counted and every violation written to
/// <c>TestResults/contract/violations.txt</c> as it happens, so a violation that a test swallowed
/// (a catch-all, an expected exception) still fails CI: <c>.ci/run</c> fails on a non-empty file.
/// <c>summary.txt</c> beside it says how many answers were checked.
/// </summary>
public static class ContractLog
{
    private static readonly Lock Gate = new();
    private static long validated;
    private static long violations;

    static ContractLog()
    {
        Directory.CreateDirectory(Folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteSummary();
    }

    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "TestResults", "contract");

    public static string ViolationsFile => Path.Combine(Folder, "violations.txt");

    public static void Validated() => Interlocked.Increment(ref validated);

    public static void Violation(string message)
    {
        Interlocked.Increment(ref violations);
        lock (Gate)
        {
            File.AppendAllText(ViolationsFile, $"{DateTimeOffset.UtcNow:O} {message}\n\n");
        }
    }

    private static void WriteSummary()
    {
        lock (Gate)
        {
            File.WriteAllText(Path.Combine(Folder, $"summary-{Environment.ProcessId}.txt"),
                $"{Interlocked.Read(ref validated)} responses validated against /openapi/v1.json, {Interlocked.Read(ref violations)} violations\n");
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WedSync.Aspire.sln")))
            {
                return folder.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
