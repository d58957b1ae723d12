using FastEndpoints;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>The answer to a reward transition: the reward's state after it and the ledger entry that records it.</summary>
public sealed record RewardTransitionResponse(Guid RewardId, string State, bool AlreadyApplied, Guid LedgerEntryId);

/// <summary>The route and reason of a reward transition.</summary>
public class RewardTransitionRequest
{
    /// <summary>The reward's id, from the route.</summary>
    public Guid Id { get; init; }

    /// <summary>Why (kept in the ledger entry); up to 1000 characters.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Moves a reward through <c>referral_reward_transition</c>, which locks the reward and records each
/// transition once (unique per reward and transition), so repeated or parallel calls append one entry
/// and the others answer it with alreadyApplied.
/// </summary>
public static class RewardTransitions
{
    public static readonly string[] States = ["pending", "approved", "fulfilled", "revoked", "clawed_back"];

    private const string Sql = "SELECT outcome, reward_state, entry_id FROM referral_reward_transition(@id, @to, @reason)";

    /// <summary>What referral_reward_transition answered: applied, already, forbidden, invalid_transition, spend_cap_reached or not_found.</summary>
    public sealed record Outcome(string Name, string? State, Guid? Entry);

    /// <summary>The transition in the caller's session (the endpoints and the console's review queue).</summary>
    public static async Task<Outcome> TransitionAsync(TenantSession session, Guid id, string to, string? reason, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.Add(new Npgsql.NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Outcome(
            reader.GetString(reader.GetOrdinal("outcome")),
            reader.IsDBNull(reader.GetOrdinal("reward_state")) ? null : reader.GetString(reader.GetOrdinal("reward_state")),
            reader.IsDBNull(reader.GetOrdinal("entry_id")) ? null : reader.GetGuid(reader.GetOrdinal("entry_id")));
    }

    public static async Task<IResult> ApplyAsync(TenantSession session, Guid id, string to, string? reason, CancellationToken ct)
    {
        var (outcome, state, entry) = await TransitionAsync(session, id, to, reason, ct);
        return outcome switch
        {
            "applied" or "already" => TypedResults.Ok(new RewardTransitionResponse(id, state!, outcome == "already", entry!.Value)),
            "forbidden" => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                detail: to is "fulfilled" or "clawed_back" ? "Only WedSync's billing service moves a reward there." : "Only an organization admin (OWNER or ADMIN) reviews rewards."),
            "invalid_transition" => ReferralProblems.RuleBroken(StatusCodes.Status409Conflict,
                $"A reward in state {state} cannot become {to}.", [$"state_{state}"]),
            "spend_cap_reached" => ReferralProblems.RuleBroken(StatusCodes.Status409Conflict,
                "The organization's spend cap for this period does not leave room for this reward; it stays pending.", ["spend_cap_reached"]),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No reward with this id."),
        };
    }

    /// <summary>The statuses every transition endpoint may answer, for its OpenAPI summary.</summary>
    public static void Describe(EndpointSummary s, string forbiddenWho)
    {
        s.Responses[StatusCodes.Status200OK] = "The reward's state after the transition and its ledger entry; alreadyApplied when it had happened before (nothing new was written).";
        s.Responses[StatusCodes.Status403Forbidden] = forbiddenWho;
        s.Responses[StatusCodes.Status404NotFound] = "No reward with this id in the caller's organization.";
        s.Responses[StatusCodes.Status409Conflict] = "The reward's state does not allow this transition (reasons: state_<current>), or an approval would pass the organization's spend cap (reasons: spend_cap_reached).";
    }
}
