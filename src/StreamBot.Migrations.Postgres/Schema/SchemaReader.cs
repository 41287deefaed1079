using Npgsql;
using StreamBot.Migrations.Schema;

namespace StreamBot.Migrations.Postgres.Schema;

/// <summary>
/// Reads a <see cref="SchemaSnapshot"/> from the catalogs in one query: everything that changes what the application
/// can do or what happens to its rows. Tables (partition key and bounds, persistence, row security, replica identity,
/// storage options, owner), columns (type, nullability, default, identity, generation, collation, statistics target,
/// storage, compression), constraints, indexes (definition, validity, replica identity), sequences (with OWNED BY),
/// views (options such as security_barrier), functions and procedures (result, language, volatility, strictness,
/// security, leakproofness, parallel safety, argument defaults, SET options, owner and a hash of the whole definition,
/// which covers SQL-standard BEGIN ATOMIC bodies), triggers and rules (with their enabled state), row security
/// policies, extended statistics, enum, domain and composite types, extensions, schemas, privileges that differ from
/// the owner's (tables, columns, sequences, views, functions, schemas, types) and comments. Objects of system schemas
/// and of extensions are left out, and so are this tool's own tables (journal, progress, lock, drizzle-orm's journal),
/// which are not the application's schema. What is not read is listed in <see cref="SchemaSnapshot.NotCompared"/>.
/// </summary>
internal static class SchemaReader
{
    // Objects are named without "public." and with it elsewhere, so messages read as the migrations were written.
    // Privileges are read as the owner's defaults filled in (acldefault) minus the owner's own, so a GRANT followed by
    // its REVOKE compares equal to never granting.
    private const string Query = """
        WITH rel AS (
          SELECT c.oid, c.relkind, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
            AND NOT (n.nspname || '.' || c.relname = ANY($1))
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            -- a sequence of a tool table (its id column) is the tool's too
            AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class o ON o.oid = d.refobjid JOIN pg_namespace onsp ON onsp.oid = o.relnamespace
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                              AND onsp.nspname || '.' || o.relname = ANY($1))
        ), typ AS (
          SELECT t.oid, t.typtype, t.typrelid, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typowner, t.typacl,
                 t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')) AS standalone,
                 CASE WHEN n.nspname = 'public' THEN t.typname ELSE n.nspname || '.' || t.typname END AS name
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
        ), fn AS (
          SELECT p.oid, p.prokind, p.proowner, p.proacl,
                 CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END
                 || CASE WHEN n.nspname = 'public' THEN p.proname ELSE n.nspname || '.' || p.proname END || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        ), nsp AS (
          SELECT n.oid, n.nspname AS name, n.nspowner, n.nspacl FROM pg_namespace n
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
        ), grants AS (
          SELECT kind, name, string_agg(grantee || ' ' || privilege, ', ' ORDER BY grantee, privilege) AS granted
          FROM (
            SELECT CASE WHEN r.relkind = 'S' THEN 'sequence ' WHEN r.relkind IN ('v', 'm') THEN 'view ' ELSE 'table ' END AS kind, r.name, c.relowner AS owner,
                   (aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)))).*
            FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            UNION ALL
            SELECT 'column ', r.name || '.' || a.attname, c.relowner, (aclexplode(a.attacl)).*
            FROM rel r JOIN pg_class c ON c.oid = r.oid JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
            UNION ALL
            SELECT '', f.name, f.proowner, (aclexplode(coalesce(f.proacl, acldefault('f', f.proowner)))).* FROM fn f
            UNION ALL
            SELECT 'schema ', s.name, s.nspowner, (aclexplode(coalesce(s.nspacl, acldefault('n', s.nspowner)))).* FROM nsp s
            UNION ALL
            SELECT 'type ', t.name, t.typowner, (aclexplode(coalesce(t.typacl, acldefault('T', t.typowner)))).* FROM typ t WHERE t.standalone
          ) x(kind, name, owner, grantor, grantee_oid, privilege, grantable)
          CROSS JOIN LATERAL (SELECT CASE WHEN x.grantee_oid = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee_oid) END
                              || CASE WHEN x.grantable THEN ' (with grant option)' ELSE '' END AS grantee) g
          WHERE x.grantee_oid <> x.owner
          GROUP BY kind, name
        )
        SELECT 'schema ' || s.name, 'schema owner ' || pg_get_userbyid(s.nspowner) FROM nsp s
          WHERE s.name <> 'public'
            AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = s.oid AND NOT (s.name || '.' || c.relname = ANY($1))
                        UNION ALL SELECT 1 FROM pg_proc p WHERE p.pronamespace = s.oid UNION ALL SELECT 1 FROM pg_type t WHERE t.typnamespace = s.oid AND t.typtype IN ('e', 'd')
                        UNION ALL SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = s.oid))
        UNION ALL
        SELECT 'table ' || r.name,
               CASE r.relkind WHEN 'p' THEN 'partitioned table (' || pg_get_partkeydef(c.oid) || ')' WHEN 'f' THEN 'foreign table' ELSE 'table' END
               || CASE WHEN c.relispartition THEN ' partition of ' || p.name || ' ' || pg_get_expr(c.relpartbound, c.oid) ELSE '' END
               || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END
               || CASE WHEN c.relrowsecurity THEN ' row level security' || CASE WHEN c.relforcerowsecurity THEN ' forced' ELSE '' END ELSE '' END
               || CASE c.relreplident WHEN 'n' THEN ' replica identity nothing' WHEN 'f' THEN ' replica identity full' WHEN 'i' THEN ' replica identity using index' ELSE '' END
               || coalesce(' with (' || array_to_string(c.reloptions, ', ') || ')', '')
               || coalesce(' tablespace ' || (SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace), '')
               || ' owner ' || pg_get_userbyid(c.relowner)
        FROM rel r JOIN pg_class c ON c.oid = r.oid
        LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid LEFT JOIN rel p ON p.oid = i.inhparent
        WHERE r.relkind IN ('r', 'p', 'f')
        UNION ALL
        SELECT 'column ' || r.name || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || CASE a.attidentity WHEN 'a' THEN ' generated always as identity' WHEN 'd' THEN ' generated by default as identity' ELSE '' END
               || CASE a.attgenerated WHEN 's' THEN ' stored generated' ELSE '' END
               || CASE WHEN co.collname IS NOT NULL AND co.collname <> 'default' THEN ' collate ' || co.collname ELSE '' END
               || CASE WHEN coalesce(a.attstattarget::int, -1) >= 0 THEN ' statistics ' || a.attstattarget ELSE '' END
               || CASE a.attstorage WHEN t.typstorage THEN '' WHEN 'p' THEN ' storage plain' WHEN 'e' THEN ' storage external' WHEN 'm' THEN ' storage main' ELSE ' storage extended' END
               /*COMPRESSION*/
        FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE r.relkind IN ('r', 'p', 'f')
        UNION ALL
        SELECT 'constraint ' || con.conname || ' on ' || r.name, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
        UNION ALL
        SELECT 'index ' || i.name || ' on ' || t.name, pg_get_indexdef(x.indexrelid) || CASE WHEN x.indisvalid THEN '' ELSE ' (INVALID)' END
               || coalesce(' tablespace ' || (SELECT spcname FROM pg_tablespace s JOIN pg_class c ON c.reltablespace = s.oid WHERE c.oid = x.indexrelid), '')
               || CASE WHEN x.indisreplident THEN ' (replica identity)' ELSE '' END || CASE WHEN x.indisclustered THEN ' (clustered)' ELSE '' END
        FROM pg_index x JOIN rel i ON i.oid = x.indexrelid JOIN rel t ON t.oid = x.indrelid
        UNION ALL
        SELECT 'sequence ' || r.name, format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
               || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
               || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END
               || coalesce((SELECT ' owned by ' || o.name || '.' || a.attname FROM pg_depend d JOIN rel o ON o.oid = d.refobjid
                            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1), '')
               || ' owner ' || pg_get_userbyid(c.relowner)
        FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid JOIN pg_class c ON c.oid = s.seqrelid
        WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
                            AND d.deptype IN ('a', 'i') AND d.refobjid NOT IN (SELECT oid FROM rel))
        UNION ALL
        SELECT CASE r.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || r.name,
               pg_get_viewdef(r.oid, true) || coalesce(' with (' || array_to_string(c.reloptions, ', ') || ')', '') || ' owner ' || pg_get_userbyid(c.relowner)
        FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('v', 'm')
        UNION ALL
        SELECT f.name,
               coalesce(pg_get_function_result(p.oid), 'void') || ' language ' || l.lanname || ' volatility ' || p.provolatile::text
               || CASE WHEN p.proisstrict THEN ' strict' ELSE '' END || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END
               || CASE WHEN p.proleakproof THEN ' leakproof' ELSE '' END || ' parallel ' || p.proparallel::text
               || CASE WHEN p.pronargdefaults > 0 THEN ' arguments (' || pg_get_function_arguments(p.oid) || ')' ELSE '' END
               || coalesce(' set ' || array_to_string(p.proconfig, ', '), '')
               || ' owner ' || pg_get_userbyid(p.proowner)
               || ' body md5 ' || md5(CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE coalesce(p.prosrc, '') END)
        FROM fn f JOIN pg_proc p ON p.oid = f.oid JOIN pg_language l ON l.oid = p.prolang
        UNION ALL
        SELECT 'trigger ' || tg.tgname || ' on ' || r.name,
               pg_get_triggerdef(tg.oid) || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replica only)' WHEN 'A' THEN ' (enabled always)' ELSE '' END
        FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
        UNION ALL
        SELECT 'rule ' || rw.rulename || ' on ' || r.name,
               pg_get_ruledef(rw.oid) || CASE rw.ev_enabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replica only)' WHEN 'A' THEN ' (enabled always)' ELSE '' END
        FROM pg_rewrite rw JOIN rel r ON r.oid = rw.ev_class WHERE rw.rulename <> '_RETURN'
        UNION ALL
        SELECT 'policy ' || pol.polname || ' on ' || r.name,
               CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END
               || ' for ' || CASE pol.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END
               || ' to ' || (SELECT string_agg(CASE WHEN role = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(role) END, ', ' ORDER BY 1) FROM unnest(pol.polroles) role)
               || coalesce(' using (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
               || coalesce(' with check (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '')
        FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
        UNION ALL
        SELECT 'statistics ' || CASE WHEN n.nspname = 'public' THEN st.stxname ELSE n.nspname || '.' || st.stxname END || ' on ' || r.name,
               pg_get_statisticsobjdef(st.oid) || CASE WHEN coalesce(st.stxstattarget::int, -1) >= 0 THEN ' statistics ' || st.stxstattarget ELSE '' END
        FROM pg_statistic_ext st JOIN rel r ON r.oid = st.stxrelid JOIN pg_namespace n ON n.oid = st.stxnamespace
        UNION ALL
        SELECT 'type ' || t.name, 'enum (' || string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) || ')'
        FROM typ t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typtype = 'e' GROUP BY t.name
        UNION ALL
        SELECT 'type ' || t.name, 'domain ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || t.typdefault, '')
               || coalesce((SELECT ' ' || string_agg(pg_get_constraintdef(c.oid), ' ' ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid), '')
        FROM typ t WHERE t.typtype = 'd'
        UNION ALL
        SELECT 'type ' || t.name, 'composite (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ')'
        FROM typ t JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE t.typtype = 'c' GROUP BY t.name
        UNION ALL
        SELECT 'extension ' || x.extname, 'extension' FROM pg_extension x WHERE x.extname <> 'plpgsql'
        UNION ALL
        SELECT 'privileges on ' || g.kind || g.name, g.granted FROM grants g
        UNION ALL
        SELECT 'default privileges of ' || pg_get_userbyid(d.defaclrole) || coalesce(' in schema ' || n.nspname, '') || ' on '
               || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' ELSE 'schemas' END,
               array_to_string(d.defaclacl, ', ')
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        UNION ALL
        SELECT 'comment on ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
        FROM pg_description d
        WHERE CASE d.classoid
                WHEN 'pg_class'::regclass THEN d.objoid IN (SELECT oid FROM rel)
                WHEN 'pg_proc'::regclass THEN d.objoid IN (SELECT oid FROM fn)
                WHEN 'pg_type'::regclass THEN d.objoid IN (SELECT oid FROM typ WHERE standalone)
                WHEN 'pg_namespace'::regclass THEN d.objoid IN (SELECT oid FROM nsp) AND d.objoid <> 'public'::regnamespace
                WHEN 'pg_constraint'::regclass THEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.oid = d.objoid AND (c.conrelid IN (SELECT oid FROM rel) OR c.contypid IN (SELECT oid FROM typ)))
                WHEN 'pg_trigger'::regclass THEN EXISTS (SELECT 1 FROM pg_trigger t WHERE t.oid = d.objoid AND t.tgrelid IN (SELECT oid FROM rel))
                WHEN 'pg_policy'::regclass THEN EXISTS (SELECT 1 FROM pg_policy p WHERE p.oid = d.objoid AND p.polrelid IN (SELECT oid FROM rel))
                WHEN 'pg_rewrite'::regclass THEN EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.oid = d.objoid AND w.ev_class IN (SELECT oid FROM rel))
                WHEN 'pg_statistic_ext'::regclass THEN EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.oid = d.objoid AND s.stxrelid IN (SELECT oid FROM rel))
                ELSE false END
        """;

