using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Schema.Isolation;

/// <summary>
/// Tenant isolation as the request role, the way the API runs requests: the owner of organization
/// A (an OWNER, the most privileged tenant role) tries to read, write, change and delete rows of
/// organization B in every tenant table the database holds, and to move its own rows into B.
/// Every test creates its own two organizations with a row in every tenant table, commits what
/// the attempts managed to do, and then checks as the database owner that B's rows are untouched.
/// Outcomes accepted as "refused": 42501 (a row-level security violation or a missing grant: the
/// API answers both with 403) or, for UPDATE and DELETE, zero rows affected.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TenantIsolationTests(AppHostFixture fixture)
{
    [Fact]
    public void Every_tenant_table_has_a_row_factory_entry()
    {
        using var owner = fixture.OpenDatabase();
        var tables = TenantCatalog.Tables(owner);

        var missing = tables.Except(TenantRowFactory.Tables).ToList();
        var stale = TenantRowFactory.Tables.Except(tables).ToList();

        Assert.True(missing.Count == 0, $"tenant table(s) without a row in TenantRowFactory (add one, after its parents): {string.Join(", ", missing)}");
        Assert.True(stale.Count == 0, $"TenantRowFactory rows for table(s) that are no tenant table: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Request_role_of_org_A_sees_no_row_of_org_B()
    {
        var (owner, a, b, tables) = SeedTwoTenants();
        using (owner)
        {
            using var session = new RequestRoleSession(owner, a);
            var failures = new List<string>();
            foreach (var table in tables)
            {
                var ofB = session.Count($"SELECT count(*) FROM public.{TenantCatalog.Quote(table)} WHERE organization_id = @b", ("b", b.OrganizationId));
                var ofA = session.Count($"SELECT count(*) FROM public.{TenantCatalog.Quote(table)} WHERE organization_id = @a", ("a", a.OrganizationId));
                if (ofB != 0)
                {
                    failures.Add($"{table}: A sees {ofB} row(s) of B");
                }

                if (ofA == 0)
                {
                    // A control: if A saw nothing at all, "no row of B" would prove nothing.
                    failures.Add($"{table}: A sees none of its own rows, so the claims or policies are not working");
                }
            }

            AssertNoFailures(failures);
        }
    }

    [Fact]
    public void Request_role_of_org_A_sees_no_row_of_org_B_through_views()
    {
        var (owner, a, b, _) = SeedTwoTenants();
        using (owner)
        {
            var views = TenantCatalog.Views(owner);
            Assert.NotEmpty(views);
            var failures = views
                .Where(view => TenantCatalog.CountAsOwner(owner, view, b.OrganizationId) == 0)
                .Select(view => $"{view}: holds no row of B even for the owner, so the seed does not reach it and the check would prove nothing")
                .ToList();

            using var session = new RequestRoleSession(owner, a);
            foreach (var view in views)
            {
                var ofB = session.Count($"SELECT count(*) FROM public.{TenantCatalog.Quote(view)} WHERE organization_id = @b", ("b", b.OrganizationId));
                if (ofB != 0)
                {
                    failures.Add($"{view}: A sees {ofB} row(s) of B (a view without security_invoker runs as its owner and bypasses RLS)");
                }
            }

            AssertNoFailures(failures);
        }
    }

    [Fact]
    public void Request_role_of_org_A_cannot_insert_a_row_for_org_B()
    {
        AssertRefusedAndBUnchanged((session, owner, _, b, table) =>
        {
            // B's own valid row with a fresh id: nothing but the tenant check stands in its way.
            using var insert = TenantRowFactory.Command(owner, table, b, freshRow: true);
            var outcome = session.Execute(insert);
            return outcome.Denied ? null : $"INSERT of a row of B {outcome}";
        });
    }

    [Fact]
    public void Request_role_of_org_A_cannot_update_a_row_of_org_B()
    {
        // A column the role may update, so RLS is what refuses; tables without one test the grant.
        using var catalog = fixture.OpenDatabase();
        var columns = TenantCatalog.Tables(catalog).ToDictionary(table => table, table => TenantCatalog.UpdatableColumn(catalog, table) ?? "organization_id");

        AssertRefusedAndBUnchanged((session, _, _, b, table) =>
        {
            var column = columns[table];
            var quoted = TenantCatalog.Quote(column);
            var outcome = session.Execute(
                $"UPDATE public.{TenantCatalog.Quote(table)} SET {quoted} = {quoted} WHERE organization_id = @b", ("b", b.OrganizationId));
            return outcome.DeniedOrNoRows ? null : $"UPDATE of B's rows ({column}) {outcome}";
        });
    }

    [Fact]
    public void Request_role_of_org_A_cannot_delete_a_row_of_org_B()
    {
        AssertRefusedAndBUnchanged((session, _, _, b, table) =>
        {
            var outcome = session.Execute(
                $"DELETE FROM public.{TenantCatalog.Quote(table)} WHERE organization_id = @b", ("b", b.OrganizationId));
            return outcome.DeniedOrNoRows ? null : $"DELETE of B's rows {outcome}";
        });
    }

    [Fact]
    public void Request_role_of_org_A_cannot_move_its_own_rows_to_org_B()
    {
        AssertRefusedAndBUnchanged((session, _, a, b, table) =>
        {
            var outcome = session.Execute(
                $"UPDATE public.{TenantCatalog.Quote(table)} SET organization_id = @b WHERE organization_id = @a",
                ("a", a.OrganizationId), ("b", b.OrganizationId));
            return outcome.DeniedOrNoRows ? null : $"UPDATE of A's rows to organization B {outcome}";
        });
    }

    [Fact]
    public void Request_role_of_org_A_sees_only_its_own_organization()
    {
        // organizations is keyed by id, not organization_id, so the catalog discovery above skips it.
        var (owner, a, b, _) = SeedTwoTenants();
        using (owner)
        {
            using var session = new RequestRoleSession(owner, a);

            Assert.Equal(0, session.Count("SELECT count(*) FROM organizations WHERE id = @b", ("b", b.OrganizationId)));
            Assert.Equal(1, session.Count("SELECT count(*) FROM organizations WHERE id = @a", ("a", a.OrganizationId)));
            var rename = session.Execute("UPDATE organizations SET name = 'Taken over' WHERE id = @b", ("b", b.OrganizationId));
            Assert.True(rename.DeniedOrNoRows, $"UPDATE of organization B {rename}");
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> (null = refused as expected, else what went wrong) for every
    /// tenant table in one request-role transaction, commits it, and checks as the owner that
    /// neither A's nor B's rows changed.
    /// </summary>
    private void AssertRefusedAndBUnchanged(Func<RequestRoleSession, NpgsqlConnection, Tenant, Tenant, string, string?> attempt)
    {
        var (owner, a, b, tables) = SeedTwoTenants();
        using (owner)
        {
            var beforeA = TenantCatalog.Snapshot(owner, tables, a.OrganizationId);
            var beforeB = TenantCatalog.Snapshot(owner, tables, b.OrganizationId);
            var failures = new List<string>();
            using (var session = new RequestRoleSession(owner, a))
            {
                foreach (var table in tables)
                {
                    if (attempt(session, owner, a, b, table) is { } failure)
                    {
                        failures.Add($"{table}: {failure}");
                    }
                }

                session.Commit();
            }

            failures.AddRange(Changed("B", beforeB, TenantCatalog.Snapshot(owner, tables, b.OrganizationId)));
            failures.AddRange(Changed("A", beforeA, TenantCatalog.Snapshot(owner, tables, a.OrganizationId)));
            AssertNoFailures(failures);
        }
    }

    /// <summary>Two fresh organizations with a row in every tenant table (checked, as the owner).</summary>
    private (NpgsqlConnection Owner, Tenant A, Tenant B, IReadOnlyList<string> Tables) SeedTwoTenants()
    {
        var owner = fixture.OpenDatabase();
        try
        {
            var a = Tenant.New("A");
            var b = Tenant.New("B");
            TenantRowFactory.Seed(owner, a);
            TenantRowFactory.Seed(owner, b);

            var tables = TenantCatalog.Tables(owner);
            var unseeded = tables.Where(table => TenantCatalog.CountAsOwner(owner, table, b.OrganizationId) == 0).ToList();
            Assert.True(unseeded.Count == 0,
                $"tenant table(s) with no row of B, so isolation can't be tested there (add a row to TenantRowFactory): {string.Join(", ", unseeded)}");
            return (owner, a, b, tables);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    private static IEnumerable<string> Changed(string label, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Where(entry => after[entry.Key] != entry.Value)
            .Select(entry => $"{entry.Key}: {label}'s rows changed ({entry.Value} -> {after[entry.Key]})");

    private static void AssertNoFailures(IReadOnlyCollection<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} isolation failure(s):\n  {string.Join("\n  ", failures)}");
}
