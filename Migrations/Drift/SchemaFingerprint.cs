using Npgsql;

namespace WedSync.Migrations.Drift;

/// <summary>
/// The live schema as one row per object: a stable identity (kind and qualified name) and its
/// definition as PostgreSQL itself prints it (pg_get_indexdef, pg_get_constraintdef,
/// pg_get_functiondef, pg_get_viewdef, pg_get_triggerdef, policy expressions, column type, default
/// and nullability, ACLs). The migrator records it after every successful <c>up</c>; <c>verify</c>,
/// the API and the monitoring sampler compare the live schema with that record.
/// </summary>
/// <remarks>
/// Left out, because they change by themselves or are not the catalog's: PostgreSQL's own schemas
/// (pg_catalog, information_schema, pg_toast, temporary schemas), the migrator's journal schema,
/// objects that belong to an extension (the extension itself is listed, with its version), partitions
/// (the monitoring history sampler creates and drops daily partitions; their parents are listed),
/// internal triggers (foreign keys) and every counter (sequence values, statistics).
/// </remarks>
public static class SchemaFingerprint
{
    /// <summary>
    /// Run with <c>search_path = pg_catalog</c> (see <see cref="PinSearchPathSql"/>): PostgreSQL then
    /// qualifies every name outside pg_catalog in what it prints, so the text does not depend on the
    /// reader's search_path (the migrator's and the API's differ).
    /// </summary>
    public const string PinSearchPathSql = "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)";

    /// <summary>
    /// Columns: kind, name, definition. One row per object; (kind, name) is unique. Each name is built of its
    /// parts (schema, relation, attribute...) each quoted as PostgreSQL quotes it (quote_ident), so
    /// <c>"a.b".c</c> and <c>a."b.c"</c> are two names; rows that would still share one (none should) are
    /// folded into one, their definitions joined, so the store never meets a duplicate key.
    /// </summary>
    public const string Sql = "SELECT kind, name, string_agg(coalesce(definition, ''), E'\\n' ORDER BY coalesce(definition, '')) AS definition FROM (" + Objects + ") o GROUP BY kind, name";