    /// <summary>The schema of <paramref name="connection"/>'s database, without the tables named in <paramref name="toolTables"/> ("schema.table").</summary>
    public static async Task<SchemaSnapshot> ReadAsync(NpgsqlConnection connection, IReadOnlyCollection<string> toolTables, NpgsqlTransaction? transaction = null)
    {
        // Column compression exists from PostgreSQL 14.
        var query = Query.Replace("/*COMPRESSION*/", connection.PostgreSqlVersion.Major >= 14
            ? "|| CASE a.attcompression WHEN 'p' THEN ' compression pglz' WHEN 'l' THEN ' compression lz4' ELSE '' END" : string.Empty, StringComparison.Ordinal);
        // format_type and the pg_get_*def functions qualify what the search_path does not show: read under one fixed
        // search_path (and no statement_timeout), whatever a migration SET on this session, so the same schema always
        // reads the same. The query's
        // cost estimate crosses jit_above_cost, and compiling it (about 300 ms) takes thirty times longer than running it.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("SELECT pg_catalog.set_config('search_path', 'public', false), pg_catalog.set_config('statement_timeout', '0', false)"
                    + (connection.PostgreSqlVersion.Major >= 11 ? ", pg_catalog.set_config('jit', 'off', false)" : string.Empty)),
                new(query) { Parameters = { new() { Value = toolTables.ToArray() } } },
            },
        };
        var objects = new List<KeyValuePair<string, string>>();
        await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.NextResultAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            objects.Add(KeyValuePair.Create(reader.GetString(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1)));
        }

        return new SchemaSnapshot(objects);
    }

    /// <summary>This tool's tables (and drizzle-orm's journal), as "schema.table": not part of the application's schema.</summary>
    public static IReadOnlyCollection<string> ToolTables(Sql.QualifiedName journal)
    {
        var schema = journal.Schema ?? "public";
        return
        [
            $"{schema}.{journal.Name}", $"{schema}.{journal.Name}_progress", $"{schema}.{journal.Name}{Journal.JournalSet.BesideDrizzleSuffix}",
            $"{schema}.{journal.Name}{Journal.JournalSet.BesideDrizzleSuffix}_progress", $"{schema}.{journal.Name}_schema",
            $"{schema}.{journal.Name}{Journal.JournalSet.BesideDrizzleSuffix}_schema",
            "public.migration_lock", Journal.DrizzleJournalTable.DefaultName,
        ];
    }
}
