namespace WedSync.Tests.AppModel;

/// <summary>The PostgreSQL mode decides the resources; these read the application model, no engine needed.</summary>
public sealed class PostgresModeTests
{
    // The obsolete helper is the one public way to evaluate a resource's argument callbacks
    // without starting it; its replacement needs a running execution context.
#pragma warning disable CS0618
    private static async Task<IReadOnlyList<string>> ArgsOf(IResource resource) =>
        await ((IResourceWithArgs)resource).GetArgumentValuesAsync();
#pragma warning restore CS0618

    private static async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args);

    [Fact]
    public async Task Container_mode_builds_a_pinned_postgres_container_with_a_volume_and_pg_stat_statements()
    {
        await using var builder = await ModelAsync("Postgres:Mode=container");

        var server = Assert.Single(builder.Resources.OfType<PostgresServerResource>());
        var image = Assert.Single(server.Annotations.OfType<ContainerImageAnnotation>());
        Assert.NotEqual("latest", image.Tag);
        Assert.Contains(server.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume);
        var args = await ArgsOf(server);
        Assert.Contains("shared_preload_libraries=pg_stat_statements", args);
        // Two-phase commit on: the monitoring API names and rolls back prepared transactions.
        Assert.Contains("max_prepared_transactions=10", args);
        Assert.Single(builder.Resources.OfType<PostgresDatabaseResource>(), db => db.Name == "wedsync");
    }

    [Fact]
    public async Task External_mode_takes_the_connection_string_and_starts_no_server()
    {
        await using var builder = await ModelAsync("Postgres:Mode=external", "ConnectionStrings:wedsync=Host=db.example;Database=wedsync");

        Assert.Empty(builder.Resources.OfType<PostgresServerResource>());
        Assert.DoesNotContain(builder.Resources.OfType<ExecutableResource>(), r => r.Name == "postgres");
        var wedsync = Assert.Single(builder.Resources.OfType<IResourceWithConnectionString>(), r => r.Name == "wedsync");
        Assert.Equal("wedsync", await wedsync.GetConnectionStringAsync() is { } cs ? new Npgsql.NpgsqlConnectionStringBuilder(cs).Database : null);
    }

    [Fact]
    public async Task Local_mode_runs_the_machine_binaries_as_an_executable()
    {
        await using var builder = await ModelAsync("Postgres:Mode=local");

        var server = Assert.Single(builder.Resources.OfType<ExecutableResource>(), r => r.Name == "postgres");
        var args = await ArgsOf(server);
        Assert.Contains("listen_addresses=127.0.0.1", args);
        Assert.Contains("shared_preload_libraries=pg_stat_statements", args);
        // Two-phase commit on: the monitoring API names and rolls back prepared transactions.
        Assert.Contains("max_prepared_transactions=10", args);
        Assert.Contains("password_encryption=scram-sha-256", args);
        Assert.Empty(builder.Resources.OfType<PostgresServerResource>());
    }

    [Fact]
    public async Task Local_mode_without_binaries_names_what_to_install()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ModelAsync("Postgres:Mode=local", "Postgres:BinPath=/nonexistent/postgres/bin"));

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("apt-get install postgresql", messages);
        Assert.Contains("Postgres:Mode=container", messages);
    }

    [Fact]
    public async Task Unknown_mode_is_refused_with_the_valid_choices()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("Postgres:Mode=cloud"));

        Assert.Contains("auto, container, local, external", string.Join(" | ", Flatten(error).Select(e => e.Message)));
    }

    [Fact]
    public async Task Api_waits_for_the_migrator_to_complete()
    {
        await using var builder = await ModelAsync("Postgres:Mode=local");

        var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "api");
        var waits = api.Annotations.OfType<WaitAnnotation>().ToList();
        Assert.Contains(waits, w => w.Resource.Name == "migrations" && w.WaitType == WaitType.WaitForCompletion);
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
