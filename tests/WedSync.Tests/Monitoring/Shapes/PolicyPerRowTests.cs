using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>
/// Issue 15, kind 6: policy_per_row is decided from the expression tree. A claims helper wrapped in a
/// sub-select runs once per statement however the expression around it is written, so none of the
/// wrapped shapes is flagged (splinter #63: the warning stayed after the fix; #102: patterns that missed
/// spacing); every bare call is, in USING or WITH CHECK, alone or beside a wrapped one, and inside a
/// correlated sub-select (which runs per row too).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class PolicyPerRowTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Wrapped_helpers_pass_in_any_shape_and_bare_calls_are_flagged()
    {
        var p = $"pol_{Guid.NewGuid():N}"[..16];
        string[] wrapped =
        [
            "organization_id = (SELECT app.current_organization_id())",
            "organization_id = (SELECT app.current_organization_id()::uuid)",
            "organization_id = ANY (ARRAY(SELECT app.current_organization_id()))",
            "EXISTS (SELECT 1 WHERE (SELECT app.is_platform_admin()))",
            "(SELECT app.is_platform_admin()) IS TRUE",
            "organization_id = (SELECT (current_setting('request.jwt.claims', true)::jsonb ->> 'org')::uuid)",
            "organization_id IN (SELECT app.current_organization_id() UNION SELECT app.current_organization_id())",
            "owner_id = (SELECT app.current_user_id()) OR (SELECT app.is_platform_admin())",
        ];
        string[] bare =
        [
            "organization_id = app.current_organization_id()",
            "organization_id = (current_setting('request.org', true))::uuid",
            "organization_id = (SELECT app.current_organization_id()) OR app.is_platform_admin()",
            "EXISTS (SELECT 1 FROM user_profiles u WHERE u.organization_id = t.organization_id AND u.user_id = app.current_user_id())",
        ];
        var statements = new List<string>
        {
            $"CREATE TABLE {p} (id uuid PRIMARY KEY, organization_id uuid NOT NULL, owner_id uuid)",
            $"ALTER TABLE {p} ENABLE ROW LEVEL SECURITY",
        };
        statements.AddRange(wrapped.Select((expression, i) => $"CREATE POLICY {p}_ok{i} ON {p} AS PERMISSIVE FOR SELECT TO wedsync_user USING ({expression.Replace("t.organization_id", $"{p}.organization_id", StringComparison.Ordinal)})"));
        statements.AddRange(bare.Select((expression, i) => $"CREATE POLICY {p}_bad{i} ON {p} FOR SELECT TO wedsync_user USING ({expression.Replace("t.organization_id", $"{p}.organization_id", StringComparison.Ordinal)})"));
        statements.Add($"CREATE POLICY {p}_badcheck ON {p} FOR INSERT TO wedsync_user WITH CHECK (organization_id = app.current_organization_id())");
        statements.Add($"CREATE POLICY {p}_okcheck ON {p} FOR UPDATE TO wedsync_user USING ((SELECT app.is_platform_admin())) WITH CHECK (organization_id = (SELECT app.current_organization_id()))");
        await fixture.ExecuteAsync(string.Join(";\n", statements));
        try
        {
            var flagged = (await fixture.Api.FindingsAboutAsync(p))
                .Where(f => f.Check == "policy_per_row")
                .Select(f => f.Object.Split(' ')[0])
                .ToHashSet();
            var expected = bare.Select((_, i) => $"{p}_bad{i}").Append($"{p}_badcheck").ToHashSet();
            Assert.Equal(expected.Order(), flagged.Order());

            // Wrapping the bare calls clears them.
            await fixture.ExecuteAsync($"""
                ALTER POLICY {p}_bad0 ON {p} USING (organization_id = (SELECT app.current_organization_id()));
                ALTER POLICY {p}_badcheck ON {p} WITH CHECK (organization_id = (SELECT app.current_organization_id()));
                """);
            var after = (await fixture.Api.FindingsAboutAsync(p)).Where(f => f.Check == "policy_per_row").Select(f => f.Object.Split(' ')[0]).ToList();
            Assert.DoesNotContain($"{p}_bad0", after);
            Assert.DoesNotContain($"{p}_badcheck", after);
            Assert.Contains($"{p}_bad1", after);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}");
        }
    }
}
