using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// A serialization failure (40001) rolls the request's transaction back and runs it again: a conflict
/// that clears is invisible to the caller and the row is written once; one that does not clear is a 503
/// problem after the last attempt, with nothing written. The failures come from a trigger the test puts
/// on referral_share_events for its own marker only; a sequence counts the attempts because it is not
/// rolled back with them.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConflictRetryTests(AppHostFixture fixture)
{
    private const int MaxAttempts = 3;

    [Theory]
    [InlineData(2, 201)]
    [InlineData(100, 503)]
    public async Task Serialization_failure_is_retried_in_a_new_transaction(int failures, int expectedStatus)
    {
        var marker = $"retry-{Guid.NewGuid():N}"[..20];
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        var code = (await scenario.ReferOkAsync(owner, ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;
        var name = marker.Replace('-', '_');
        await fixture.ExecuteAsync($"""
            CREATE SEQUENCE {name}_attempts;
            CREATE FUNCTION {name}_conflict() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
            BEGIN
                IF NEW.platform = '{marker}' AND nextval('{name}_attempts') <= {failures} THEN
                    RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name}_conflict BEFORE INSERT ON referral_share_events
                FOR EACH ROW EXECUTE FUNCTION {name}_conflict();
            """);
        try
        {
            using var response = await fixture.Api.PostJsonAsync($"/api/referrals/{code}/shares", owner.Token(),
                new { shareType = "link", platform = marker });

            if (expectedStatus == 201)
            {
                Assert.Equal(201, (int)response.StatusCode);
            }
            else
            {
                await response.AssertProblemAsync(expectedStatus);
            }

            Assert.Equal(expectedStatus == 201 ? 1L : 0L,
                await fixture.ExecuteAsync("SELECT count(*) FROM referral_share_events WHERE platform = @marker", ("marker", marker)));
            Assert.Equal((long)Math.Min(failures + 1, MaxAttempts),
                await fixture.ExecuteAsync($"SELECT last_value FROM {name}_attempts"));
        }
        finally
        {
            await fixture.ExecuteAsync($"""
                DROP TRIGGER IF EXISTS {name}_conflict ON referral_share_events;
                DROP FUNCTION IF EXISTS {name}_conflict();
                DROP SEQUENCE IF EXISTS {name}_attempts;
                """);
        }
    }
}
