using DbUp;
using DbUp.Builder;
using DbUp.Engine;

namespace WedSync.Migrations.Engine;

/// <summary>
/// The DbUp upgrade every <c>up</c> runs: <c>DeployChanges.To.PostgresqlDatabase</c> configured with the
/// project's connection manager, script providers, checksum journal, checksum-aware filter and executor, and
/// variables off (a <c>$name$</c> in a script is a dollar quote). A caller adds providers or run-always
/// scripts to the builder the DbUp way (<c>WithScripts</c>, <c>WithScript</c>) before it is built.
/// </summary>
public static class MigratorUpgrade
{
    public static UpgradeEngineBuilder Builder(
        MigratorConnectionManager connections, IEnumerable<IScriptProvider> providers, IJournal journal, IScriptFilter filter, IScriptExecutor executor)
    {
        var builder = DeployChanges.To.PostgresqlDatabase(connections);
        foreach (var provider in providers)
        {
            builder.WithScripts(provider);
        }

        builder.JournalTo(journal).WithFilter(filter).WithVariablesDisabled();
        builder.Configure(configuration =>
        {
            configuration.ScriptExecutor = executor;
            // DbUp's PostgreSQL preprocessor and variable substitution would change the text the journal checksums.
            configuration.ScriptPreprocessors.Clear();
        });
        return builder;
    }
}
