# Shared helpers: logging, tool installation, free ports, number formatting and comparisons.
# Sourced by bench/run.sh; expects BENCH_DIR, REPO_DIR and OUT_DIR to be set.

log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
note() { printf '   %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "$@" >/dev/null \
        || { apt-get -o DPkg::Lock::Timeout=120 update -q >/dev/null \
             && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "$@" >/dev/null; }
}

# wrk (HTTP load) and hyperfine (process timing) come from Debian; the rest must already be here.
install_missing_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v curl >/dev/null || missing+=(curl)
    command -v jq >/dev/null || missing+=(jq)
    if [ "${#missing[@]}" -gt 0 ]; then
        [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
        log "installing ${missing[*]}"
        apt_install "${missing[@]}" || die "apt-get could not install ${missing[*]}"
    fi
    [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install postgresql-15)"
    command -v python3 >/dev/null || die "python3 is needed to mint the JWTs"
    command -v dotnet >/dev/null || die "the .NET SDK is needed (global.json)"
    id postgres >/dev/null 2>&1 || die "the postgres OS user is needed to run the server"
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first free TCP port at or after $1.
free_port_from() {
    local port=$1
    while ! port_is_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

# Float helpers (bash has integers only).
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }'; }
is_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
is_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.3f", a / b }'; }

now_ms() { date +%s%3N; }

# One bench at a time on a machine: two runs would measure each other. Other checkouts' runs
# (worktrees of the same repository) wait here too. The lock is fd 9 of run.sh; long-lived
# children (PostgreSQL, the apps, the AppHost) are started with 9>&- so they never hold it.
take_machine_lock() {
    local lock=${BENCH_LOCK_FILE:-/tmp/wedsync-bench.lock}
    exec 9>>"$lock"
    if ! flock -n 9; then
        note "another bench run holds $lock; waiting up to ${BENCH_LOCK_WAIT:-7200} s for it"
        flock -w "${BENCH_LOCK_WAIT:-7200}" 9 || die "another bench run still holds $lock"
    fi
}
