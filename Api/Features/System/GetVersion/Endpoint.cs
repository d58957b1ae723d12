using System.Reflection;
using FastEndpoints;
using Npgsql;

namespace WedSync.Api.Features.System.GetVersion;

/// <summary>Which build of the API answers, and which PostgreSQL it talks to.</summary>
public sealed class Endpoint(NpgsqlDataSource dataSource) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/version");
        AllowAnonymous();
        Summary(s => s.Summary = "The API's version and the database server's version");
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT current_setting('server_version')");
        var serverVersion = (string?)await command.ExecuteScalarAsync(ct) ?? "unknown";
        var version = typeof(Endpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        await Send.OkAsync(new Response(version, serverVersion), ct);
    }
}
