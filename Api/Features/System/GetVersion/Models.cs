namespace WedSync.Api.Features.System.GetVersion;

public sealed record Response(string ApiVersion, string DatabaseVersion);