    private const string Objects = """
        WITH ext_member AS (
            SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
        ), nsp AS (
            SELECT n.oid, quote_ident(n.nspname) AS nspname, n.nspowner, n.nspacl FROM pg_namespace n
            WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'wedsync_migrations')
              AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid)
        ), rel AS (
            SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relrowsecurity, c.relforcerowsecurity,
                   c.relpersistence, c.reloptions, n.nspname, n.nspname || '.' || quote_ident(c.relname) AS qualified
            FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND NOT c.relispartition
              AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
        ), fn AS (
            SELECT p.oid, p.prokind, p.proowner, p.proacl,
                   n.nspname || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS qualified
            FROM pg_proc p JOIN nsp n ON n.oid = p.pronamespace
            WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
        ), typ AS (
            SELECT t.oid, t.typtype, t.typowner, t.typacl, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid,
                   n.nspname || '.' || quote_ident(t.typname) AS qualified
            FROM pg_type t JOIN nsp n ON n.oid = t.typnamespace
            WHERE (t.typtype IN ('e', 'd', 'r')
                   OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
              AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
        ), acl AS (
            -- Every ACL spelled out (NULL means the owner's defaults), one entry per grantee and privilege.
            SELECT 'schema ' || n.nspname AS object, a.* FROM nsp n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
            UNION ALL
            SELECT CASE r.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' ELSE 'table ' END || r.qualified, a.*
            FROM rel r, aclexplode(coalesce(r.relacl, acldefault(CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", r.relowner))) a
            UNION ALL
            SELECT 'column ' || r.qualified || '.' || quote_ident(at.attname), a.*
            FROM rel r JOIN pg_attribute at ON at.attrelid = r.oid AND at.attnum > 0 AND NOT at.attisdropped AND at.attacl IS NOT NULL,
                 aclexplode(at.attacl) a
            UNION ALL
            SELECT 'function ' || f.qualified, a.* FROM fn f, aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a
            UNION ALL
            SELECT 'type ' || t.qualified, a.* FROM typ t, aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) a
        )
        SELECT 'schema'::text AS kind, n.nspname::text AS name, 'owner ' || pg_get_userbyid(n.nspowner) AS definition FROM nsp n
        UNION ALL
        SELECT 'extension', quote_ident(x.extname), x.extversion || ' in ' || x.extnamespace::regnamespace::text FROM pg_extension x
        UNION ALL
        SELECT CASE r.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
               r.qualified,
               concat_ws(' ',
                   CASE r.relkind WHEN 'p' THEN 'partitioned by ' || pg_get_partkeydef(r.oid) WHEN 'f' THEN 'foreign' END,
                   CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid) END,
                   CASE WHEN r.relkind = 'S' THEN (
                       SELECT format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, NULL),
                           s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
                       FROM pg_sequence s WHERE s.seqrelid = r.oid) END,
                   CASE r.relpersistence WHEN 'u' THEN 'unlogged' END,
                   CASE WHEN r.relrowsecurity THEN 'row level security' END,
                   CASE WHEN r.relforcerowsecurity THEN 'forced' END,
                   'with ' || (SELECT array_agg(o ORDER BY o) FROM unnest(r.reloptions) o)::text,
                   'owner ' || pg_get_userbyid(r.relowner),
                   -- Rules change what a statement on the relation does (DO INSTEAD NOTHING); a view's own _RETURN is its viewdef.
                   (SELECT string_agg(pg_get_ruledef(rw.oid) || CASE rw.ev_enabled WHEN 'O' THEN '' WHEN 'D' THEN ' disabled' WHEN 'R' THEN ' enabled replica' ELSE ' enabled always' END,
                                      ' ' ORDER BY rw.rulename)
                    FROM pg_rewrite rw WHERE rw.ev_class = r.oid AND rw.rulename <> '_RETURN'))
        FROM rel r
        UNION ALL
        SELECT 'column', r.qualified || '.' || quote_ident(a.attname),
               concat_ws(' ',
                   format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid)
                        THEN 'collate ' || a.attcollation::regcollation::text END,
                   CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END,
                   CASE a.attidentity WHEN 'a' THEN 'generated always as identity' WHEN 'd' THEN 'generated by default as identity' END,
                   CASE WHEN a.attgenerated = 's' THEN 'generated always as (' || pg_get_expr(d.adbin, d.adrelid) || ') stored'
                        WHEN d.adbin IS NOT NULL THEN 'default ' || pg_get_expr(d.adbin, d.adrelid) END)
        FROM rel r
        JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE r.relkind IN ('r', 'p', 'f')
        UNION ALL
        SELECT 'index', r.nspname || '.' || quote_ident(ic.relname),
               pg_get_indexdef(i.indexrelid) || CASE WHEN NOT i.indisvalid THEN ' INVALID' ELSE '' END
        FROM pg_index i
        JOIN rel r ON r.oid = i.indrelid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE NOT ic.relispartition
        UNION ALL
        SELECT 'constraint', coalesce(r.qualified, t.qualified) || '.' || quote_ident(co.conname), pg_get_constraintdef(co.oid)
        FROM pg_constraint co
        LEFT JOIN rel r ON r.oid = co.conrelid
        LEFT JOIN typ t ON t.oid = co.contypid
        WHERE r.oid IS NOT NULL OR t.oid IS NOT NULL
        UNION ALL
        SELECT 'policy', r.qualified || '.' || quote_ident(pol.polname),
               concat_ws(' ',
                   CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END,
                   'for ' || CASE pol.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END,
                   'to ' || (SELECT string_agg(CASE WHEN role = 0 THEN 'public' ELSE pg_get_userbyid(role) END, ', ' ORDER BY 1)
                             FROM unnest(pol.polroles) AS role),
                   'using (' || pg_get_expr(pol.polqual, pol.polrelid) || ')',
                   'with check (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')')
        FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
        UNION ALL
        SELECT 'function', f.qualified,
               CASE WHEN f.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(f.oid) END || ' owner ' || pg_get_userbyid(f.proowner)
        FROM fn f
        UNION ALL
        SELECT 'trigger', r.qualified || '.' || quote_ident(tg.tgname),
               pg_get_triggerdef(tg.oid) || CASE tg.tgenabled WHEN 'O' THEN '' WHEN 'D' THEN ' disabled' WHEN 'R' THEN ' enabled replica' ELSE ' enabled always' END
        FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid
        WHERE NOT tg.tgisinternal
        UNION ALL
        SELECT 'trigger', 'event trigger ' || quote_ident(et.evtname),
               concat_ws(' ', 'on ' || et.evtevent,
                   'when tag in (' || (SELECT string_agg(quote_literal(tag), ', ' ORDER BY tag) FROM unnest(et.evttags) tag) || ')',
                   'execute ' || et.evtfoid::regprocedure::text,
                   CASE et.evtenabled WHEN 'O' THEN NULL WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled replica' ELSE 'enabled always' END,
                   'owner ' || pg_get_userbyid(et.evtowner))
        FROM pg_event_trigger et
        WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_event_trigger'::regclass AND e.objid = et.oid)
        UNION ALL
        SELECT 'type', t.qualified,
               CASE t.typtype
                   WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                   WHEN 'd' THEN concat_ws(' ', 'domain ' || format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typnotnull THEN 'not null' END, 'default ' || t.typdefault)
                   WHEN 'r' THEN 'range of ' || (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid)
                   ELSE 'composite (' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
               END || ' owner ' || pg_get_userbyid(t.typowner)
        FROM typ t
        UNION ALL
        SELECT 'grant', acl.object || ' to ' || CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END,
               string_agg(DISTINCT acl.privilege_type || CASE WHEN acl.is_grantable THEN ' with grant option' ELSE '' END, ', ')
        FROM acl
        GROUP BY acl.object, acl.grantee
        UNION ALL
        SELECT 'default privileges',
               'on ' || CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' ELSE 'schemas' END
                   || ' created by ' || quote_ident(pg_get_userbyid(da.defaclrole)) || coalesce(' in ' || da.defaclnamespace::regnamespace::text, ''),
               (SELECT array_agg(a ORDER BY a::text) FROM unnest(da.defaclacl) a)::text
        FROM pg_default_acl da
        """;

    /// <summary>Reads the live schema (in the caller's transaction, which should have pinned the search_path).</summary>
    public static async Task<IReadOnlyList<SchemaObject>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT kind, name, md5(definition), definition FROM ({Sql}) f", connection, transaction);
        var objects = new List<SchemaObject>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            objects.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? "" : reader.GetString(3)));
        }

        return objects;
    }
}
