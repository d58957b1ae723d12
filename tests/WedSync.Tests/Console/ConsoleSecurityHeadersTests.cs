using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Console;

/// <summary>Every console answer, page or redirect, forbids framing and sniffing, over plain HTTP.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleSecurityHeadersTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("/console/signin")]
    [InlineData("/console")]
    [InlineData("/console/events")]
    public async Task Console_answers_carry_a_content_security_policy_forbidding_framing(string path)
    {
        using var response = await fixture.Api.GetAsync(path);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }
}
