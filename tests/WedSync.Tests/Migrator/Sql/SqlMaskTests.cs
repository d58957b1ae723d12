using WedSync.Migrations.Lint;
using WedSync.Migrations.Sql;

namespace WedSync.Tests.Migrator.Sql;

/// <summary>
/// Issue 25, one lexer: the lint masks comments and strings with the runner's scanner, so it reads quoting as
/// psql and the server do. Each case is one the lint's former lexer read otherwise than the runner.
/// </summary>
public sealed class SqlMaskTests
{
    // With standard_conforming_strings off a backslash escapes the quote: the CREATE INDEX is inside the string.
    private const string EscapedQuote = "SELECT 'a\\' ; CREATE INDEX hidden_idx ON t (c); SELECT ';\n";

    [Fact]
    public void A_backslash_quote_ends_the_string_only_while_standard_conforming_strings_is_on()
    {
        var on = SqlMask.CommentsAndStrings(EscapedQuote);
        var off = SqlMask.CommentsAndStrings("SET standard_conforming_strings = off;\n" + EscapedQuote);

        Assert.Contains("CREATE INDEX hidden_idx", on);
        Assert.DoesNotContain("hidden_idx", off);
        // The lint's statements are the runner's: one statement under off, three under on.
        Assert.Equal(2, SqlScriptFile.Parse("off.sql", "SET standard_conforming_strings = off;\n" + EscapedQuote).Statements.Count);
        Assert.Equal(3, SqlScriptFile.Parse("on.sql", EscapedQuote).Statements.Count);
    }

    // pg_dump output: COPY ... FROM stdin rows are data, so an apostrophe in a row opens no string.
    [Fact]
    public void An_apostrophe_in_copy_data_hides_nothing_after_it()
    {
        const string dump = "COPY t (name) FROM stdin;\nO'Brien\n\\.\nCREATE INDEX after_copy_idx ON t (name);\n";

        var skeleton = SqlScriptFile.Parse("dump.sql", dump).Skeleton;

        Assert.Contains("CREATE INDEX after_copy_idx ON t (name)", skeleton);
    }

    [Fact]
    public void Masks_keep_offsets_and_line_breaks_and_mask_inside_dollar_bodies()
    {
        const string sql = "-- note; here\nCREATE FUNCTION f() RETURNS text LANGUAGE sql AS $b$ SELECT 'x' /* c */ $b$;\n";

        var code = SqlMask.Comments(sql);
        var skeleton = SqlMask.CommentsAndStrings(sql);

        Assert.Equal(sql.Length, code.Length);
        Assert.Equal(sql.Length, skeleton.Length);
        Assert.Equal(sql.IndexOf('\n'), code.IndexOf('\n'));
        Assert.DoesNotContain("note", code);
        Assert.DoesNotContain("/* c */", code);
        Assert.Contains("'x'", code);
        Assert.Contains("' '", skeleton);
        Assert.Contains("$b$ SELECT", skeleton);
    }
}
