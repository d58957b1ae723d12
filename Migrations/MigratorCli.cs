namespace WedSync.Migrations;

/// <summary>The command line: the verb decides what runs; the exit code is the contract with the AppHost.</summary>
public sealed class MigratorCli(MigrationRunner runner)
{
    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        _ = args;
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(runner.Up() ? 0 : 1);
    }
}
