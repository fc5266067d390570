# shellcheck shell=bash
# RabbitMQ: a node of our own in .local/rabbitmq, run as the invoking user, on loopback. Sourced by scripts/infra.sh.

# Settings (each can be overridden by an environment variable of the same name)
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
    render "$INFRA_DIR/rabbitmq.conf.in" STS_RABBIT_HOST STS_RABBIT_PORT STS_RABBIT_MANAGEMENT_PORT STS_RABBIT_PROMETHEUS_PORT \
        STS_RABBIT_USER STS_RABBIT_PASSWORD >"$RMQ_CONFIG_FILE"
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
        cd "$RMQ_DIR" || exit 1
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
        if names=$(ERL_EPMD_ADDRESS=127.0.0.1 epmd -names 2>/dev/null) && ! printf '%s\n' "$names" | grep -q '^name '; then
            ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill >/dev/null 2>&1 || true
        fi
    fi
}

