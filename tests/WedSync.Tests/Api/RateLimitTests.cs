using System.Net;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>Done-when 6: past its per-minute limit a user gets 429 with Retry-After; other users do not.</summary>
[Collection(AppHostCollection.Name)]
public sealed class RateLimitTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Past_the_limit_a_user_gets_429_with_retry_after_and_another_user_does_not()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");
        var busy = organization["OWNER"].Token();

        HttpResponseMessage? limited = null;
        var accepted = 0;
        // Twice the limit at most: a window that happens to renew mid-loop still ends in a 429.
        for (var i = 0; i < 2 * AppHostFixture.ApiPermitsPerMinute && limited is null; i++)
        {
            var response = await fixture.Api.GetAsync("/api/organization", busy);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(accepted >= AppHostFixture.ApiPermitsPerMinute, $"limited after {accepted}");
            await limited.AssertProblemAsync(429);
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        }

        using var other = await fixture.Api.GetAsync("/api/organization", organization["MEMBER"].Token());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
