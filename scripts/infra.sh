#!/usr/bin/env bash
# Local test infrastructure for the STS Snapshot Service: PostgreSQL, RabbitMQ and an
# S3-compatible server (s3rver, from npm), bound to 127.0.0.1 only, with ALL state (data,
# logs, pid files, sockets, Erlang cookie, dev JWT signing key, dev PDF signing certificate)
# under <repo>/.local/ (git-ignored).
#
# Usage: scripts/infra.sh <command>
#   up                start all three (installing missing packages first); idempotent
#   down              stop all three cleanly
#   status            show state; exit 0 only if all three are up
#   env               print `export` lines:  eval "$(scripts/infra.sh env)"
#   pg-restart        pg_ctl restart -m fast
#   rabbit-stop-app   rabbitmqctl stop_app  (VM stays up, AMQP port closes)
#   rabbit-start-app  rabbitmqctl start_app
#   ctl ARGS...       run rabbitmqctl against our node (right HOME/cookie/node name)
#   diag ARGS...      run rabbitmq-diagnostics against our node
#   psql ARGS...      psql as the app user over TCP
#   logs              print log file locations
#
# Needs root (initdb/pg_ctl run as the `postgres` OS user via runuser; RabbitMQ
# runs as the invoking user, i.e. root).
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings (each can be overridden by an environment variable of the same name)
# ---------------------------------------------------------------------------
: "${STS_PG_HOST:=127.0.0.1}"            # listen address + address clients use
: "${STS_PG_PORT:=55432}"
: "${STS_PG_USER:=sts}"                  # login role, CREATEDB (tests create throwaway DBs)
: "${STS_PG_PASSWORD:=sts}"
: "${STS_PG_DATABASE:=sts}"
: "${STS_PG_MAX_CONNECTIONS:=200}"
: "${STS_PG_SHARED_BUFFERS:=128MB}"
: "${STS_PG_BIN:=}"                      # default: /usr/lib/postgresql/15/bin, else newest installed

: "${STS_RABBIT_HOST:=127.0.0.1}"        # listen address for AMQP / HTTP / Erlang dist
: "${STS_RABBIT_PORT:=35672}"            # AMQP
: "${STS_RABBIT_DIST_PORT:=35673}"       # Erlang distribution (default would be AMQP+20000)
: "${STS_RABBIT_NODENAME:=sts@localhost}"
: "${STS_RABBIT_USER:=sts}"
: "${STS_RABBIT_PASSWORD:=sts}"
: "${STS_RABBIT_MANAGEMENT_PORT:=15672}"
: "${STS_RABBIT_PROMETHEUS_PORT:=15692}"
# Port range for the hidden Erlang node that every rabbitmqctl/rabbitmq-diagnostics
# call starts. The RabbitMQ default (35672-35682) overlaps our AMQP/dist ports!
: "${STS_RABBIT_CTL_DIST_PORT_MIN:=35690}"
: "${STS_RABBIT_CTL_DIST_PORT_MAX:=35699}"

: "${STS_S3_HOST:=127.0.0.1}"            # s3rver: S3 protocol over plain HTTP, path-style
: "${STS_S3_PORT:=9000}"
: "${STS_S3_BUCKET:=sts}"                # created at start; tests make buckets of their own
# s3rver checks only the access key id (its one account is S3RVER/S3RVER), not the v4 signature.
: "${STS_S3_ACCESS_KEY:=S3RVER}"
: "${STS_S3_SECRET_KEY:=S3RVER}"

: "${STS_INFRA_TIMEOUT:=120}"            # seconds to wait for each server to become ready

# ---------------------------------------------------------------------------
# Paths (derived from the script location; NOT overridable on purpose)
# ---------------------------------------------------------------------------
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"

PG_DIR="$LOCAL_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_LOG_DIR="$PG_DIR/log"
PG_LOG="$PG_LOG_DIR/postgresql.log"

RMQ_DIR="$LOCAL_DIR/rabbitmq"
RMQ_HOME="$RMQ_DIR/home"                 # HOME for server + CLI => same $HOME/.erlang.cookie
RMQ_COOKIE="$RMQ_HOME/.erlang.cookie"
RMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
RMQ_LOG_BASE="$RMQ_DIR/log"
RMQ_STARTUP_LOG="$RMQ_LOG_BASE/startup.log"   # stdout/stderr of the server process
RMQ_LOG="$RMQ_LOG_BASE/$STS_RABBIT_NODENAME.log"
RMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
RMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
RMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
RMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
RMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"   # our own (empty) one, so /etc/rabbitmq/rabbitmq-env.conf is ignored

