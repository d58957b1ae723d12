namespace WedSync.Migrations.Engine;

/// <summary>A script failed; the message names it, says why and what of it was committed.</summary>
public sealed class ScriptFailedException(string message, Exception? inner = null) : Exception(message, inner);
