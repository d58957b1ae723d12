using System.Text.Json;
using Npgsql;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>
/// Issue 15, kind 1: row-level security is judged by what the request role (wedsync_user) can reach
/// with privileges, in any schema and of any relation kind, in GET /api/monitoring/rls, the advisor and
/// the health score. Instances: a partition granted directly (the example); a materialized view
/// granted to PUBLIC and a foreign table (splinter lints 0016/0017: materialized_view_in_api,
/// foreign_table_in_api); a table in another schema reached through a column grant to a role the request
/// role is a member of; a table owned by such a role (owners bypass RLS without FORCE); TRUNCATE, which
/// RLS does not check; a view running with its owner's rights (a security_invoker view is fine).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RlsReachTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Partition_granted_directly_to_the_request_role_is_high_risk_everywhere_until_the_grant_is_revoked()
    {
        var p = $"rls_part_{Guid.NewGuid():N}"[..22];
        var (orgA, orgB) = (Guid.NewGuid(), Guid.NewGuid());
        var before = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p} (id integer NOT NULL, organization_id uuid NOT NULL, booked_on date NOT NULL) PARTITION BY RANGE (booked_on);
            CREATE TABLE {p}_2025 PARTITION OF {p} FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            ALTER TABLE {p} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_org ON {p} TO wedsync_user
                USING (organization_id = (SELECT nullif(current_setting('wedsync_test.org', true), '')::uuid));
            GRANT SELECT ON {p}, {p}_2025 TO wedsync_user;
            INSERT INTO {p} VALUES (1, '{orgA}', '2025-06-01'), (2, '{orgB}', '2025-06-02');
            """);
        try
        {
            // The leak itself: as the request role the parent shows one organization, the partition both.
            Assert.Equal(1L, await CountAsRequestRoleAsync(p, orgA));
            Assert.Equal(2L, await CountAsRequestRoleAsync($"{p}_2025", orgA));

            var rls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            var partition = AdvisorFindings.RlsItem(rls, "public", $"{p}_2025");
            Assert.True(partition is not null, $"{p}_2025 is not listed");
            Assert.Equal("HIGH", partition.Value.GetProperty("riskLevel").GetString());
            Assert.Equal("partition", partition.Value.GetProperty("relationKind").GetString());
            Assert.True(partition.Value.GetProperty("requestRoleHasPrivileges").GetBoolean());
            Assert.Equal("LOW", AdvisorFindings.RlsItem(rls, "public", p)?.GetProperty("riskLevel").GetString());

            var findings = await fixture.Api.FindingsAboutAsync(p);
            Assert.Contains(findings, f => f is { Level: "error", Check: "rls_disabled" } && f.Object == $"public.{p}_2025");
            Assert.DoesNotContain(findings, f => f.Check == "rls_disabled" && f.Object == $"public.{p}");

            var flagged = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            // The score's RLS part (other parts move with whatever else runs on the server meanwhile).
            Assert.Equal(HighRisk(before) + 1, HighRisk(flagged));
            Assert.True(RlsPenalty(flagged) > RlsPenalty(before), $"RLS penalty {RlsPenalty(flagged)} did not rise above {RlsPenalty(before)}");
            Assert.True(Score(flagged) <= 100 - RlsPenalty(flagged), $"score {Score(flagged)} ignores the RLS penalty {RlsPenalty(flagged)}");
            Assert.Contains(Recommendations(flagged), r => r.Contains($"public.{p}_2025", StringComparison.Ordinal));

            await fixture.ExecuteAsync($"REVOKE SELECT ON {p}_2025 FROM wedsync_user");
            rls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            Assert.Null(AdvisorFindings.RlsItem(rls, "public", $"{p}_2025"));
            Assert.DoesNotContain(await fixture.Api.FindingsAboutAsync(p), f => f.Check == "rls_disabled");
            var cleared = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.DoesNotContain(Recommendations(cleared), r => r.Contains(p, StringComparison.Ordinal));
            Assert.Equal(HighRisk(before), HighRisk(cleared));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}");
        }
    }

    [Fact]
    public async Task Every_relation_kind_and_every_way_of_reaching_it_counts()
    {
        var p = $"rls_reach_{Guid.NewGuid():N}"[..22];
        var other = $"{p}_s";
        await fixture.ExecuteAsync($"""
            CREATE ROLE {p}_readers NOLOGIN;
            GRANT {p}_readers TO wedsync_user;
            CREATE ROLE {p}_owner NOLOGIN;
            GRANT {p}_owner TO wedsync_user;
            CREATE TABLE {p}_base (id integer PRIMARY KEY, organization_id uuid NOT NULL);
            ALTER TABLE {p}_base ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_base_org ON {p}_base TO wedsync_user USING (organization_id = (SELECT app.current_organization_id()));
            GRANT SELECT ON {p}_base TO wedsync_user;
            CREATE MATERIALIZED VIEW {p}_mv AS SELECT organization_id, count(*) AS n FROM {p}_base GROUP BY organization_id;
            GRANT SELECT ON {p}_mv TO PUBLIC;
            CREATE VIEW {p}_definer AS SELECT * FROM {p}_base;
            CREATE VIEW {p}_invoker WITH (security_invoker = true) AS SELECT * FROM {p}_base;
            GRANT SELECT ON {p}_definer, {p}_invoker TO wedsync_user;
            CREATE SCHEMA {other};
            GRANT USAGE ON SCHEMA {other} TO {p}_readers;
            CREATE TABLE {other}.notes (id integer PRIMARY KEY, body text);
            GRANT SELECT (id) ON {other}.notes TO {p}_readers;
            CREATE TABLE {p}_owned (id integer PRIMARY KEY, organization_id uuid NOT NULL);
            ALTER TABLE {p}_owned ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_owned_org ON {p}_owned TO wedsync_user USING (organization_id = (SELECT app.current_organization_id()));
            ALTER TABLE {p}_owned OWNER TO {p}_owner;
            CREATE TABLE {p}_trunc (id integer PRIMARY KEY, organization_id uuid NOT NULL);
            ALTER TABLE {p}_trunc ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_trunc_org ON {p}_trunc TO wedsync_user USING (organization_id = (SELECT app.current_organization_id()));
            GRANT SELECT, TRUNCATE ON {p}_trunc TO wedsync_user;
            CREATE FOREIGN DATA WRAPPER {p}_fdw;
            CREATE SERVER {p}_srv FOREIGN DATA WRAPPER {p}_fdw;
            CREATE FOREIGN TABLE {p}_remote (id integer) SERVER {p}_srv;
            GRANT SELECT ON {p}_remote TO wedsync_user;
            """);
        try
        {
            var rls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            var findings = await fixture.Api.FindingsAboutAsync(p);
            (string Schema, string Relation, string Kind)[] high =
            [
                ("public", $"{p}_mv", "materialized view"),
                ("public", $"{p}_definer", "view"),
                (other, "notes", "table"),
                ("public", $"{p}_owned", "table"),
                ("public", $"{p}_trunc", "table"),
                ("public", $"{p}_remote", "foreign table"),
            ];
            foreach (var (schema, relation, kind) in high)
            {
                var item = AdvisorFindings.RlsItem(rls, schema, relation);
                Assert.True(item is not null, $"{schema}.{relation} is not listed");
                Assert.True(item.Value.GetProperty("riskLevel").GetString() == "HIGH", $"{schema}.{relation}: {item}");
                Assert.Equal(kind, item.Value.GetProperty("relationKind").GetString());
                Assert.False(string.IsNullOrEmpty(item.Value.GetProperty("reason").GetString()));
                Assert.Contains(findings, f => f is { Level: "error", Check: "rls_disabled" } && f.Object == $"{schema}.{relation}");
            }

            Assert.Equal("LOW", AdvisorFindings.RlsItem(rls, "public", $"{p}_base")?.GetProperty("riskLevel").GetString());
            Assert.Equal("LOW", AdvisorFindings.RlsItem(rls, "public", $"{p}_invoker")?.GetProperty("riskLevel").GetString());

            // Fixing each the way the reason says clears it.
            await fixture.ExecuteAsync($"""
                REVOKE SELECT ON {p}_mv FROM PUBLIC;
                ALTER VIEW {p}_definer SET (security_invoker = true);
                REVOKE SELECT (id) ON {other}.notes FROM {p}_readers;
                REVOKE {p}_owner FROM wedsync_user;
                REVOKE TRUNCATE ON {p}_trunc FROM wedsync_user;
                REVOKE SELECT ON {p}_remote FROM wedsync_user;
                """);
            Assert.DoesNotContain(await fixture.Api.FindingsAboutAsync(p), f => f.Check == "rls_disabled");
            var fixedRls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            Assert.DoesNotContain(fixedRls.GetProperty("items").EnumerateArray(),
                t => t.GetProperty("riskLevel").GetString() == "HIGH"
                     && (t.GetProperty("tableName").GetString()!.StartsWith(p, StringComparison.Ordinal) || t.GetProperty("schemaName").GetString() == other));
        }
        finally
        {
            await fixture.ExecuteAsync($"""
                DROP SCHEMA IF EXISTS {other} CASCADE;
                DROP FOREIGN DATA WRAPPER IF EXISTS {p}_fdw CASCADE;
                DROP MATERIALIZED VIEW IF EXISTS {p}_mv;
                DROP VIEW IF EXISTS {p}_definer, {p}_invoker;
                DROP TABLE IF EXISTS {p}_base, {p}_owned, {p}_trunc;
                DROP ROLE IF EXISTS {p}_readers;
                DROP ROLE IF EXISTS {p}_owner;
                """);
        }
    }

    /// <summary>count(*) of a relation as the request role, with the test policy's organization set.</summary>
    private async Task<long> CountAsRequestRoleAsync(string relation, Guid organization)
    {
        await using var connection = fixture.OpenDatabase();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var setup = new NpgsqlCommand("SELECT set_config('wedsync_test.org', @org, true); SET LOCAL ROLE wedsync_user", connection, transaction))
        {
            setup.Parameters.AddWithValue("org", organization.ToString());
            await setup.ExecuteNonQueryAsync();
        }

        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {relation}", connection, transaction);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static int Score(JsonElement summary) => summary.GetProperty("healthScore").GetInt32();

    private static int HighRisk(JsonElement summary) => summary.GetProperty("metrics").GetProperty("tablesRlsHighRisk").GetInt32();

    private static int RlsPenalty(JsonElement summary) => summary.GetProperty("penalties").GetProperty("rlsRisk").GetInt32();

    private static List<string> Recommendations(JsonElement summary) =>
        summary.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToList();
}
