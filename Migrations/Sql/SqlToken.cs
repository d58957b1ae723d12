namespace WedSync.Migrations.Sql;

/// <summary>What a token is, as far as splitting and classifying statements needs to know.</summary>
public enum SqlTokenKind
{
    /// <summary>An unquoted identifier or keyword (PostgreSQL lexes both alike).</summary>
    Word,

    /// <summary>A double-quoted identifier, <c>"..."</c> or <c>U&amp;"..."</c>.</summary>
    QuotedIdentifier,

    /// <summary>A string constant: <c>'...'</c>, <c>E'...'</c>, <c>B'...'</c>, <c>X'...'</c>, <c>N'...'</c>, <c>U&amp;'...'</c>.</summary>
    String,

    /// <summary>A dollar-quoted string, <c>$tag$...$tag$</c> with any (or no) tag.</summary>
    DollarString,

    /// <summary>A positional parameter, <c>$1</c>.</summary>
    Parameter,

    Number,

    /// <summary>Operators and punctuation other than parentheses and the statement terminator.</summary>
    Symbol,

    OpenParen,

    CloseParen,

    /// <summary>A top-level <c>;</c> that ends a statement.</summary>
    Semicolon,

    /// <summary>A comment, <c>-- ...</c> to the end of the line or <c>/* ... */</c> (nested); never part of a statement.</summary>
    Comment,

    /// <summary>A psql backslash command (<c>\connect</c>, <c>\i</c>...), from the backslash to the end of the line.</summary>
    MetaCommand,
}

/// <summary>One token: its kind and where it sits in the script text.</summary>
public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;

    public string Text(string source) => source.Substring(Start, Length);
}
