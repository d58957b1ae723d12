using Npgsql;

namespace WedSync.Bench.Baseline;

/// <summary>
/// Who refers: the people of bench/data/referrals.sql who made the history, taken in turn. The real
/// API learns the referrer and organization from the token (and user_profiles); the baseline has no
/// auth, so it spreads its inserts over people instead. Not the load users the API's run uses:
/// their per-day limits must start empty for the API.
/// </summary>
public sealed class Referrers(NpgsqlDataSource dataSource)
{
    private (Guid UserId, Guid OrganizationId)[] people = [];
    private long next = -1;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT user_id, organization_id FROM user_profiles WHERE email LIKE 'user-%' ORDER BY user_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var loaded = new List<(Guid, Guid)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            loaded.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        if (loaded.Count == 0)
        {
            throw new InvalidOperationException("No bench users (user_profiles.email LIKE 'user-%'): run bench/data/referrals.sql first.");
        }

        people = [.. loaded];
    }

    public (Guid UserId, Guid OrganizationId) Next() => people[(int)(Interlocked.Increment(ref next) % people.Length)];
}
