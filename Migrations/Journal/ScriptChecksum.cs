using System.Security.Cryptography;
using System.Text;

namespace WedSync.Migrations.Journal;

/// <summary>SHA-256 of a script's text, blind to line endings so a Windows checkout is no drift.</summary>
public static class ScriptChecksum
{
    public static string Of(string contents)
    {
        var normalized = contents.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normalized))).ToLowerInvariant();
    }
}
