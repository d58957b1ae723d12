namespace WedSync.Migrations.Catalog;

/// <summary>The request manifest cannot be read; the message names the source, the request and what is wrong.</summary>
public sealed class RequestManifestException(string message, Exception? inner = null) : Exception(message, inner);
