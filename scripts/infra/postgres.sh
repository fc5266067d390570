# shellcheck shell=bash
# PostgreSQL: a cluster of our own in .local/pg, run as the `postgres` OS user, on loopback. Sourced by scripts/infra.sh.

# Settings (each can be overridden by an environment variable of the same name)
: "${STS_PG_HOST:=127.0.0.1}"            # listen address + address clients use
: "${STS_PG_PORT:=55432}"
: "${STS_PG_USER:=sts}"                  # login role, CREATEDB (tests create throwaway DBs)
: "${STS_PG_PASSWORD:=sts}"
: "${STS_PG_DATABASE:=sts}"
: "${STS_PG_MAX_CONNECTIONS:=200}"
: "${STS_PG_SHARED_BUFFERS:=128MB}"
: "${STS_PG_BIN:=}"                      # default: /usr/lib/postgresql/15/bin, else newest installed

PG_DIR="$LOCAL_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_LOG_DIR="$PG_DIR/log"
PG_LOG="$PG_LOG_DIR/postgresql.log"

as_postgres() {  # run a command as the postgres OS user, from a cwd it can read
    (cd / && runuser -u postgres -- "$@")
}

pg_bin() {
    local b
    b=$(find_pg_bin) || die "PostgreSQL binaries not found (install postgresql-15 or run 'up')."
    printf '%s\n' "$b"
}

check_postgres_can_traverse() {
    id postgres >/dev/null 2>&1 || die "OS user 'postgres' does not exist (is the postgresql package installed?)."
    if as_postgres test -x "$LOCAL_DIR" -a -r "$LOCAL_DIR"; then
        return 0
    fi
    local p="" part
    local -a parts
    IFS=/ read -ra parts < <(printf '%s\n' "${LOCAL_DIR#/}")
    for part in "${parts[@]}"; do
        p+="/$part"
        if ! as_postgres test -x "$p"; then
            die "the 'postgres' OS user cannot traverse '$p' (mode $(stat -c '%A %U:%G' "$p")), so it cannot reach $PG_DATA. Move the repo (e.g. under /work or /tmp) or run: chmod o+x '$p'"
        fi
    done
    die "the 'postgres' OS user cannot access $LOCAL_DIR"
}

