using WedSync.Migrations.Lint;

namespace WedSync.Tests.Schema.Lint;

/// <summary>The lint's findings are only as good as its reading of comments, literals and bodies.</summary>
public sealed class SqlLexerTests
{
    private const string Sample = """
        -- a comment; with a semicolon
        CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$
        BEGIN
            -- uuid_generate_v4() mentioned in a body comment
            RETURN 'a;b' || E'it\'s;' || $x$;$x$;
        END
        $body$;
        /* outer /* nested; */ still comment; */
        SELECT 'uuid_generate_v4()', "odd;name" FROM t;
        """;

    [Fact]
    public void Semicolons_in_comments_literals_and_bodies_do_not_split_statements()
    {
        var script = SqlScriptFile.Parse("sample.sql", Sample);

        Assert.Equal([2, 9], script.Statements.Select(statement => statement.Line));
        Assert.StartsWith("CREATE FUNCTION", script.Statements[0].Code);
        Assert.StartsWith("SELECT", script.Statements[1].Code);
    }

    [Fact]
    public void Comments_are_masked_everywhere_and_strings_only_in_the_skeleton()
    {
        var script = SqlScriptFile.Parse("sample.sql", Sample);

        Assert.DoesNotContain("comment", script.Code);
        Assert.DoesNotContain("mentioned", script.Code);
        Assert.Contains("'uuid_generate_v4()'", script.Code);
        Assert.DoesNotContain("uuid_generate_v4", script.Skeleton);
        Assert.Contains("RETURN", script.Skeleton);
        Assert.Equal(script.Text.Length, script.Skeleton.Length);
        Assert.Equal(script.Text.Count(c => c == '\n'), script.Skeleton.Count(c => c == '\n'));
    }

    [Fact]
    public void Offsets_map_to_one_based_lines()
    {
        var script = SqlScriptFile.Parse("lines.sql", "a\r\nbb\n\nc");

        Assert.Equal([1, 1, 2, 4], new[] { 0, 1, 2, 6 }.Select(script.LineAt));
    }
}
