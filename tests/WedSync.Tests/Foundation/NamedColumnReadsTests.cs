using System.Text.RegularExpressions;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Foundation;

/// <summary>
/// Issue 26: a mapper shared by several queries reads its columns by name, so a column added in the middle
/// of a SELECT shifts nothing; a positional read is left only where the file that reads it also holds the
/// SQL whose column list it follows.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed partial class NamedColumnReadsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_column_added_in_the_middle_of_a_query_changes_no_field_a_shared_mapper_reads()
    {
        await using var connection = fixture.OpenDatabase();
        var plain = await ReadTierAsync(connection, $"SELECT {RewardTier.Columns} FROM referral_tier_for(3)");
        var shifted = await ReadTierAsync(connection,
            $"SELECT 7 AS converted, 'noise' AS note, {RewardTier.Columns}, now() AS asked_at FROM referral_tier_for(3)");
        Assert.Equal(plain, shifted);
        Assert.False(string.IsNullOrEmpty(plain.Tier));

        const string row = """
            (SELECT '6f1c1d7e-0b2a-4c55-9d61-1d0f3f7f0a01'::uuid AS id, 'slow_query'::text AS event_type, 'high'::text AS severity,
                    '{"q":"select 1"}'::jsonb AS event_data, timestamptz '2026-12-05 10:00Z' AS created_at, NULL::uuid AS user_id,
                    inet '10.0.0.1' AS source_ip, 'psql'::text AS user_agent, NULL::timestamptz AS resolved_at,
                    NULL::text AS resolution_notes, 'pid:1'::text AS condition_key) e
            """;
        var plainEvent = await ReadEventAsync(connection, $"SELECT {MonitoringEvent.Columns} FROM {row}");
        var shiftedEvent = await ReadEventAsync(connection, $"SELECT 1 AS rank, {MonitoringEvent.Columns}, 2 AS total FROM {row}");
        Assert.Equal("high", shiftedEvent.Severity);
        Assert.Equal("10.0.0.1", shiftedEvent.SourceIp);
        Assert.Equal("pid:1", shiftedEvent.ConditionKey);
        Assert.Equal(plainEvent with { EventData = default }, shiftedEvent with { EventData = default });
    }

    [Fact]
    public void No_positional_read_outside_a_file_that_holds_its_column_list()
    {
        var api = Path.Combine(MigrationScriptFiles.RepositoryRoot, "Api");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(api, "*.*", SearchOption.AllDirectories)
                     .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                                 && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            if (Path.GetFileName(file) == "NamedColumns.cs")
            {
                continue; // the one place an ordinal is looked up from a name
            }

            var text = File.ReadAllText(file);
            if (OffsetMapper().IsMatch(text) || (PositionalRead().IsMatch(text) && !HoldsSql().IsMatch(text)))
            {
                offenders.Add(Path.GetRelativePath(api, file));
            }
        }

        Assert.True(Directory.Exists(Path.Combine(api, "Features")), api);
        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("var x = reader.GetInt64(3);", "SELECT a, b FROM t", true)]
    [InlineData("var x = Time(reader, 6);", "SELECT a, b FROM t", true)]
    [InlineData("var x = Time(reader, 6);", "", false)]
    [InlineData("var x = reader.GetInt64(3);", "SELECT {Shared.Columns} FROM t", false)]
    [InlineData("var x = reader.Get<long>(\"total\");", "", true)]
    public void The_rule_tells_a_local_column_list_from_one_held_elsewhere(string read, string sql, bool allowed)
    {
        var text = $"const string Sql = \"{sql}\";\n{read}";
        Assert.Equal(allowed, !(PositionalRead().IsMatch(text) && !HoldsSql().IsMatch(text)));
    }

    private static async Task<RewardTier> ReadTierAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return RewardTier.Read(reader);
    }

    private static async Task<MonitoringEvent> ReadEventAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return MonitoringEvent.Read(reader);
    }

    // A data reader's typed getter or null test called with an ordinal (not a quoted name, not JSON's GetString()),
    // or an ordinal handed to a helper that reads it (Time(reader, 6)).
    [GeneratedRegex("""\b(?:reader|rdr)\.(?:Get(?:Int16|Int32|Int64|String|Boolean|Double|Decimal|Guid|DateTime|Float|Char|Value|FieldValue(?:Async)?<[^>]+>)|IsDBNull(?:Async)?)\(\s*(?![")])|\((?:reader|rdr),\s*\d""")]
    private static partial Regex PositionalRead();

    // A column list written out here: SELECT followed by a column, not by another file's list ({X.Columns}).
    [GeneratedRegex(@"\b(?:SELECT|RETURNING)\s+(?!\{)")]
    private static partial Regex HoldsSql();

    // The shape that made column order a cross-file convention: a mapper told where its columns start.
    [GeneratedRegex(@"\boffset\s*\+\s*\d")]
    private static partial Regex OffsetMapper();
}
