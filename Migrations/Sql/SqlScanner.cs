namespace WedSync.Migrations.Sql;

/// <summary>
/// Cuts a script into statements where psql would: at a semicolon outside quotes, dollar quotes,
/// comments (nested <c>/* */</c>), parentheses and SQL-standard function bodies
/// (<c>BEGIN ATOMIC ... END</c>). It follows PostgreSQL's scanner (<c>scan.l</c>) for what a token
/// is and psql's (<c>psqlscan.l</c>) for where a statement ends, including its heuristic for
/// function bodies and its tracking of <c>standard_conforming_strings</c>, which decides whether a
/// backslash in <c>'...'</c> escapes the next character. Nothing is rewritten: statements are slices
/// of the original text.
/// </summary>
public static class SqlScanner
{
    public static ScannedScript Scan(string source, bool standardConformingStrings = true)
    {
        var state = new ScanState(source, standardConformingStrings);
        state.Run();
        return new ScannedScript(state.Statements, state.MetaCommands) { Comments = state.Comments };
    }

    private sealed class ScanState(string source, bool standardConformingStrings)
    {
        private readonly List<SqlToken> current = [];
        private readonly char[] firstWords = new char[4];
        private bool standardStrings = standardConformingStrings;
        private int position;
        private int parenDepth;
        private int beginDepth;
        private int wordCount;
        private int lineOffset;
        private int lineCounted;

        public List<SqlStatement> Statements { get; } = [];

        public List<PsqlMetaCommand> MetaCommands { get; } = [];

        public List<SqlToken> Comments { get; } = [];

        public void Run()
        {
            while (position < source.Length)
            {
                ScanOne();
            }

            EndStatement();
        }

        private char At(int index) => index < source.Length ? source[index] : '\0';

        private void ScanOne()
        {
            var start = position;
            var c = source[position];
            var next = At(position + 1);
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r' or '\f' or '\v':
                    position++;
                    return;
                case '-' when next == '-':
                    SkipLineComment();
                    Comments.Add(new SqlToken(SqlTokenKind.Comment, start, position - start));
                    return;
                case '/' when next == '*':
                    SkipBlockComment();
                    Comments.Add(new SqlToken(SqlTokenKind.Comment, start, position - start));
                    return;
                case '\\':
                    ReadMetaCommand();
                    return;
                case '\'':
                    ReadQuoted(position, '\'', backslashEscapes: !standardStrings);
                    Add(SqlTokenKind.String, start);
                    return;
                case 'e' or 'E' when next == '\'':
                    ReadQuoted(position + 1, '\'', backslashEscapes: true);
                    Add(SqlTokenKind.String, start);
                    return;
                case 'b' or 'B' or 'x' or 'X' when next == '\'':
                    ReadQuoted(position + 1, '\'', backslashEscapes: false);
                    Add(SqlTokenKind.String, start);
                    return;
                case 'n' or 'N' when next == '\'':
                    ReadQuoted(position + 1, '\'', backslashEscapes: !standardStrings);
                    Add(SqlTokenKind.String, start);
                    return;
                case 'u' or 'U' when next == '&' && At(position + 2) is '\'' or '"':
                    var quote = At(position + 2);
                    ReadQuoted(position + 2, quote, backslashEscapes: false);
                    Add(quote == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, start);
                    return;
                case '"':
                    ReadQuoted(position, '"', backslashEscapes: false);
                    Add(SqlTokenKind.QuotedIdentifier, start);
                    return;
                case '$':
                    ReadDollar();
                    return;
                case '(':
                    position++;
                    parenDepth++;
                    Add(SqlTokenKind.OpenParen, start);
                    return;
                case ')':
                    position++;
                    parenDepth = Math.Max(0, parenDepth - 1);
                    Add(SqlTokenKind.CloseParen, start);
                    return;
                case ';':
                    position++;
                    if (parenDepth == 0 && beginDepth == 0)
                    {
                        EndStatement();
                    }
                    else
                    {
                        Add(SqlTokenKind.Symbol, start);
                    }

                    return;
            }

