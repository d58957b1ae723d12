namespace WedSync.Migrations;

/// <summary>The configuration is missing or wrong (no connection string...); exit code 2.</summary>
public sealed class MigratorConfigurationException(string message) : Exception(message);
