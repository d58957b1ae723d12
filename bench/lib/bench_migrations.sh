# Migrating an empty database: the migrator (its process start included) against psql applying the same
# scripts, concatenated in name order, one transaction per script as the migrator applies them (a script
# whose first line is `-- migrator: no-transaction` statement by statement: CREATE INDEX CONCURRENTLY
# cannot run in a transaction block, so one transaction for the whole catalog is no longer possible);
# then a no-op run on a migrated database.

MIGRATION_DB=wedsync_migrate
SHIPPED_MIGRATOR=bench/out/shipped/migrator/WedSync.Migrations
R2R_MIGRATOR_DLL=bench/out/r2r/migrator/WedSync.Migrations.dll

# The migrator as it ships: `dotnet publish -r linux-x64` on Linux compiles it ahead of time (Native AOT, a
# native executable; Migrations.csproj), as for the container image. ReadyToRun (`-p:PublishAot=false`, what
# a publish from another OS gives) and the build output (JIT) are measured beside it. Built entirely under
# bench/out (--artifacts-path) so the repository's bin/obj stay as they are.
publish_shipped_migrator() {
    log "publish (Release, linux-x64): the migrator as it ships (Native AOT), and ReadyToRun beside it"
    rm -rf "$OUT_DIR/shipped" "$OUT_DIR/r2r"
    (cd "$REPO_DIR" && dotnet publish Migrations -c Release -r linux-x64 \
        --artifacts-path "$OUT_DIR/shipped/artifacts" -o "$OUT_DIR/shipped/migrator" -nologo -v quiet) >"$OUT_DIR/logs/publish-shipped.log" 2>&1 \
        || note "Native AOT publish failed (bench/out/logs/publish-shipped.log; it needs gcc or clang): ReadyToRun is measured as the shipped form"
    (cd "$REPO_DIR" && dotnet publish Migrations -c Release -r linux-x64 --self-contained false -p:PublishAot=false \
        --artifacts-path "$OUT_DIR/r2r/artifacts" -o "$OUT_DIR/r2r/migrator" -nologo -v quiet) >"$OUT_DIR/logs/publish-r2r.log" 2>&1 \
        || note "ReadyToRun publish failed (bench/out/logs/publish-r2r.log)"
}

# The scripts the migrator applies to an empty database, in its order: the versioned scripts by name, then
# the repeatable ones (R__, Migrations/Repeatable) by name, which DbUp runs after every versioned script.
catalog_scripts() {
    find "$REPO_DIR/Migrations/Scripts" -maxdepth 1 -name '*.sql' | LC_ALL=C sort
    find "$REPO_DIR/Migrations/Repeatable" -maxdepth 1 -name '*.sql' | LC_ALL=C sort
}

migration_scripts_concatenated() {
    local out=$OUT_DIR/migrations/all_scripts.sql script
    mkdir -p "$OUT_DIR/migrations"
    : >"$out"
    while IFS= read -r script; do
        {
            printf -- '-- %s\n' "$(basename "$script")"
            if head -n 1 "$script" | grep -q '^-- migrator: no-transaction'; then
                cat "$script"
                printf '\n'
            else
                printf 'BEGIN;\n'
                cat "$script"
                printf '\nCOMMIT;\n'
            fi
        } >>"$out"
    done < <(catalog_scripts)
    echo "$out"
}

# What the scripts created (relations, functions, policies), without either tool's journal.
schema_fingerprint() {
    psql_value "$1" "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE n.nspname IN ('public', 'app') AND c.relname <> 'schemaversions') || ' relations, '
                         || (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                              WHERE n.nspname IN ('public', 'app')) || ' functions, '
                         || (SELECT count(*) FROM pg_policy) || ' policies'"
}

hyperfine_mean() { jq -r --arg name "$2" '.results[] | select(.command == $name) | .mean' "$1"; }
hyperfine_cpu() { jq -r --arg name "$2" '.results[] | select(.command == $name) | .user + .system' "$1"; }

