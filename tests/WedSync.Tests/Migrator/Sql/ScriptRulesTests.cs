using WedSync.Migrations.Sql;

namespace WedSync.Tests.Migrator.Sql;

/// <summary>What is refused before anything runs, and what is not.</summary>
public sealed class ScriptRulesTests
{
    private static IReadOnlyList<ScriptProblem> Check(string sql)
    {
        var scanned = SqlScanner.Scan(sql);
        return ScriptRules.Check("x.sql", scanned, ScriptModeMarker.Of(sql));
    }

    [Theory]
    [InlineData("CREATE TABLE t_c (id int);\nCOMMIT;", 2, "COMMIT")]
    [InlineData("BEGIN;\nCREATE TABLE t (id int);", 1, "BEGIN")]
    [InlineData("CREATE TABLE t (id int);\n\nEND;", 3, "END")]
    [InlineData("SAVEPOINT s;", 1, "SAVEPOINT")]
    [InlineData("CREATE TABLE t (id int);\n  ROLLBACK;", 2, "ROLLBACK")]
    [InlineData("START TRANSACTION ISOLATION LEVEL SERIALIZABLE;", 1, "START")]
    [InlineData("SELECT 1;\nCOPY t FROM stdin;\n1\n\\.\n", 2, "COPY")]
    [InlineData("\\connect other\nSELECT 1;", 1, "\\connect")]
    [InlineData("SELECT 1;\n\\i more.sql", 2, "\\i")]
    [InlineData("CREATE INDEX CONCURRENTLY ix ON referrals (client_ip);", 1, "CREATE INDEX CONCURRENTLY")]
    [InlineData("VACUUM (ANALYZE) referrals;", 1, "VACUUM")]
    [InlineData("SELECT 1;\nDO $$ BEGIN INSERT INTO t VALUES (1); COMMIT; END $$;", 2, "DO")]
    [InlineData("CREATE DATABASE other;", 1, "CREATE DATABASE")]
    [InlineData("-- migrator: no-transaction\nCREATE DATABASE other;", 2, "CREATE DATABASE")]
    public void Refused_with_line_and_statement(string sql, int line, string statement)
    {
        var problem = Assert.Single(Check(sql));

        Assert.Equal(line, problem.Line);
        Assert.StartsWith(statement, problem.Statement);
        Assert.Contains("x.sql, line " + line, problem.ToString());
    }

    [Theory]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;")]
    [InlineData("DO $$ BEGIN PERFORM 1; END $$;")]
    [InlineData("SELECT 'COMMIT;'; /* ROLLBACK; */ SELECT $x$ \\connect $x$;")]
    [InlineData("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; CREATE TABLE t (id int);")]
    [InlineData("COPY t TO '/tmp/file'; CREATE INDEX ix ON t (id);")]
    public void Accepted(string sql)
    {
        Assert.Empty(Check(sql));
    }

    [Theory]
    [InlineData("-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);\nDROP INDEX CONCURRENTLY IF EXISTS old_ix;\nVACUUM (ANALYZE) t;\nREINDEX INDEX CONCURRENTLY ix;\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';")]
    [InlineData("\n  --   MIGRATOR:no-transaction  \nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux ON t (a);")]
    [InlineData("-- migrator: no-transaction\nREINDEX SCHEMA public;\nREINDEX TABLE t;\nALTER SYSTEM SET log_min_duration_statement = '1s';")]
    public void No_transaction_script_of_idempotent_autocommit_statements_is_accepted(string sql)
    {
        Assert.Equal(ScriptMode.NoTransaction, ScriptModeMarker.Of(sql));
        Assert.Empty(Check(sql));
    }

    [Theory]
    [InlineData("-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY ix ON t (a);", "IF NOT EXISTS")]
    [InlineData("-- migrator: no-transaction\nDROP INDEX CONCURRENTLY old_ix;", "IF EXISTS")]
    [InlineData("-- migrator: no-transaction\nCREATE TABLE t (id int);", "no-transaction script holds only")]
    [InlineData("-- migrator: no-transaction\nSET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a);", "no-transaction script holds only")]
    public void No_transaction_script_is_kept_to_what_needs_it(string sql, string reason)
    {
        Assert.Contains(reason, Assert.Single(Check(sql)).Reason);
    }

    [Fact]
    public void Index_target_is_read_from_create_index_concurrently()
    {
        var statement = SqlScanner.Scan("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Ix\" ON ONLY public.\"My Table\" (a)").Statements[0];

        Assert.Equal(new IndexTarget("Ix", "public.\"My Table\""), IndexTarget.Of(statement));
    }
}
