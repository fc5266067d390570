#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
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
# Each server has its own file in scripts/infra/ (postgres.sh, rabbitmq.sh, s3rver.sh; their config templates
# beside them); this file is the commands. Needs root (initdb/pg_ctl run as the `postgres` OS user via runuser; RabbitMQ
# runs as the invoking user, i.e. root).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
INFRA_DIR="$SCRIPT_DIR/infra"
# shellcheck source=infra/common.sh
source "$INFRA_DIR/common.sh"
# shellcheck source=infra/credentials.sh
source "$INFRA_DIR/credentials.sh"
# shellcheck source=infra/postgres.sh
source "$INFRA_DIR/postgres.sh"
# shellcheck source=infra/rabbitmq.sh
source "$INFRA_DIR/rabbitmq.sh"
# shellcheck source=infra/s3rver.sh
source "$INFRA_DIR/s3rver.sh"
# shellcheck source=infra/packages.sh
source "$INFRA_DIR/packages.sh"

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
    sed -n '3,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
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

