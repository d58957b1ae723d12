using WedSync.Migrations.Lint;
using WedSync.Migrations.Lint.Rules;

namespace WedSync.Tests.Schema.Lint;

/// <summary>
/// Proof that the lint can fail: each rule reports a snippet that breaks it, on the right line,
/// and stays quiet on the compliant form of the same snippet.
/// </summary>
public sealed class LintRuleTests
{
    private const string CompliantTable = """
        CREATE TABLE IF NOT EXISTS notes (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organization_id uuid NOT NULL REFERENCES organizations (id),
            author_id uuid
        );
        CREATE INDEX IF NOT EXISTS ix_notes_organization_id ON notes (organization_id);
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY notes_tenant ON notes FOR ALL TO wedsync_user
            USING (organization_id = (SELECT app.current_organization_id()));
        """;

    [Fact]
    public void The_compliant_table_passes_every_rule()
    {
        Assert.Empty(ScriptLinter.SchemaRules.Lint(Script(CompliantTable), []));
    }

    [Fact]
    public void Uuid_generate_v4_is_reported_with_file_and_line()
    {
        var findings = Lint(new GenRandomUuidRule(), """
            -- uuid_generate_v4() in a comment is no call
            CREATE TABLE t (
                id uuid PRIMARY KEY DEFAULT uuid_generate_v4()
            );
            """);

        var finding = Assert.Single(findings);
        Assert.Equal(("snippet.sql", 3, "gen-random-uuid"), (finding.File, finding.Line, finding.Rule));
        Assert.StartsWith("snippet.sql:3:33: error [gen-random-uuid]", finding.ToString());
    }

    [Fact]
    public void Foreign_key_to_the_auth_schema_is_reported()
    {
        var findings = Lint(new NoAuthSchemaForeignKeyRule(), """
            CREATE TABLE t (
                id uuid PRIMARY KEY,
                user_id uuid REFERENCES auth.users (id)
            );
            """);

        Assert.Equal(3, Assert.Single(findings).Line);
        Assert.Empty(Lint(new NoAuthSchemaForeignKeyRule(), "CREATE TABLE t (id uuid PRIMARY KEY, user_id uuid);"));
    }

    [Fact]
    public void Table_without_primary_key_is_reported()
    {
        var findings = Lint(new PrimaryKeyRule(), """
            CREATE TABLE IF NOT EXISTS public.audit (
                at timestamptz NOT NULL,
                UNIQUE (at)
            );
            CREATE TABLE later (id uuid NOT NULL);
            ALTER TABLE later ADD CONSTRAINT pk_later PRIMARY KEY (id);
            CREATE TEMP TABLE scratch (x int);
            CREATE TABLE IF NOT EXISTS audit_2025 PARTITION OF audit FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            """);

        var finding = Assert.Single(findings);
        Assert.Equal(1, finding.Line);
        Assert.Contains("audit", finding.Message);
    }

    [Fact]
    public void Table_without_row_level_security_or_policy_in_its_script_is_reported()
    {
        var findings = Lint(new RowLevelSecurityRule(), """
            CREATE TABLE secured (id uuid PRIMARY KEY);
            ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
            CREATE POLICY secured_all ON public.secured USING (true);

            CREATE TABLE open_table (id uuid PRIMARY KEY);
            CREATE TABLE no_policy (id uuid PRIMARY KEY);
            ALTER TABLE IF EXISTS no_policy ENABLE ROW LEVEL SECURITY;
            -- CREATE POLICY no_policy_all ON no_policy USING (true);
            """);

        Assert.Equal(
            [
                "5: table open_table has no ALTER TABLE ... ENABLE ROW LEVEL SECURITY in this script",
                "5: table open_table has no CREATE POLICY ... ON open_table in this script",
                "6: table no_policy has no CREATE POLICY ... ON no_policy in this script",
            ],
            findings.Select(f => $"{f.Line}: {f.Message}"));
    }

