using WedSync.Api.Features.Monitoring.Sessions;

namespace WedSync.Api.Features.Monitoring.Sessions.CancelSession;

/// <summary>pg_cancel_backend for a platform admin: the session's running statement ends, the session stays.</summary>
public sealed class Endpoint(ILogger<Endpoint> logger) : SessionSignalEndpoint(logger)
{
    protected override string Action => "cancel";

    public override void Configure() =>
        Describe("Cancel a session's running statement (platform admins)",
            "pg_cancel_backend: the statement ends with an error (57014) and its locks wait no longer; the connection stays open.");
}
