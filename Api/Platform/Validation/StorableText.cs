namespace WedSync.Api.Platform.Validation;

/// <summary>
/// Text PostgreSQL can store: no NUL (U+0000; text and jsonb refuse it, SQLSTATE 22P05) and no unpaired
/// UTF-16 surrogate (it has no UTF-8 form, so the driver cannot send it).
/// </summary>
public static class StorableText
{
    public const string NulMessage = "Must not contain the NUL character (U+0000): the database cannot store it.";

    public const string SurrogateMessage = "Must be valid Unicode text: it contains an unpaired surrogate.";

    /// <summary>Why the text cannot be stored as sent, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return NulMessage;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return SurrogateMessage;
            }
        }

        return null;
    }

    /// <summary>
    /// At most <paramref name="maxLength"/> UTF-16 units, cut on a character boundary (a surrogate pair is
    /// kept whole or dropped whole), with NULs and unpaired surrogates replaced by U+FFFD: for values the
    /// API stores whatever the client sent, such as the headers of a counted click.
    /// </summary>
    public static string Cut(string text, int maxLength)
    {
        var cut = text.Length <= maxLength ? text : text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)];
        return Problem(cut) is null ? cut : Repair(cut);
    }

    private static string Repair(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (chars[i] == '\0' || char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }
}
