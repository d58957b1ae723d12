using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Stats;

/// <summary>Totals, rewards and tier of the caller, in one query over the referrer indexes.</summary>
public sealed class Endpoint : TenantEndpoint<EmptyRequest, Response>
{
    public override void Configure()
    {
        Get("/referrals/stats");
        Summary(s => s.Summary = "The caller's referral totals, rewards (cents), viral coefficient and tier");
    }

    private Response? read;

    /// <summary>The query rides in the session's opening batch: one round trip less per request.</summary>
    protected override OpeningQuery OpeningQueryFor(EmptyRequest req) =>
        new(new NpgsqlBatchCommand(Data.Sql), async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            read = Data.Read(reader);
        });

    protected override Task HandleInSessionAsync(EmptyRequest req, CancellationToken ct) =>
        // The reader is closed before answering: the answer commits the session on this connection.
        Send.OkAsync(read ?? throw new InvalidOperationException("The stats were not read with the session."), ct);
}
