using System.Security.Cryptography;
using Npgsql;

namespace WedSync.Bench.Baseline;

public sealed record CreateReferralRequest(string? ReferredEmail, string? RewardType, string? ReferrerType);

public sealed record CreateReferralResponse(Guid ReferralId, string ReferralCode, string ShareUrl, string Status);

/// <summary>POST /referrals: a fresh 8-character code and the referral that uses it, in one transaction.</summary>
public static class CreateReferral
{
    private const string CodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string SignupUrl = "https://wedsync.example/signup";

    private const string InsertCode = """
        INSERT INTO referral_codes (organization_id, user_id, code)
        VALUES (@organization_id, @user_id, @code)
        ON CONFLICT (code) DO NOTHING
        RETURNING id
        """;

    private const string InsertReferral = """
        INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email, reward_type, client_ip)
        VALUES (@organization_id, @referral_code_id, @referrer_user_id, @referrer_type, @referred_email, @reward_type, @client_ip)
        RETURNING id, status
        """;

    public static async Task<IResult> HandleAsync(CreateReferralRequest request, HttpContext context, NpgsqlDataSource dataSource, Referrers referrers)
    {
        var email = request.ReferredEmail?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email) || email.IndexOf('@', StringComparison.Ordinal) < 1 || email.Length > 320)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "referredEmail must be an e-mail address");
        }

        var (userId, organizationId) = referrers.Next();
        var cancellationToken = context.RequestAborted;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Codes are unique platform-wide; a collision (1 in 2.8e12 per pair) just draws again.
        Guid? codeId = null;
        var code = "";
        for (var attempt = 0; codeId is null && attempt < 5; attempt++)
        {
            code = RandomNumberGenerator.GetString(CodeAlphabet, 8);
            await using var insertCode = new NpgsqlCommand(InsertCode, connection, transaction);
            insertCode.Parameters.AddWithValue("organization_id", organizationId);
            insertCode.Parameters.AddWithValue("user_id", userId);
            insertCode.Parameters.AddWithValue("code", code);
            codeId = (Guid?)await insertCode.ExecuteScalarAsync(cancellationToken);
        }

        if (codeId is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "no free referral code");
        }

        await using var insertReferral = new NpgsqlCommand(InsertReferral, connection, transaction);
        insertReferral.Parameters.AddWithValue("organization_id", organizationId);
        insertReferral.Parameters.AddWithValue("referral_code_id", codeId.Value);
        insertReferral.Parameters.AddWithValue("referrer_user_id", userId);
        insertReferral.Parameters.AddWithValue("referrer_type", request.ReferrerType ?? "supplier");
        insertReferral.Parameters.AddWithValue("referred_email", email);
        insertReferral.Parameters.AddWithValue("reward_type", request.RewardType ?? "credit");
        insertReferral.Parameters.AddWithValue("client_ip", (object?)context.Connection.RemoteIpAddress ?? DBNull.Value);
        try
        {
            await using var reader = await insertReferral.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var referralId = reader.GetGuid(0);
            var status = reader.GetString(1);
            await reader.CloseAsync();
            await transaction.CommitAsync(cancellationToken);
            return Results.Created($"/referrals/{referralId}",
                new CreateReferralResponse(referralId, code, $"{SignupUrl}?ref={code}", status));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "this person was already referred");
        }
    }
}