RMQ_SBIN="/usr/lib/rabbitmq/bin"         # the real scripts; /usr/sbin/* wrappers `su rabbitmq`

S3_DIR="$LOCAL_DIR/s3"
S3_DATA="$S3_DIR/data"
S3_LOG="$S3_DIR/s3rver.log"
S3_PID_FILE="$S3_DIR/s3rver.pid"
S3RVER_VERSION="3.7.1"                   # pinned; installed into the project, not globally
S3RVER_PREFIX="$LOCAL_DIR/s3rver"
S3RVER_JS="$S3RVER_PREFIX/node_modules/s3rver/bin/s3rver.js"

SIGNING_KEY_FILE="$LOCAL_DIR/dev-signing-key"
# The worker's PDF signing certificate for development: an RSA-3072 certificate issued by a development authority
# (authority.pem, what a verifier such as `pdfsig -nssdir` must trust), as PKCS#12 with a generated password.
PDF_SIGNING_DIR="$LOCAL_DIR/pdf-signing"

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
log()  { printf '[infra] %s\n' "$*" >&2; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die()  { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
    [[ $(id -u) -eq 0 ]] || die "'$1' must run as root (it uses runuser -u postgres and manages system packages)."
}

# port_open HOST PORT -> 0 if something accepts TCP connections there
port_open() {
    # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

port_owner() {  # best effort description of who listens on a port
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' || true
    fi
}

show_log_tail() {  # show_log_tail FILE [LINES]
    local f=$1 n=${2:-25}
    if [[ -f $f ]]; then
        printf '[infra] ---- last %s lines of %s ----\n' "$n" "$f" >&2
        tail -n "$n" "$f" >&2 || true
        printf '[infra] ---- end of %s ----\n' "$f" >&2
    fi
}

alive() {  # alive PID -> 0 if the process exists and is not a zombie
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $st && $st != Z && $st != X ]]
}

