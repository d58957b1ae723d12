using Npgsql;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>
/// Issue 15, kind 2: an index counts for a foreign key only when the planner can use it for the
/// lookup the FK check runs. Instances: a partial index (the example); an invalid index left
/// by a failed CREATE INDEX CONCURRENTLY; a composite key whose second column is only an INCLUDE column
/// (sp_BlitzIndex #4107 found the same blind spot on SQL Server); an expression index. A plain index
/// on the columns, in either order, does count.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ForeignKeyCoverageTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Partial_invalid_include_and_expression_indexes_do_not_cover_a_foreign_key()
    {
        var p = $"fk_{Guid.NewGuid():N}"[..16];
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_parent (id uuid PRIMARY KEY, organization_id uuid NOT NULL, UNIQUE (id, organization_id));
            CREATE TABLE {p}_child (
                id uuid PRIMARY KEY,
                parent_id uuid NOT NULL,
                organization_id uuid NOT NULL,
                status text NOT NULL,
                CONSTRAINT {p}_single FOREIGN KEY (parent_id) REFERENCES {p}_parent (id),
                CONSTRAINT {p}_pair FOREIGN KEY (parent_id, organization_id) REFERENCES {p}_parent (id, organization_id));
            INSERT INTO {p}_parent VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000aa');
            INSERT INTO {p}_child SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000aa', 'active'
            FROM generate_series(1, 2);
            CREATE INDEX {p}_active ON {p}_child (parent_id) WHERE status = 'active';
            CREATE INDEX {p}_incl ON {p}_child (parent_id) INCLUDE (organization_id) WHERE status = 'active';
            CREATE INDEX {p}_expr ON {p}_child ((parent_id::text), organization_id);
            CREATE INDEX {p}_pair_incl ON {p}_child (organization_id) INCLUDE (parent_id);
            """);
        try
        {
            // A unique index on duplicate values fails when built concurrently and stays behind, invalid.
            await Assert.ThrowsAnyAsync<PostgresException>(() =>
                fixture.ExecuteAsync($"CREATE UNIQUE INDEX CONCURRENTLY {p}_invalid ON {p}_child (parent_id, organization_id)"));
            Assert.Equal(false, await fixture.ExecuteAsync($"SELECT indisvalid FROM pg_index WHERE indexrelid = '{p}_invalid'::regclass"));

            var findings = await fixture.Api.FindingsAboutAsync(p);
            Assert.Contains(findings, f => f.Check == "unindexed_foreign_key" && f.Object.StartsWith($"{p}_single on", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Check == "unindexed_foreign_key" && f.Object.StartsWith($"{p}_pair on", StringComparison.Ordinal));

            // Only the partial index exists for the lookup: even with sequential scans priced out, the planner cannot use it.
            await using (var connection = fixture.OpenDatabase())
            {
                await using var seqscanOff = new NpgsqlCommand("SET enable_seqscan = off", connection);
                await seqscanOff.ExecuteNonQueryAsync();
                await using var explain = new NpgsqlCommand(
                    $"EXPLAIN (FORMAT JSON) SELECT 1 FROM {p}_child WHERE parent_id = '00000000-0000-0000-0000-000000000001'", connection);
                var plan = (string)(await explain.ExecuteScalarAsync())!;
                // At best a whole index is read and filtered; no index condition finds the rows.
                Assert.DoesNotContain("Index Cond", plan, StringComparison.Ordinal);
            }

            // A plain index, its columns in any order, covers both.
            await fixture.ExecuteAsync($"CREATE INDEX {p}_good ON {p}_child (organization_id, parent_id)");
            findings = await fixture.Api.FindingsAboutAsync(p);
            Assert.DoesNotContain(findings, f => f.Object.StartsWith($"{p}_pair on", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Object.StartsWith($"{p}_single on", StringComparison.Ordinal));
            await fixture.ExecuteAsync($"CREATE INDEX {p}_good_single ON {p}_child (parent_id)");
            Assert.DoesNotContain(await fixture.Api.FindingsAboutAsync(p), f => f.Check == "unindexed_foreign_key");
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_child, {p}_parent");
        }
    }
}
