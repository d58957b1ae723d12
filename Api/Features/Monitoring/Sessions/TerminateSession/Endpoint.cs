using WedSync.Api.Features.Monitoring.Sessions;

namespace WedSync.Api.Features.Monitoring.Sessions.TerminateSession;

/// <summary>pg_terminate_backend for a platform admin: the connection ends, its transaction rolls back.</summary>
public sealed class Endpoint(ILogger<Endpoint> logger) : SessionSignalEndpoint(logger)
{
    protected override string Action => "terminate";

    public override void Configure() =>
        Describe("Terminate a session (platform admins)",
            "pg_terminate_backend: the connection is closed and its open transaction rolled back, releasing every lock it held (e.g. a session idle in transaction).");
}