sq() {  # single-quote a value for safe `eval`
    local s=${1//\'/\'\\\'\'}
    printf "'%s'" "$s"
}

ensure_local_dir() {
    mkdir -p "$LOCAL_DIR"
    chmod 755 "$LOCAL_DIR"
}

ensure_signing_key() {
    ensure_local_dir
    if [[ ! -s $SIGNING_KEY_FILE ]]; then
        (umask 077 && head -c 64 /dev/urandom | base64 -w0 >"$SIGNING_KEY_FILE.tmp")
        chmod 600 "$SIGNING_KEY_FILE.tmp"
        mv -f "$SIGNING_KEY_FILE.tmp" "$SIGNING_KEY_FILE"
        log "generated development JWT signing key: $SIGNING_KEY_FILE"
    fi
}

ensure_pdf_signing_certificate() {
    ensure_local_dir
    local d=$PDF_SIGNING_DIR
    [[ -s $d/signing.p12 && -s $d/password && -s $d/authority.pem ]] && return 0
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to make the development PDF signing certificate (apt-get install openssl)."
    rm -rf "$d.tmp"
    mkdir -p "$d.tmp"
    chmod 700 "$d.tmp"
    (
        umask 077
        cd "$d.tmp"
        openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 -keyout authority.key -out authority.pem \
            -subj "/O=STS Snapshot Service (development)/CN=STS development signing authority" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:3072 -sha256 -nodes -keyout signing.key -out signing.csr \
            -subj "/O=STS Snapshot Service (development)/CN=STS Snapshot Service (development)" 2>/dev/null
        printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,nonRepudiation" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >signing.ext
        openssl x509 -req -sha256 -days 825 -in signing.csr -CA authority.pem -CAkey authority.key \
            -set_serial "0x$(openssl rand -hex 16)" -extfile signing.ext -out signing.pem 2>/dev/null
        head -c 24 /dev/urandom | base64 -w0 | tr -d '/+=' >password
        openssl pkcs12 -export -inkey signing.key -in signing.pem -certfile authority.pem -name "sts-pdf-signing" \
            -passout "file:password" -out signing.p12
        rm -f signing.csr signing.ext authority.srl
    ) || { rm -rf "$d.tmp"; die "could not make the development PDF signing certificate with openssl"; }
    rm -rf "$d"
    mv "$d.tmp" "$d"
    log "generated development PDF signing certificate: $d/signing.p12 (issued by $d/authority.pem)"
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

find_pg_bin() {
    if [[ -n $STS_PG_BIN ]]; then
        [[ -x $STS_PG_BIN/initdb ]] && { printf '%s\n' "$STS_PG_BIN"; return 0; }
        return 1
    fi
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        printf '%s\n' /usr/lib/postgresql/15/bin; return 0
    fi
    local d
    # shellcheck disable=SC2012
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n | tail -n1 || true)
    [[ -n $d && -x $d/initdb ]] && { printf '%s\n' "$d"; return 0; }
    return 1
}

ensure_packages() {
    local need=() want_pg=0
    find_pg_bin >/dev/null || want_pg=1
    [[ -x $RMQ_SBIN/rabbitmq-server ]] && pkg_installed rabbitmq-server || need+=(rabbitmq-server)
    pkg_installed poppler-utils || need+=(poppler-utils)
    # certutil: the signature tests make pdfsig trust the test signing authority through an NSS database.
    pkg_installed libnss3-tools || need+=(libnss3-tools)
    if (( want_pg == 0 && ${#need[@]} == 0 )); then
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    log "installing missing packages (apt-get update first)..."
    apt-get update -qq
    if (( want_pg )); then
        if apt-cache show postgresql-15 >/dev/null 2>&1; then need+=(postgresql-15); else need+=(postgresql); fi
    fi
    log "apt-get install -y ${need[*]}"
    apt-get install -y -q "${need[@]}"
    find_pg_bin >/dev/null || die "PostgreSQL binaries not found after install (looked in /usr/lib/postgresql/*/bin)."
    [[ -x $RMQ_SBIN/rabbitmq-server ]] || die "RabbitMQ scripts not found in $RMQ_SBIN after install."
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
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
    IFS=/ read -ra parts <<<"${LOCAL_DIR#/}"
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

pg_write_settings() {
    local conf="$PG_DATA/sts-infra.conf" tmp
    tmp="$PG_DIR/.tmp.$$"
    cat >"$tmp" <<EOF
# Managed by scripts/infra.sh -- rewritten on every 'up'. Edit the script, not this file.
listen_addresses = '$STS_PG_HOST'
port = $STS_PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
cluster_name = 'sts-dev'
max_connections = $STS_PG_MAX_CONNECTIONS
shared_buffers = $STS_PG_SHARED_BUFFERS
# durability stays ON: tests must see real crash-safe behaviour
fsync = on
synchronous_commit = on
full_page_writes = on
password_encryption = 'scram-sha-256'
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_lock_waits = on
EOF
    install -o postgres -g postgres -m 600 "$tmp" "$conf"
    rm -f "$tmp"

    tmp="$PG_DIR/.tmp.$$"
    cat >"$tmp" <<EOF
# Managed by scripts/infra.sh -- rewritten on every 'up'.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF
    install -o postgres -g postgres -m 600 "$tmp" "$PG_DATA/pg_hba.conf"
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
        -v user="$STS_PG_USER" -v pw="$STS_PG_PASSWORD" -v db="$STS_PG_DATABASE" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I', :'user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
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

# ---------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------
rmq_env() {
    export HOME="$RMQ_HOME"
    export LC_ALL=C.UTF-8 LANG=C.UTF-8
    export RABBITMQ_NODENAME="$STS_RABBIT_NODENAME"
    export RABBITMQ_USE_LONGNAME=false
    export RABBITMQ_CONF_ENV_FILE="$RMQ_CONF_ENV_FILE"
    export RABBITMQ_CONFIG_FILE="$RMQ_CONFIG_FILE"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_ADVANCED_CONFIG_FILE"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_ENABLED_PLUGINS_FILE"
    export RABBITMQ_MNESIA_BASE="$RMQ_MNESIA_BASE"
    export RABBITMQ_LOG_BASE="$RMQ_LOG_BASE"
    export RABBITMQ_PID_FILE="$RMQ_PID_FILE"
    export RABBITMQ_DIST_PORT="$STS_RABBIT_DIST_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_CRASH_DUMP="$RMQ_LOG_BASE/erl_crash.dump"
    export RABBITMQ_CTL_DIST_PORT_MIN="$STS_RABBIT_CTL_DIST_PORT_MIN"
    export RABBITMQ_CTL_DIST_PORT_MAX="$STS_RABBIT_CTL_DIST_PORT_MAX"
    # Erlang distribution listeners (server and CLI) on loopback only
    local iface="{${STS_RABBIT_HOST//./,}}"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface $iface"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface $iface"
}

rmqctl()  { (rmq_env; cd "$RMQ_DIR" && "$RMQ_SBIN/rabbitmqctl" -n "$STS_RABBIT_NODENAME" "$@"); }
rmqdiag() { (rmq_env; cd "$RMQ_DIR" && "$RMQ_SBIN/rabbitmq-diagnostics" -n "$STS_RABBIT_NODENAME" "$@"); }

rmq_is_our_server() {  # PID is the RabbitMQ server VM (not a CLI VM) for OUR .local dir
    local pid=$1
    alive "$pid" || return 1
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null || true) == */beam.smp ]] || return 1
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF boot || return 1   # "-s rabbit boot"
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "RABBITMQ_MNESIA_BASE=$RMQ_MNESIA_BASE"
}

rmq_pid() {  # prints the beam pid if OUR RabbitMQ node is running (or booting)
    local pid d
    pid=$(tr -dc '0-9' 2>/dev/null <"$RMQ_PID_FILE" || true)
    if [[ -n $pid ]] && rmq_is_our_server "$pid"; then
        printf '%s\n' "$pid"; return 0
    fi
    # no/stale pid file: the node may be early in its boot (pid file not written yet)
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [[ $(readlink "$d/exe" 2>/dev/null || true) == */beam.smp ]] || continue
        rmq_is_our_server "$pid" && { printf '%s\n' "$pid"; return 0; }
    done
    return 1
}

rmq_write_config() {
    mkdir -p "$RMQ_DIR" "$RMQ_HOME" "$RMQ_MNESIA_BASE" "$RMQ_LOG_BASE"
    chmod 700 "$RMQ_HOME"
    if [[ ! -s $RMQ_COOKIE ]]; then
        (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' >"$RMQ_COOKIE")
    fi
    chmod 400 "$RMQ_COOKIE"
    : >"$RMQ_CONF_ENV_FILE"
    printf '[rabbitmq_management,rabbitmq_prometheus].\n' >"$RMQ_ENABLED_PLUGINS_FILE"
    cat >"$RMQ_CONFIG_FILE" <<EOF
# Managed by scripts/infra.sh -- rewritten on every 'up'. Edit the script, not this file.
# Changes take effect on the next (re)start of the node.

# AMQP on loopback only
listeners.tcp.1 = $STS_RABBIT_HOST:$STS_RABBIT_PORT
listeners.ssl = none

# Management UI/API and Prometheus metrics on loopback only
management.tcp.ip = $STS_RABBIT_HOST
management.tcp.port = $STS_RABBIT_MANAGEMENT_PORT
prometheus.tcp.ip = $STS_RABBIT_HOST
prometheus.tcp.port = $STS_RABBIT_PROMETHEUS_PORT

# Created on first boot (fresh mnesia dir); no 'guest' user is created.
# 'up' re-creates the user via rabbitmqctl if it cannot authenticate.
default_vhost = /
default_user = $STS_RABBIT_USER
default_pass = $STS_RABBIT_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*

# Delivery acknowledgement timeout (ms). 1800000 = 30 min is the RabbitMQ default;
# written out explicitly so it is visible. A consumer holding an unacked message
# longer than this gets its channel closed (PRECONDITION_FAILED).
consumer_timeout = 1800000

log.file.level = info
log.console = false
EOF
}

rmq_check_ports_free() {
    local p
    for p in "$STS_RABBIT_PORT" "$STS_RABBIT_DIST_PORT" "$STS_RABBIT_MANAGEMENT_PORT" "$STS_RABBIT_PROMETHEUS_PORT"; do
        if port_open "$STS_RABBIT_HOST" "$p"; then
            die "port $STS_RABBIT_HOST:$p is already in use by another process (RabbitMQ node for $RMQ_DIR is not running):
$(port_owner "$p")
Stop it or override the port (STS_RABBIT_PORT / STS_RABBIT_DIST_PORT / STS_RABBIT_MANAGEMENT_PORT / STS_RABBIT_PROMETHEUS_PORT)."
        fi
    done
    local short=${STS_RABBIT_NODENAME%@*}
    if command -v epmd >/dev/null 2>&1 && epmd -names 2>/dev/null | grep -q "^name $short at port "; then
        die "an Erlang node named '$short' is already registered in epmd but it is not ours ($RMQ_DIR).
$(epmd -names 2>/dev/null | sed 's/^/    /')
Another checkout probably runs it; stop it there, or use STS_RABBIT_NODENAME=other@localhost plus other ports."
    fi
}

RMQ_STARTED_NOW=0
rmq_start() {
    if rmq_pid >/dev/null; then
        return 0
    fi
    if [[ -f $RMQ_PID_FILE ]]; then
        warn "removing stale $RMQ_PID_FILE (pid $(cat "$RMQ_PID_FILE" 2>/dev/null) is not our RabbitMQ node)"
        rm -f "$RMQ_PID_FILE"
    fi
    touch "$RMQ_DIR/.start-marker"
    log "starting RabbitMQ node $STS_RABBIT_NODENAME on $STS_RABBIT_HOST:$STS_RABBIT_PORT (log: $RMQ_LOG)"
    printf '\n==== %s infra.sh up: starting %s ====\n' "$(date -Is)" "$STS_RABBIT_NODENAME" >>"$RMQ_STARTUP_LOG"
    # Run the real server script (not the /usr/sbin wrapper, which would `su rabbitmq`
    # and cd to /var/lib/rabbitmq) in its own session, fully detached from our stdio.
    (
        rmq_env
        cd "$RMQ_DIR"
        exec setsid "$RMQ_SBIN/rabbitmq-server" </dev/null >>"$RMQ_STARTUP_LOG" 2>&1
    ) &
    RMQ_STARTED_NOW=1
}

rmq_fail() {  # rmq_fail MESSAGE: show the relevant logs, then die
    show_log_tail "$RMQ_STARTUP_LOG" 40
    # the node log may hold only older runs; show it only if written since our start
    if [[ ! -f $RMQ_DIR/.start-marker || $RMQ_LOG -nt $RMQ_DIR/.start-marker ]]; then
        show_log_tail "$RMQ_LOG" 25
    fi
    die "$1; see $RMQ_STARTUP_LOG and $RMQ_LOG"
}

rmq_wait_ready() {
    local deadline=$((SECONDS + STS_INFRA_TIMEOUT)) start=$SECONDS
    # 1) wait for the pid file / beam process
    until rmq_pid >/dev/null; do
        (( SECONDS < deadline )) || rmq_fail "RabbitMQ did not start within ${STS_INFRA_TIMEOUT}s"
        # the node writes its pid file early during boot; if the launcher is gone, it failed
        if (( RMQ_STARTED_NOW )) && (( SECONDS - start > 2 )) && ! jobs -pr | grep -q .; then
            rmq_fail "RabbitMQ exited during startup"
        fi
        sleep 0.5
    done
    # 2) node VM was already running but the rabbit app is stopped (e.g. after
    #    rabbit-stop-app): await_startup would just wait for the timeout, so start it.
    local running=0
    if (( ! RMQ_STARTED_NOW )); then
        if rmqdiag -q check_running >/dev/null 2>&1; then
            running=1
        elif rmqdiag -q --formatter json is_booting 2>/dev/null | grep -q '"result":false'; then
            log "RabbitMQ node is running but the rabbit application is stopped; running start_app"
            rmqctl -q start_app >/dev/null || { show_log_tail "$RMQ_LOG"; die "rabbitmqctl start_app failed; see $RMQ_LOG"; }
        fi
    fi
    # 3) wait for the rabbit app (and all plugins) to be fully booted
    local remaining
    while (( ! running )); do
        remaining=$((deadline - SECONDS))
        (( remaining > 0 )) || break
        if rmqctl -q await_startup --timeout "$remaining" >/dev/null 2>&1; then
            break
        fi
        rmq_pid >/dev/null || rmq_fail "RabbitMQ exited during startup"
        sleep 1
    done
    # 4) listeners really accept connections
    if (( SECONDS >= deadline )) || ! port_open "$STS_RABBIT_HOST" "$STS_RABBIT_PORT"; then
        rmq_fail "RabbitMQ not ready after ${STS_INFRA_TIMEOUT}s (AMQP port $STS_RABBIT_PORT closed)"
    fi
    local out
    if ! out=$(rmqdiag -q check_port_connectivity 2>&1); then
        printf '%s\n' "$out" >&2
        rmq_fail "RabbitMQ listeners are not all reachable"
    fi
}

rmq_provision() {
    local u=$STS_RABBIT_USER pw=$STS_RABBIT_PASSWORD
    # Fast path: the user exists with this password (created on first boot from
    # default_user/default_pass in rabbitmq.conf, or by an earlier run).
    if rmqctl -q authenticate_user "$u" "$pw" >/dev/null 2>&1; then
        return 0
    fi
    log "RabbitMQ: (re)creating user '$u' (tags administrator, full permissions on vhost /)"
    if ! rmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -qxF "$u"; then
        rmqctl -q add_user "$u" "$pw" >/dev/null
    else
        rmqctl -q change_password "$u" "$pw" >/dev/null
    fi
    rmqctl -q set_user_tags "$u" administrator >/dev/null
    rmqctl -q set_permissions -p / "$u" '.*' '.*' '.*' >/dev/null
    rmqctl -q authenticate_user "$u" "$pw" >/dev/null || die "RabbitMQ user '$u' cannot authenticate; see $RMQ_LOG"
}

rmq_down() {
    local pid
    if ! pid=$(rmq_pid); then
        [[ -f $RMQ_PID_FILE ]] && { warn "removing stale $RMQ_PID_FILE"; rm -f "$RMQ_PID_FILE"; }
        log "RabbitMQ: not running"
        return 0
    fi
    log "stopping RabbitMQ node $STS_RABBIT_NODENAME (pid $pid)"
    if ! rmqctl -q stop >/dev/null 2>&1; then
        warn "rabbitmqctl stop failed; sending SIGTERM to $pid"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    local deadline=$((SECONDS + STS_INFRA_TIMEOUT))
    while alive "$pid"; do
        if (( SECONDS >= deadline )); then
            warn "RabbitMQ did not exit within ${STS_INFRA_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.5
    done
    rm -f "$RMQ_PID_FILE"
    # stop epmd too if nothing is registered in it any more (it is restarted on demand)
    if command -v epmd >/dev/null 2>&1; then
        local names
        if names=$(ERL_EPMD_ADDRESS=127.0.0.1 epmd -names 2>/dev/null) && ! grep -q '^name ' <<<"$names"; then
            ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill >/dev/null 2>&1 || true
        fi
    fi
}

# ---------------------------------------------------------------------------
# S3 (s3rver)
# ---------------------------------------------------------------------------
s3_install() {
    if ! [[ -f $S3RVER_JS ]] || ! grep -q "\"version\": \"$S3RVER_VERSION\"" "$S3RVER_PREFIX/node_modules/s3rver/package.json" 2>/dev/null; then
        command -v npm >/dev/null 2>&1 || die "npm not found; s3rver (the local S3 server) is installed with npm (apt-get install nodejs npm)."
        log "installing s3rver@$S3RVER_VERSION into $S3RVER_PREFIX (npm)"
        mkdir -p "$S3RVER_PREFIX"
        npm install --prefix "$S3RVER_PREFIX" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >&2 \
            || die "npm install s3rver@$S3RVER_VERSION failed"
    fi
    # S3 takes x-amz-copy-source URL-encoded, and the AWS SDK encodes its slashes (%2F); s3rver 3.7.1 decodes it with
    # decodeURI, which leaves %2F alone, so every CopyObject of a key with a folder fails with NoSuchBucket. One-line
    # fix of that bug (decodeURIComponent, as S3 does), so the copy that attaches a multipart object's SHA-256 works.
    local copy_js="$S3RVER_PREFIX/node_modules/s3rver/lib/controllers/object.js"
    if grep -q "decodeURI(ctx.headers\['x-amz-copy-source'\])" "$copy_js"; then
        sed -i "s/decodeURI(ctx.headers\['x-amz-copy-source'\])/decodeURIComponent(ctx.headers['x-amz-copy-source'])/" "$copy_js"
    fi
    grep -q "decodeURIComponent(ctx.headers\['x-amz-copy-source'\])" "$copy_js" || die "could not fix s3rver's x-amz-copy-source decoding in $copy_js"
}

s3_pid() {  # prints the pid if OUR s3rver (serving $S3_DATA) is running
    local pid
    [[ -f $S3_PID_FILE ]] || return 1
    pid=$(<"$S3_PID_FILE")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$S3_DATA" || return 1
    printf '%s\n' "$pid"
}

s3_ready() {  # the service answers GET / with its bucket list
    curl -fsS --max-time 2 "http://$STS_S3_HOST:$STS_S3_PORT/" 2>/dev/null | grep -q ListAllMyBucketsResult
}

s3_up() {
    mkdir -p "$S3_DATA"
    if s3_pid >/dev/null; then
        log "s3rver already running (pid $(s3_pid))"
    else
        if port_open "$STS_S3_HOST" "$STS_S3_PORT"; then
            die "port $STS_S3_HOST:$STS_S3_PORT is already in use by another process (not our s3rver for $S3_DATA):
$(port_owner "$STS_S3_PORT")
Stop it, or use another port: STS_S3_PORT=... scripts/infra.sh up"
        fi
        log "starting s3rver on $STS_S3_HOST:$STS_S3_PORT (data $S3_DATA, log $S3_LOG)"
        printf '\n==== %s infra.sh up ====\n' "$(date -Is)" >>"$S3_LOG"
        # s3rver makes list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider: without it
        # every truncated listing (more keys than max-keys) fails with 500.
        setsid node --openssl-legacy-provider "$S3RVER_JS" --directory "$S3_DATA" --address "$STS_S3_HOST" --port "$STS_S3_PORT" \
            --no-vhost-buckets --configure-bucket "$STS_S3_BUCKET" </dev/null >>"$S3_LOG" 2>&1 &
        echo $! >"$S3_PID_FILE"
    fi
    local deadline=$((SECONDS + STS_INFRA_TIMEOUT))
    until s3_ready; do
        s3_pid >/dev/null || { show_log_tail "$S3_LOG"; die "s3rver exited during startup; see $S3_LOG"; }
        (( SECONDS < deadline )) || { show_log_tail "$S3_LOG"; die "s3rver not ready after ${STS_INFRA_TIMEOUT}s; see $S3_LOG"; }
        sleep 0.3
    done
}

s3_down() {
    local pid
    if ! pid=$(s3_pid); then
        rm -f "$S3_PID_FILE"
        log "s3rver: not running"
        return 0
    fi
    log "stopping s3rver (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while alive "$pid"; do
        (( SECONDS < deadline )) || { kill -KILL "$pid" 2>/dev/null || true; break; }
        sleep 0.2
    done
    rm -f "$S3_PID_FILE"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
cmd_up() {
    need_root up
    local t0=$SECONDS
    ensure_packages
    ensure_local_dir
    ensure_signing_key
    ensure_pdf_signing_certificate
    # cheap checks first, so a precondition failure does not leave half the stack running
    pg_preflight
    rmq_pid >/dev/null || rmq_check_ports_free
    # boot RabbitMQ in the background while PostgreSQL is initialized/started
    rmq_write_config
    rmq_start
    if (( RMQ_STARTED_NOW )); then
        trap '(( $? == 0 )) || warn "RabbitMQ was started in the background and may still be running; fix the problem and re-run up, or run down"' EXIT
    fi
    pg_up
    s3_install
    s3_up
    rmq_wait_ready
    rmq_provision
    log "PostgreSQL up: $STS_PG_HOST:$STS_PG_PORT db=$STS_PG_DATABASE user=$STS_PG_USER (log: $PG_LOG)"
    log "RabbitMQ   up: amqp://$STS_RABBIT_HOST:$STS_RABBIT_PORT node=$STS_RABBIT_NODENAME, management http://$STS_RABBIT_HOST:$STS_RABBIT_MANAGEMENT_PORT, metrics http://$STS_RABBIT_HOST:$STS_RABBIT_PROMETHEUS_PORT/metrics (log: $RMQ_LOG)"
    log "S3 (s3rver) up: http://$STS_S3_HOST:$STS_S3_PORT bucket=$STS_S3_BUCKET (log: $S3_LOG)"
    log "ready in $((SECONDS - t0))s -- eval \"\$($SCRIPT_DIR/infra.sh env)\""
}

cmd_down() {
    need_root down
    local rc=0
    s3_down || rc=1
    rmq_down || rc=1
    if find_pg_bin >/dev/null && [[ -d $PG_DATA ]]; then
        pg_down || rc=1
    else
        log "PostgreSQL: not initialized"
    fi
    return $rc
}

cmd_status() {
    local ok=0 pid
    if pid=$(pg_pid 2>/dev/null) && pg_ready; then
        printf 'postgres: up    (pid %s, %s:%s, data %s)\n' "$pid" "$STS_PG_HOST" "$STS_PG_PORT" "$PG_DATA"
    elif pid=$(pg_pid 2>/dev/null); then
        printf 'postgres: NOT READY (pid %s running but not accepting connections; log %s)\n' "$pid" "$PG_LOG"; ok=1
    else
        printf 'postgres: down\n'; ok=1
    fi
    if pid=$(rmq_pid 2>/dev/null) && port_open "$STS_RABBIT_HOST" "$STS_RABBIT_PORT"; then
        printf 'rabbitmq: up    (pid %s, node %s, amqp %s:%s)\n' "$pid" "$STS_RABBIT_NODENAME" "$STS_RABBIT_HOST" "$STS_RABBIT_PORT"
    elif pid=$(rmq_pid 2>/dev/null); then
        printf 'rabbitmq: NOT READY (node pid %s running, AMQP port %s closed -- app stopped or booting; log %s)\n' \
            "$pid" "$STS_RABBIT_PORT" "$RMQ_LOG"; ok=1
    else
        printf 'rabbitmq: down\n'; ok=1
    fi
    if pid=$(s3_pid 2>/dev/null) && s3_ready; then
        printf 's3:       up    (pid %s, http://%s:%s, data %s)\n' "$pid" "$STS_S3_HOST" "$STS_S3_PORT" "$S3_DATA"
    else
        printf 's3:       down\n'; ok=1
    fi
    return $ok
}

cmd_env() {
    ensure_signing_key
    ensure_pdf_signing_certificate
    local key; key=$(<"$SIGNING_KEY_FILE")
    local pdf_password; pdf_password=$(<"$PDF_SIGNING_DIR/password")
    local kv
    for kv in \
        "STS_REPO_ROOT=$REPO_ROOT" \
        "STS_PG_HOST=$STS_PG_HOST" \
        "STS_PG_PORT=$STS_PG_PORT" \
        "STS_PG_USER=$STS_PG_USER" \
        "STS_PG_PASSWORD=$STS_PG_PASSWORD" \
        "STS_PG_DATABASE=$STS_PG_DATABASE" \
        "ConnectionStrings__Postgres=Host=$STS_PG_HOST;Port=$STS_PG_PORT;Username=$STS_PG_USER;Password=$STS_PG_PASSWORD;Database=$STS_PG_DATABASE" \
        "STS_RABBIT_HOST=$STS_RABBIT_HOST" \
        "STS_RABBIT_PORT=$STS_RABBIT_PORT" \
        "STS_RABBIT_USER=$STS_RABBIT_USER" \
        "STS_RABBIT_PASSWORD=$STS_RABBIT_PASSWORD" \
        "ConnectionStrings__RabbitMq=amqp://$STS_RABBIT_USER:$STS_RABBIT_PASSWORD@$STS_RABBIT_HOST:$STS_RABBIT_PORT/" \
        "STS_S3_ENDPOINT=http://$STS_S3_HOST:$STS_S3_PORT" \
        "STS_S3_BUCKET=$STS_S3_BUCKET" \
        "STS_S3_ACCESS_KEY=$STS_S3_ACCESS_KEY" \
        "STS_S3_SECRET_KEY=$STS_S3_SECRET_KEY" \
        "Auth__SigningKey=$key" \
        "Signing__CertificatePath=$PDF_SIGNING_DIR/signing.p12" \
        "Signing__CertificatePassword=$pdf_password" \
        "STS_SIGNING_AUTHORITY=$PDF_SIGNING_DIR/authority.pem"
    do
        printf 'export %s=%s\n' "${kv%%=*}" "$(sq "${kv#*=}")"
    done
}

cmd_pg_restart() {
    need_root pg-restart
    pg_pid >/dev/null || die "PostgreSQL is not running (use 'up')."
    log "pg_ctl restart -m fast"
    as_postgres "$(pg_bin)/pg_ctl" restart -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t "$STS_INFRA_TIMEOUT" -s \
        || { show_log_tail "$PG_LOG"; die "PostgreSQL restart failed; see $PG_LOG"; }
    pg_wait_ready
    log "PostgreSQL restarted (pid $(pg_pid))"
}

cmd_rabbit_stop_app() {
    need_root rabbit-stop-app
    rmq_pid >/dev/null || die "RabbitMQ node is not running (use 'up')."
    rmqctl stop_app
}

cmd_rabbit_start_app() {
    need_root rabbit-start-app
    rmq_pid >/dev/null || die "RabbitMQ node is not running (use 'up')."
    rmqctl start_app
    rmqctl -q await_startup --timeout "$STS_INFRA_TIMEOUT" >/dev/null
    port_open "$STS_RABBIT_HOST" "$STS_RABBIT_PORT" || die "AMQP port $STS_RABBIT_PORT not open after start_app; see $RMQ_LOG"
}

cmd_logs() {
    printf 'postgres : %s\n' "$PG_LOG"
    printf 'rabbitmq : %s\n' "$RMQ_LOG"
    printf 'rabbitmq startup/stdout : %s\n' "$RMQ_STARTUP_LOG"
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    [[ $# -gt 0 ]] && shift
    case $cmd in
        up)               cmd_up ;;
        down)             cmd_down ;;
        status)           cmd_status ;;
        env)              cmd_env ;;
        pg-restart)       cmd_pg_restart ;;
        rabbit-stop-app)  cmd_rabbit_stop_app ;;
        rabbit-start-app) cmd_rabbit_start_app ;;
        ctl)              rmqctl "$@" ;;
        diag)             rmqdiag "$@" ;;
        psql)             PGPASSWORD="$STS_PG_PASSWORD" "$(pg_bin)/psql" -h "$STS_PG_HOST" -p "$STS_PG_PORT" \
                              -U "$STS_PG_USER" -d "$STS_PG_DATABASE" "$@" ;;
        logs)             cmd_logs ;;
        -h|--help|help)   usage ;;
        *)                usage >&2; exit 2 ;;
    esac
}

main "$@"
