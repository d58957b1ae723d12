using System.Net;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Click;

/// <summary>
/// The SQL of /r/{code}: anonymous, so each call runs as the request role without claims, through the
/// SECURITY DEFINER functions made for it.
/// </summary>
public sealed class Data(NpgsqlDataSource dataSource)
{
    /// <summary>Records one click (counted or filtered); false when the code is not live.</summary>
    public Task<bool> RecordAsync(string code, IPAddress? ip, object userAgent, object referer, Guid visitor, CancellationToken ct) =>
        ScalarAsync(new NpgsqlBatchCommand("SELECT record_referral_click(@code, @ip, @userAgent, @referer, @visitor, @window)")
        {
            Parameters =
            {
                new NpgsqlParameter("code", code),
                new NpgsqlParameter("ip", NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value },
                new NpgsqlParameter("userAgent", NpgsqlDbType.Text) { Value = userAgent },
                new NpgsqlParameter("referer", NpgsqlDbType.Text) { Value = referer },
                new NpgsqlParameter("visitor", NpgsqlDbType.Uuid) { Value = visitor },
                new NpgsqlParameter("window", NpgsqlDbType.Interval) { Value = VisitorCookie.RepeatWindow },
            },
        }, ct);

    /// <summary>Whether the code leads on, writing nothing (HEAD).</summary>
    public Task<bool> IsLiveAsync(string code, CancellationToken ct) =>
        ScalarAsync(new NpgsqlBatchCommand("SELECT referral_link_is_live(@code)") { Parameters = { new NpgsqlParameter("code", code) } }, ct);

    private async Task<bool> ScalarAsync(NpgsqlBatchCommand command, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new NpgsqlBatchCommand($"SET LOCAL ROLE {TenantSession.RequestRole}"), command },
        };
        try
        {
            var result = await batch.ExecuteScalarAsync(ct) is true;
            await transaction.CommitAsync(ct);
            return result;
        }
        catch (PostgresException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            PreparedStatementReset.AfterFailure(connection);
            throw;
        }
    }
}