    [Fact]
    public void Uncast_array_of_string_literals_is_reported()
    {
        var findings = Lint(new EnumArrayCastRule(), """
            CREATE TABLE t (
                id uuid PRIMARY KEY,
                channels review_channel[] NOT NULL DEFAULT ARRAY['email', 'sms'],
                fixed review_channel[] NOT NULL DEFAULT ARRAY['email', 'it''s]']::review_channel[],
                spaced review_channel[] DEFAULT ARRAY['sms'] :: public.review_channel [ ],
                computed text[] DEFAULT ARRAY[lower('X')]
            );
            """);

        var finding = Assert.Single(findings);
        Assert.Equal(3, finding.Line);
        Assert.Contains("ARRAY['email', 'sms']", finding.Message);
    }

    [Fact]
    public void Foreign_key_column_without_a_leading_index_is_reported()
    {
        var findings = Lint(new ForeignKeyIndexRule(), """
            CREATE TABLE child (
                id uuid PRIMARY KEY,
                organization_id uuid NOT NULL REFERENCES organizations (id),
                parent_id uuid NOT NULL,
                other_id uuid REFERENCES others (id),
                CONSTRAINT fk_child_parent FOREIGN KEY (parent_id, organization_id)
                    REFERENCES parents (id, organization_id),
                CONSTRAINT uq_child_other UNIQUE (other_id, id)
            );
            -- organization_id leads an index; parent_id only comes second in one.
            CREATE INDEX ix_child_organization_id_parent_id ON child (organization_id, parent_id);
            CREATE INDEX ix_child_lower ON child (lower(parent_id::text));
            """);

        var finding = Assert.Single(findings);
        Assert.Equal(6, finding.Line);
        Assert.Contains("child.parent_id", finding.Message);
    }

    [Fact]
    public void Foreign_key_index_may_come_from_a_later_script_of_the_catalog()
    {
        var first = Script("CREATE TABLE child (id uuid PRIMARY KEY, parent_id uuid REFERENCES parents (id));");
        var later = Script("CREATE INDEX IF NOT EXISTS ix_child_parent_id ON public.child USING btree (parent_id);");

        Assert.Single(new ForeignKeyIndexRule().Check(first, [first]));
        Assert.Empty(new ForeignKeyIndexRule().Check(first, [first, later]));
    }

    [Fact]
    public void Policy_calling_a_helper_unwrapped_is_reported()
    {
        var findings = Lint(new WrappedHelperCallRule(), """
            CREATE POLICY ok ON t USING (organization_id = (SELECT app.current_organization_id()));
            CREATE POLICY per_row ON t FOR ALL TO wedsync_user
                USING (organization_id = (SELECT app.current_organization_id()))
                WITH CHECK (organization_id = app.current_organization_id() OR ( select  app.is_platform_admin() ));
            SELECT app.current_user_id();
            """);

        var finding = Assert.Single(findings);
        Assert.Equal(4, finding.Line);
        Assert.Contains("app.current_organization_id", finding.Message);
    }

    [Fact]
    public void What_up_refuses_is_reported_and_no_comment_accepts_it()
    {
        var findings = ScriptLinter.AllRules.Lint(Script("""
            CREATE INDEX ix_a ON t (a);
            CREATE UNIQUE INDEX CONCURRENTLY ix_b ON t (b);
            -- lint: allow migrator-refuses: no comment makes up run it
            DROP INDEX CONCURRENTLY ix_a;
            VACUUM (ANALYZE) public.referrals;
            """), []).Where(f => f.Rule == MigratorRefusalRule.RuleName).ToList();

        Assert.Equal([2, 4, 5], findings.Select(f => f.Line));
        Assert.All(findings, f => Assert.Equal(LintSeverity.Error, f.Severity));
    }

    private static SqlScriptFile Script(string sql) => SqlScriptFile.Parse("snippet.sql", sql);

    private static List<LintFinding> Lint(ILintRule rule, string sql)
    {
        var script = Script(sql);
        return rule.Check(script, [script]).ToList();
    }
}
