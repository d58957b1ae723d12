using System.Diagnostics;
using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Foundation;

/// <summary>The local server's data outlives the AppHost, and the server does not.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Stopping_the_apphost_leaves_no_postgres_and_a_second_run_keeps_the_data()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"restart-{Guid.NewGuid():N}");
        string[] args = ["Postgres:Mode=local", $"Postgres:DataPath={dataPath}"];
        var marker = $"restart-{Guid.NewGuid():N}";
        try
        {
            int postmasterPid;
            await using (var first = await AppHostFixture.StartAsync(args, waitForApi: false))
            {
                await ExecuteAsync(first, "INSERT INTO organizations (name, slug) VALUES ('Restart check', @marker)", marker);
                postmasterPid = int.Parse(File.ReadLines(Path.Combine(dataPath, "postmaster.pid")).First());
                Assert.True(IsRunning(postmasterPid));
                await first.StopAsync();
            }

            NpgsqlConnection.ClearAllPools();
            Assert.True(await ExitsWithinAsync(postmasterPid, TimeSpan.FromSeconds(15)), $"postgres {postmasterPid} outlived the AppHost");

            await using var second = await AppHostFixture.StartAsync(args, waitForApi: false);
            var found = await ExecuteAsync(second, "SELECT count(*) FROM organizations WHERE slug = @marker", marker);
            Assert.Equal(1L, found);
            await second.StopAsync();
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            AppHostFixture.TryDelete(dataPath);
        }
    }

    private static async Task<object?> ExecuteAsync(DistributedApplication app, string sql, string marker)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("wedsync"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("marker", marker);
        return await command.ExecuteScalarAsync();
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<bool> ExitsWithinAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning(pid))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}
