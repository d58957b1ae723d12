namespace WedSync.Migrations.Engine;

/// <summary>The run's lock session ended (terminated, cut by a pooler or the network): the run stops before its next write.</summary>
public sealed class MigrationLockLostException(string message, Exception? inner = null) : Exception(message, inner);
