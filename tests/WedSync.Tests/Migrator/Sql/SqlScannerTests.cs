using WedSync.Migrations.Sql;

namespace WedSync.Tests.Migrator.Sql;

/// <summary>The scanner cuts statements where psql does, and nowhere else.</summary>
public sealed class SqlScannerTests
{
    private static IReadOnlyList<string> Statements(string sql) => SqlScanner.Scan(sql).Statements.Select(s => s.Text).ToList();

    [Theory]
    [InlineData("CREATE FUNCTION t_tagged() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$; SELECT 2", 2)]
    [InlineData("SELECT $a$ $b$ ; $b$ $a$; SELECT 2", 2)]
    [InlineData("SELECT $$;$$, $_x1$;$_x1$; SELECT 2", 2)]
    [InlineData("SELECT 'it''s; here'; SELECT 2", 2)]
    [InlineData("SELECT E'it\\'s; here'; SELECT 2", 2)]
    [InlineData("SELECT e'\\\\'; SELECT 2", 2)]
    [InlineData("SELECT 'back\\'; SELECT 2", 2)]
    [InlineData("SELECT U&'d\\0061t;a'; SELECT 2", 2)]
    [InlineData("SELECT \"semi;colon\" FROM t; SELECT 2", 2)]
    [InlineData("SELECT 1 /* outer /* inner ; */ still ; comment */; SELECT 2", 2)]
    [InlineData("SELECT 1 -- a comment; not a statement\n; SELECT 2", 2)]
    [InlineData("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 2", 2)]
    [InlineData("SELECT a$b$c FROM t; SELECT $1; SELECT 2", 3)]
    public void Semicolons_inside_quotes_comments_and_parentheses_do_not_end_a_statement(string sql, int count)
    {
        Assert.Equal(count, Statements(sql).Count);
        Assert.Equal("SELECT 2", Statements(sql)[^1]);
    }

    [Fact]
    public void Sql_standard_function_bodies_stay_whole_like_psql_keeps_them()
    {
        const string sql = """
            CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT a + 1;
              SELECT CASE WHEN a > 0 THEN a ELSE 0 END;
            END;
            CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;
            SELECT 3;
            """;

        var statements = Statements(sql);

        Assert.Equal(3, statements.Count);
        Assert.EndsWith("END", statements[0]);
        Assert.StartsWith("CREATE PROCEDURE", statements[1]);
    }

    // supabase/cli#6562 (an alias ending in "end" closed the body), #5020 ("atomic" in a name opened one),
    // pgjdbc#4379 (the body never closed, gluing the next statement to it).
    [Theory]
    [InlineData("CREATE OR REPLACE FUNCTION probe() RETURNS int LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT 1 AS pending; END; SELECT 2")]
    [InlineData("CREATE OR REPLACE FUNCTION fn_atomic() RETURNS void LANGUAGE plpgsql AS $$ BEGIN NULL; END; $$; SELECT 2")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 ELSE 2 END; END; SELECT 2")]
    [InlineData("CREATE TABLE atomic_end (id int); SELECT 2")]
    public void Function_body_heuristics_found_broken_elsewhere_hold_here(string sql)
    {
        Assert.Equal(2, Statements(sql).Count);
        Assert.Equal("SELECT 2", Statements(sql)[^1]);
    }

    [Fact]
    public void After_standard_conforming_strings_is_turned_off_a_backslash_escapes_the_quote()
    {
        var statements = Statements("SET standard_conforming_strings = off; SELECT 'a\\'; b'; SELECT 2; RESET standard_conforming_strings; SELECT 'c\\'; SELECT 4");

        Assert.Equal(["SET standard_conforming_strings = off", "SELECT 'a\\'; b'", "SELECT 2", "RESET standard_conforming_strings", "SELECT 'c\\'", "SELECT 4"], statements);
    }

    [Fact]
    public void Statements_know_their_line_and_keep_the_text_as_written()
    {
        var scanned = SqlScanner.Scan("-- header\n\nCREATE TABLE a (id int);\n/* note */ INSERT INTO a\n  VALUES (1);\n");

        Assert.Equal([3, 4], scanned.Statements.Select(s => s.Line));
        Assert.Equal("INSERT INTO a\n  VALUES (1)", scanned.Statements[1].Text);
        Assert.Equal(5, scanned.Statements[1].LineOf(scanned.Statements[1].Start + 16));
    }

    [Fact]
    public void Backslash_commands_outside_quotes_are_psql_meta_commands()
    {
        var scanned = SqlScanner.Scan("SELECT '\\not'; \n\\connect other\nSELECT $$ \\i nothing $$;\n\\i file.sql\n");

        Assert.Equal([2, 4], scanned.MetaCommands.Select(m => m.Line));
        Assert.Equal("\\connect other", scanned.MetaCommands[0].Text);
        Assert.Equal(2, scanned.Statements.Count);
    }

    [Fact]
    public void Only_comments_make_no_statement()
    {
        Assert.Empty(Statements("-- nothing\n/* at /* all */ */\n;;\n"));
    }
}