benchmark_migrations() {
    log "benchmark: migrations (hyperfine, $MIGRATION_RUNS runs each)"
    section 20-migrations "Migrations: the migrator against psql, one transaction per script"
    local scripts migrator_cmd psql_cmd prepare_cmd startup_cmd json dir=$OUT_DIR/migrations
    scripts=$(migration_scripts_concatenated)
    local script_count versioned_count repeatable_count
    versioned_count=$(find "$REPO_DIR/Migrations/Scripts" -maxdepth 1 -name '*.sql' | wc -l)
    repeatable_count=$(find "$REPO_DIR/Migrations/Repeatable" -maxdepth 1 -name '*.sql' | wc -l)
    script_count="$versioned_count versioned + $repeatable_count repeatable"

    # The shipped form (Native AOT) when its publish succeeded, else ReadyToRun, else the build output;
    # the other forms that were built run beside it as further commands of the same hyperfine runs.
    local forms=() form_names=()
    if [ -x "$REPO_DIR/$SHIPPED_MIGRATOR" ]; then
        forms+=("$SHIPPED_MIGRATOR"); form_names+=("Native AOT")
    fi
    if [ -f "$REPO_DIR/$R2R_MIGRATOR_DLL" ]; then
        forms+=("dotnet $R2R_MIGRATOR_DLL"); form_names+=("ReadyToRun")
    fi
    forms+=("dotnet $MIGRATOR_DLL"); form_names+=("build output, JIT")
    local shipped=${forms[0]} shipped_name=${form_names[0]}
    migrator_cmd="$shipped up"
    psql_cmd="psql -X -q -h 127.0.0.1 -p $PG_PORT -U $PG_USER -d $MIGRATION_DB -v ON_ERROR_STOP=1 -f ${scripts#"$REPO_DIR/"}"
    prepare_cmd="psql -X -q -h 127.0.0.1 -p $PG_PORT -U $PG_USER -d postgres -c 'DROP DATABASE IF EXISTS $MIGRATION_DB WITH (FORCE)' -c 'CREATE DATABASE $MIGRATION_DB'"
    # An unknown verb: the process starts, Main prints its usage and exits 2 before any host or database work.
    startup_cmd="$shipped --runtime-start-only"

    export PGPASSWORD=$PG_PASSWORD
    export ConnectionStrings__wedsync
    ConnectionStrings__wedsync=$(npgsql_connection_string "$MIGRATION_DB")

    # Both tools must build the same schema, or the comparison means nothing.
    recreate_database "$MIGRATION_DB"
    (cd "$REPO_DIR" && eval "$psql_cmd") >"$dir/psql-check.log" 2>&1 || { cat "$dir/psql-check.log" >&2; die "psql could not apply the concatenated scripts"; }
    local psql_schema migrator_schema
    psql_schema=$(schema_fingerprint "$MIGRATION_DB")
    recreate_database "$MIGRATION_DB"
    (cd "$REPO_DIR" && $migrator_cmd) >"$dir/migrator-check.log" 2>&1 || { tail -n 30 "$dir/migrator-check.log" >&2; die "the migrator failed on an empty database"; }
    migrator_schema=$(schema_fingerprint "$MIGRATION_DB")

    local other_args=() other_noop_args=() i
    for ((i = 1; i < ${#forms[@]}; i++)); do
        other_args+=(--command-name "migrator (${form_names[$i]})" "${forms[$i]} up")
        other_noop_args+=(--command-name "migrator (${form_names[$i]}) up (no-op)" "${forms[$i]} up")
    done

    json=$dir/empty.json
    (cd "$REPO_DIR" && hyperfine --style basic --runs "$MIGRATION_RUNS" --warmup 1 \
        --prepare "$prepare_cmd" \
        --command-name migrator "$migrator_cmd" \
        --command-name psql "$psql_cmd" \
        "${other_args[@]}" \
        --export-json "$json" --export-markdown "$dir/empty.md") >"$dir/empty.log" 2>&1 \
        || { cat "$dir/empty.log" >&2; die "hyperfine (empty database) failed"; }

    # No-op: the database is migrated (by the migrator, so its journal is complete).
    recreate_database "$MIGRATION_DB"
    (cd "$REPO_DIR" && $migrator_cmd) >/dev/null 2>&1
    (cd "$REPO_DIR" && hyperfine --style basic --runs "$MIGRATION_RUNS" --warmup 1 \
        --command-name "migrator up (no-op)" "$migrator_cmd" \
        "${other_noop_args[@]}" \
        --export-json "$dir/noop.json" --export-markdown "$dir/noop.md") >"$dir/noop.log" 2>&1 \
        || { cat "$dir/noop.log" >&2; die "hyperfine (no-op) failed"; }

    (cd "$REPO_DIR" && hyperfine --style basic --runs "$MIGRATION_RUNS" --warmup 1 --ignore-failure \
        --command-name "process start (usage error)" "$startup_cmd" \
        --export-json "$dir/startup.json" --export-markdown "$dir/startup.md") >"$dir/startup.log" 2>&1 \
        || { cat "$dir/startup.log" >&2; die "hyperfine (startup) failed"; }
    unset ConnectionStrings__wedsync

    local migrator psql noop startup migrator_ratio net_ratio
    migrator=$(hyperfine_mean "$json" migrator)
    psql=$(hyperfine_mean "$json" psql)
    noop=$(hyperfine_mean "$dir/noop.json" "migrator up (no-op)")
    startup=$(hyperfine_mean "$dir/startup.json" "process start (usage error)")
    migrator_ratio=$(ratio "$migrator" "$psql")
    net_ratio=$(awk -v m="$migrator" -v s="$startup" -v p="$psql" 'BEGIN { printf "%.3f", (m - s) / p }')

    record_result "Migrate an empty database: migrator ($shipped_name) ÷ psql, a transaction per script ($script_count scripts)" \
        "$(fmt "$migrator_ratio" 2)× ($(fmt "$migrator" 2) s vs $(fmt "$psql" 2) s)" "≤ 1.0×" "$(verdict_le "$migrator_ratio" 1.0)"
    record_result "Migrator no-op run (database up to date)" "$(fmt "$noop" 2) s" "≤ 1 s" "$(verdict_le "$noop" 1.0)"

    say "Each command ran $MIGRATION_RUNS times after one warm-up; before every run of the first table"
    say "(\`--prepare\`) the database was dropped and created again, so both tools start from an empty database."
    say "psql gets the $script_count scripts the migrator applies (\`Migrations/Scripts\`, then \`Migrations/Repeatable\`, each in name"
    say "order, \`LC_ALL=C sort\`) concatenated, each in BEGIN/COMMIT"
    say "except the no-transaction ones (\`-- migrator: no-transaction\`), which run statement by statement as the migrator runs them;"
    say "the migrator applies the same embedded scripts, one transaction per script, with its checksum journal and advisory lock."
    say ""
    say "Same schema from both: psql → $psql_schema; migrator → $migrator_schema."
    say ""
    say_file "$dir/empty.md"
    say ""
    say_file "$dir/noop.md"
    say ""
    say_file "$dir/startup.md"
    say ""
    say "- migrator ÷ psql: **$(fmt "$migrator_ratio" 2)×** as measured (\`migrator\` is the shipped form, $shipped_name, its process start included);"
    say "  without the process start ($(fmt "$startup" 3) s, the usage-error run) it is $(fmt "$net_ratio" 2)×."
    say "- no-op run: **$(fmt "$noop" 3) s** wall, $(fmt "$(hyperfine_cpu "$dir/noop.json" "migrator up (no-op)")" 2) s CPU (user + system) of the process; about"
    say "  $(fmt "$startup" 3) s is the process start, the rest is the host, the lock, the journal read and the status calculation."
    say "  On a shared machine the CPU time is the steadier figure: it is what the JIT and the work cost, wall time adds the wait for a core."
    for ((i = 1; i < ${#forms[@]}; i++)); do
        local other_empty other_noop
        other_empty=$(hyperfine_mean "$json" "migrator (${form_names[$i]})")
        other_noop=$(hyperfine_mean "$dir/noop.json" "migrator (${form_names[$i]}) up (no-op)")
        say "- the same migrator as ${form_names[$i]} (\`${forms[$i]}\`): empty database $(fmt "$other_empty" 2) s ($(fmt "$(ratio "$other_empty" "$psql")" 2)× psql),"
        say "  no-op $(fmt "$other_noop" 2) s wall, $(fmt "$(hyperfine_cpu "$dir/noop.json" "migrator (${form_names[$i]}) up (no-op)")" 2) s CPU."
    done
    say ""
    say "Commands (environment: \`PGPASSWORD\`, \`ConnectionStrings__wedsync=Host=127.0.0.1;Port=$PG_PORT;...;Database=$MIGRATION_DB\`):"
    say_code "hyperfine --runs $MIGRATION_RUNS --warmup 1 --prepare \"$prepare_cmd\" \\
  --command-name migrator \"$migrator_cmd\" \\
  --command-name psql \"$psql_cmd\" \\
  --command-name \"migrator (ReadyToRun)\" \"dotnet $R2R_MIGRATOR_DLL up\" \\
  --command-name \"migrator (build output, JIT)\" \"dotnet $MIGRATOR_DLL up\"
hyperfine --runs $MIGRATION_RUNS --warmup 1 \"$migrator_cmd\"   # database already migrated
hyperfine --runs $MIGRATION_RUNS --warmup 1 --ignore-failure \"$startup_cmd\"" bash
}
