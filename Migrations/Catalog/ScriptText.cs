using System.Buffers;
using System.Text.Unicode;

namespace WedSync.Migrations.Catalog;

/// <summary>
/// A script's bytes read as psql reads them with client_encoding UTF8: one UTF-8 byte order mark dropped
/// (as .NET always did, so existing checksums stay), and any byte sequence that is not UTF-8 refused
/// naming the line, where a lenient decoder would send U+FFFD to the server in its place.
/// </summary>
public static class ScriptText
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static string ReadFile(string path, string name) => Decode(File.ReadAllBytes(path), name);

    public static string Decode(ReadOnlySpan<byte> bytes, string name)
    {
        var utf16Bom = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF));
        if (bytes.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var line = bytes[..bytesRead].Count((byte)'\n') + 1;
                var hint = utf16Bom
                    ? "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"
                    : $"byte 0x{bytes[bytesRead]:X2} at offset {bytesRead} is not UTF-8 (a file saved as windows-1252 or Latin-1?); save it as UTF-8";
                throw new ScriptEncodingException(name, line, $"{name}, line {line}: invalid byte sequence for encoding \"UTF8\" (psql refuses this file): {hint}");
            }

            var text = new string(chars, 0, charsWritten);
            // One byte order mark is the file's encoding; a second is a character psql would send and PostgreSQL reject.
            if (text.StartsWith('\uFEFF'))
            {
                throw new ScriptEncodingException(name, 1, $"{name}, line 1: a second byte order mark follows the first; psql would send it and PostgreSQL reject it as a syntax error: remove it");
            }

            return text;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}

/// <summary>A script whose bytes psql would refuse: nothing of the run is applied.</summary>
public sealed class ScriptEncodingException(string script, int line, string message) : Exception(message)
{
    public string Script { get; } = script;

    public int Line { get; } = line;
}