            if (IsIdentifierStart(c))
            {
                ReadWord();
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(next)))
            {
                ReadNumber();
            }
            else
            {
                position++;
                Add(SqlTokenKind.Symbol, start);
            }
        }

        private void Add(SqlTokenKind kind, int start) => current.Add(new SqlToken(kind, start, position - start));

        private void SkipLineComment()
        {
            while (position < source.Length && source[position] is not ('\n' or '\r'))
            {
                position++;
            }
        }

        // Block comments nest in PostgreSQL (unlike the SQL standard and most other scanners).
        private void SkipBlockComment()
        {
            var depth = 0;
            while (position < source.Length)
            {
                if (source[position] == '/' && At(position + 1) == '*')
                {
                    depth++;
                    position += 2;
                }
                else if (source[position] == '*' && At(position + 1) == '/')
                {
                    depth--;
                    position += 2;
                    if (depth == 0)
                    {
                        return;
                    }
                }
                else
                {
                    position++;
                }
            }
        }

        // psql reads a backslash command up to the end of the line; it is never sent to the server.
        private void ReadMetaCommand()
        {
            var start = position;
            SkipLineComment();
            MetaCommands.Add(new PsqlMetaCommand(LineOf(start), source[start..position].TrimEnd()));
        }

        /// <summary>Reads from the opening quote at <paramref name="open"/> past the closing one; a doubled quote is one character.</summary>
        private void ReadQuoted(int open, char quote, bool backslashEscapes)
        {
            position = open + 1;
            while (position < source.Length)
            {
                var c = source[position];
                if (backslashEscapes && c == '\\')
                {
                    position += 2;
                }
                else if (c == quote)
                {
                    position++;
                    if (At(position) != quote)
                    {
                        return;
                    }

                    position++;
                }
                else
                {
                    position++;
                }
            }

            position = source.Length;
        }

        // $1 is a parameter; $tag$ (tag: an identifier without '$', or empty) opens a dollar quote that
        // only the same $tag$ closes. A '$' inside a word never gets here: it belongs to the word.
        private void ReadDollar()
        {
            var start = position;
            if (char.IsAsciiDigit(At(position + 1)))
            {
                position++;
                while (char.IsAsciiDigit(At(position)))
                {
                    position++;
                }

                Add(SqlTokenKind.Parameter, start);
                return;
            }

            var tagEnd = position + 1;
            if (IsIdentifierStart(At(tagEnd)))
            {
                while (tagEnd < source.Length && IsIdentifierPart(source[tagEnd]) && source[tagEnd] != '$')
                {
                    tagEnd++;
                }
            }

            if (At(tagEnd) != '$')
            {
                position++;
                Add(SqlTokenKind.Symbol, start);
                return;
            }

            var delimiter = source[position..(tagEnd + 1)];
            var close = source.IndexOf(delimiter, tagEnd + 1, StringComparison.Ordinal);
            position = close < 0 ? source.Length : close + delimiter.Length;
            Add(SqlTokenKind.DollarString, start);
        }

        private void ReadWord()
        {
            var start = position;
            while (position < source.Length && IsIdentifierPart(source[position]))
            {
                position++;
            }

            Add(SqlTokenKind.Word, start);
            TrackFunctionBody(source.AsSpan(start, position - start));
        }

        // psql's heuristic: in CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, outside parentheses, BEGIN
        // opens a body that END closes (CASE also ends with END once inside one), and a semicolon
        // inside the body does not end the statement.
        private void TrackFunctionBody(ReadOnlySpan<char> word)
        {
            if (wordCount == 0)
            {
                Array.Clear(firstWords);
            }

            if (wordCount < firstWords.Length && (Is(word, "create") || Is(word, "function") || Is(word, "procedure") || Is(word, "or") || Is(word, "replace")))
            {
                firstWords[wordCount] = char.ToLowerInvariant(word[0]);
            }

            wordCount++;
            var inRoutine = firstWords[0] == 'c'
                && (firstWords[1] is 'f' or 'p' || (firstWords[1] == 'o' && firstWords[2] == 'r' && firstWords[3] is 'f' or 'p'));
            if (!inRoutine || parenDepth != 0)
            {
                return;
            }

            if (Is(word, "begin"))
            {
                beginDepth++;
            }
            else if (Is(word, "case") && beginDepth >= 1)
            {
                beginDepth++;
            }
            else if (Is(word, "end") && beginDepth > 0)
            {
                beginDepth--;
            }
        }

        private void ReadNumber()
        {
            var start = position;
            while (position < source.Length && (char.IsAsciiLetterOrDigit(source[position]) || source[position] is '_' or '.'))
            {
                // An exponent's sign belongs to the number: 1e-5.
                if (source[position] is 'e' or 'E' && At(position + 1) is '+' or '-' && char.IsAsciiDigit(At(position + 2)))
                {
                    position++;
                }

                position++;
            }

            Add(SqlTokenKind.Number, start);
        }

        private void EndStatement()
        {
            wordCount = 0;
            if (current.Count == 0)
            {
                return;
            }

            var statement = new SqlStatement(source, Statements.Count + 1, LineOf(current[0].Start), current.ToList());
            current.Clear();
            Statements.Add(statement);
            FollowStandardConformingStrings(statement);
            if (statement.StartsWith("copy") && statement.ContainsWords("from", "stdin"))
            {
                SkipCopyData();
            }
        }

        // In a file, psql feeds the lines after COPY ... FROM stdin to the server up to a line "\.";
        // they are data, not SQL.
        private void SkipCopyData()
        {
            var lineEnd = source.IndexOf('\n', position);
            while (lineEnd >= 0)
            {
                var next = source.IndexOf('\n', lineEnd + 1);
                var line = source[(lineEnd + 1)..(next < 0 ? source.Length : next)].TrimEnd('\r');
                if (line == "\\.")
                {
                    position = next < 0 ? source.Length : next + 1;
                    return;
                }

                lineEnd = next;
            }

            position = source.Length;
        }

        // psql learns the setting from the server after each statement; a script that turns it off
        // makes backslashes in later '...' literals escapes.
        private void FollowStandardConformingStrings(SqlStatement statement)
        {
            // Only SET and RESET matter: the words of every other statement are not worth listing here.
            if (statement.StartsWith("reset") && statement.Words is { Count: 2 } words && words[1] is "standard_conforming_strings" or "all")
            {
                standardStrings = true;
                return;
            }

            if (!statement.StartsWith("set"))
            {
                return;
            }

            var tokens = statement.Tokens;
            var index = 1;
            if (index < tokens.Count && tokens[index].Kind == SqlTokenKind.Word && tokens[index].Text(source).ToLowerInvariant() is "session" or "local")
            {
                index++;
            }

            if (tokens.Count != index + 3 || !string.Equals(tokens[index].Text(source), "standard_conforming_strings", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            var value = tokens[index + 2].Text(source).Trim('\'').ToLowerInvariant();
            standardStrings = value is not ("off" or "false" or "no" or "0");
        }

        // Offsets only grow, so lines are counted once, from the last offset asked about.
        private int LineOf(int offset)
        {
            if (offset < lineOffset)
            {
                return 1 + source.AsSpan(0, offset).Count('\n');
            }

            lineCounted += source.AsSpan(lineOffset, offset - lineOffset).Count('\n');
            lineOffset = offset;
            return 1 + lineCounted;
        }

        private static bool Is(ReadOnlySpan<char> word, string keyword) => word.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

        private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.IsAsciiDigit(c) || c == '$';
    }
}