pg_pid() {  # prints the postmaster pid if OUR postmaster is running
    local pidfile="$PG_DATA/postmaster.pid" pid cwd exe
    [[ -f $pidfile ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    # the postmaster chdir()s into its data directory
    [[ $exe == */postgres && $cwd == "$(cd "$PG_DATA" && pwd -P)" ]] || return 1
    printf '%s\n' "$pid"
}

pg_ready() {
    local b; b=$(pg_bin)
    "$b/pg_isready" -q -h "$PG_SOCKET_DIR" -p "$STS_PG_PORT" -d postgres -U postgres -t 3 >/dev/null 2>&1
}

pg_write_settings() {  # our settings (included from postgresql.conf) and access rules, from the templates beside this file
    local tmp="$PG_DIR/.tmp.$$"
    render "$INFRA_DIR/postgresql.conf.in" STS_PG_HOST STS_PG_PORT PG_SOCKET_DIR STS_PG_MAX_CONNECTIONS STS_PG_SHARED_BUFFERS >"$tmp"
    install -o postgres -g postgres -m 600 "$tmp" "$PG_DATA/sts-infra.conf"
    install -o postgres -g postgres -m 600 "$INFRA_DIR/pg_hba.conf" "$PG_DATA/pg_hba.conf"
    rm -f "$tmp"
}

pg_init() {
    local b; b=$(pg_bin)
    if [[ -f $PG_DATA/PG_VERSION ]]; then
        return 0
    fi
    if [[ -d $PG_DATA ]] && [[ -n $(ls -A "$PG_DATA" 2>/dev/null) ]]; then
        die "$PG_DATA exists but is not an initialized PostgreSQL data directory (no PG_VERSION). Remove it (rm -rf '$PG_DATA') and run 'up' again."
    fi
    rm -rf "$PG_DATA" "$PG_DATA.initdb-tmp"
    local -a locale_args=(--no-locale)
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale_args=(--locale=C.UTF-8); fi
    log "initdb $PG_DATA ..."
    # initdb into a temp dir and rename, so an interrupted initdb never leaves a half-initialized data dir
    if ! as_postgres "$b/initdb" -D "$PG_DATA.initdb-tmp" -U postgres -E UTF8 "${locale_args[@]}" \
            --auth-local=trust --auth-host=scram-sha-256 >"$PG_LOG_DIR/initdb.log" 2>&1; then
        show_log_tail "$PG_LOG_DIR/initdb.log" 40
        die "initdb failed; full output: $PG_LOG_DIR/initdb.log"
    fi
    printf "\n# Added by scripts/infra.sh\ninclude_if_exists = 'sts-infra.conf'\n" \
        | as_postgres tee -a "$PG_DATA.initdb-tmp/postgresql.conf" >/dev/null
    mv "$PG_DATA.initdb-tmp" "$PG_DATA"
}

pg_clear_stale() {
    # Our postmaster is not running: remove lock files left behind by a crash / kill -9 / reboot.
    if [[ -f $PG_DATA/postmaster.pid ]]; then
        warn "removing stale $PG_DATA/postmaster.pid (pid $(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null) is not our postmaster)"
        rm -f "$PG_DATA/postmaster.pid"
    fi
    rm -f "$PG_SOCKET_DIR/.s.PGSQL.$STS_PG_PORT" "$PG_SOCKET_DIR/.s.PGSQL.$STS_PG_PORT.lock"
}

pg_start() {
    local b; b=$(pg_bin)
    if port_open "$STS_PG_HOST" "$STS_PG_PORT"; then
        die "port $STS_PG_HOST:$STS_PG_PORT is already in use by another process (not our postmaster for $PG_DATA):
$(port_owner "$STS_PG_PORT")
Stop it, or use another port: STS_PG_PORT=... scripts/infra.sh up"
    fi
    pg_clear_stale
    log "starting PostgreSQL on $STS_PG_HOST:$STS_PG_PORT (log: $PG_LOG)"
    if ! as_postgres "$b/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$STS_INFRA_TIMEOUT" -s; then
        show_log_tail "$PG_LOG"
        die "PostgreSQL failed to start (or was not ready within ${STS_INFRA_TIMEOUT}s); see $PG_LOG"
    fi
}

pg_wait_ready() {
    local deadline=$((SECONDS + STS_INFRA_TIMEOUT))
    until pg_ready && as_postgres "$(pg_bin)/psql" -h "$PG_SOCKET_DIR" -p "$STS_PG_PORT" -U postgres -d postgres \
            -XAtqc 'select 1' >/dev/null 2>&1; do
        if ! pg_pid >/dev/null; then
            show_log_tail "$PG_LOG"
            die "PostgreSQL exited during startup; see $PG_LOG"
        fi
        (( SECONDS < deadline )) || { show_log_tail "$PG_LOG"; die "PostgreSQL not ready after ${STS_INFRA_TIMEOUT}s; see $PG_LOG"; }
        sleep 0.5
    done
}

pg_provision() {
    local b; b=$(pg_bin)
    # role + database, idempotent; password re-applied every time
    as_postgres "$b/psql" -h "$PG_SOCKET_DIR" -p "$STS_PG_PORT" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 \
        -v user="$STS_PG_USER" -v pw="$STS_PG_PASSWORD" -v db="$STS_PG_DATABASE" <"$INFRA_DIR/pg-provision.sql" >/dev/null
    # prove the app credentials work over TCP with password auth
    if ! PGPASSWORD="$STS_PG_PASSWORD" PGCONNECT_TIMEOUT=5 "$b/psql" -h "$STS_PG_HOST" -p "$STS_PG_PORT" -U "$STS_PG_USER" \
            -d "$STS_PG_DATABASE" -XAtqc 'select 1' >/dev/null; then
        show_log_tail "$PG_LOG"
        die "PostgreSQL is up but '$STS_PG_USER' cannot log in over TCP; see $PG_LOG"
    fi
}

pg_preflight() {  # cheap checks, run before anything is started
    check_postgres_can_traverse
    local sock="$PG_SOCKET_DIR/.s.PGSQL.$STS_PG_PORT"
    (( ${#sock} < 107 )) || die "unix socket path too long (${#sock} > 106 bytes): $sock -- clone the repo to a shorter path."
    if ! pg_pid >/dev/null && port_open "$STS_PG_HOST" "$STS_PG_PORT"; then
        die "port $STS_PG_HOST:$STS_PG_PORT is already in use by another process (not our postmaster for $PG_DATA):
$(port_owner "$STS_PG_PORT")
Stop it, or use another port: STS_PG_PORT=... scripts/infra.sh up"
    fi
}

pg_up() {
    mkdir -p "$PG_DIR" "$PG_SOCKET_DIR" "$PG_LOG_DIR"
    chown postgres:postgres "$PG_DIR" "$PG_SOCKET_DIR" "$PG_LOG_DIR"
    chmod 755 "$PG_SOCKET_DIR" "$PG_LOG_DIR"
    chmod 711 "$PG_DIR"   # root/others may traverse to the socket dir; data dir itself stays 700
    pg_init
    pg_write_settings
    if pg_pid >/dev/null; then
        pg_wait_ready
        # apply changed settings that do not need a restart (hba, logging, ...)
        as_postgres "$(pg_bin)/pg_ctl" reload -D "$PG_DATA" -s >/dev/null || true
        log "PostgreSQL already running (pid $(pg_pid))"
    else
        pg_start
        pg_wait_ready
    fi
    pg_provision
}

pg_down() {
    local b; b=$(pg_bin)
    if ! pg_pid >/dev/null; then
        [[ -f $PG_DATA/postmaster.pid ]] && pg_clear_stale
        log "PostgreSQL: not running"
        return 0
    fi
    log "stopping PostgreSQL (pid $(pg_pid))"
    if ! as_postgres "$b/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STS_INFRA_TIMEOUT" -s; then
        warn "fast shutdown failed, trying immediate"
        as_postgres "$b/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 -s || die "could not stop PostgreSQL; see $PG_LOG"
    fi
}

