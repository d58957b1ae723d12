using System.Net;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>
/// Done-when 2: row-level security, applied through the request's tenant session, decides what a
/// caller sees (another organization's rows do not exist: 404) and may change (403), and a refused
/// write leaves the row as it was.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TenantIsolationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Reading_another_organizations_member_by_id_is_404()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER");
        var b = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");

        using var response = await fixture.Api.GetAsync($"/api/members/{b["MEMBER"].Id}", a["OWNER"].Token());

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Platform_admin_of_another_organization_still_sees_no_foreign_member()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER");
        var b = await TestOrganization.CreateAsync(fixture, "MEMBER");

        using var response = await fixture.Api.GetAsync($"/api/members/{b["MEMBER"].Id}", a["OWNER"].Token("platform_admin"));

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Writing_another_organizations_member_is_404_and_the_row_is_unchanged()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER");
        var b = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");
        var before = await fixture.RowTextAsync("user_profiles", b["MEMBER"].Id);

        using var response = await fixture.Api.PatchJsonAsync(
            $"/api/members/{b["MEMBER"].Id}", a["OWNER"].Token(), new { displayName = "Taken over", role = "VIEWER" });

        await response.AssertProblemAsync(404);
        Assert.Equal(before, await fixture.RowTextAsync("user_profiles", b["MEMBER"].Id));
    }

    [Theory]
    [InlineData("MEMBER")]
    [InlineData("VIEWER")]
    public async Task Non_admin_changing_a_member_of_their_own_organization_is_403_and_the_row_is_unchanged(string role)
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER", role);
        var before = await fixture.RowTextAsync("user_profiles", a["OWNER"].Id);

        using var response = await fixture.Api.PatchJsonAsync(
            $"/api/members/{a["OWNER"].Id}", a[role].Token(), new { displayName = "Demoted", role = "VIEWER" });

        await response.AssertProblemAsync(403);
        Assert.Equal(before, await fixture.RowTextAsync("user_profiles", a["OWNER"].Id));
    }

    [Fact]
    public async Task Admin_may_not_give_the_owner_role()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER", "ADMIN", "MEMBER");
        var before = await fixture.RowTextAsync("user_profiles", a["MEMBER"].Id);

        using var response = await fixture.Api.PatchJsonAsync($"/api/members/{a["MEMBER"].Id}", a["ADMIN"].Token(), new { role = "OWNER" });

        await response.AssertProblemAsync(403);
        Assert.Equal(before, await fixture.RowTextAsync("user_profiles", a["MEMBER"].Id));
    }

    [Fact]
    public async Task Admin_changes_a_member_of_their_own_organization_and_it_is_committed()
    {
        var a = await TestOrganization.CreateAsync(fixture, "ADMIN", "MEMBER");

        using var response = await fixture.Api.PatchJsonAsync(
            $"/api/members/{a["MEMBER"].Id}", a["ADMIN"].Token(), new { displayName = "  Renamed member  ", role = "VIEWER" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var member = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Renamed member", member.GetProperty("displayName").GetString());
        Assert.Equal("VIEWER", member.GetProperty("role").GetString());
        Assert.Contains("Renamed member", await fixture.RowTextAsync("user_profiles", a["MEMBER"].Id));
    }

    [Fact]
    public async Task Member_list_shows_only_the_callers_organization_with_its_total()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER", "ADMIN", "MEMBER", "VIEWER");
        await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");

        using var response = await fixture.Api.GetAsync("/api/members?page=1&pageSize=3", a["VIEWER"].Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(4, page.GetProperty("total").GetInt64());
        var ids = page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.All(ids, id => Assert.Contains(a.Members, member => member.Id == id));
    }

    [Fact]
    public async Task Member_changing_the_organization_is_403_and_the_row_is_unchanged()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");
        var before = await fixture.RowTextAsync("organizations", a.Id);

        using var response = await fixture.Api.PatchJsonAsync("/api/organization", a["MEMBER"].Token(), new { name = "Hijacked" });

        await response.AssertProblemAsync(403);
        Assert.Equal(before, await fixture.RowTextAsync("organizations", a.Id));
    }

    [Fact]
    public async Task Taking_another_organizations_slug_is_409_and_the_row_is_unchanged()
    {
        var a = await TestOrganization.CreateAsync(fixture, "OWNER");
        var b = await TestOrganization.CreateAsync(fixture, "OWNER");
        var before = await fixture.RowTextAsync("organizations", a.Id);

        using var response = await fixture.Api.PatchJsonAsync("/api/organization", a["OWNER"].Token(), new { name = "Renamed", slug = b.Slug });

        await response.AssertProblemAsync(409);
        Assert.Equal(before, await fixture.RowTextAsync("organizations", a.Id));
    }
}
