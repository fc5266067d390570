# shellcheck shell=bash
# Debian packages the local infrastructure needs (PostgreSQL, RabbitMQ, poppler-utils, NSS tools), installed when
# missing. Sourced by scripts/infra.sh after postgres.sh and rabbitmq.sh.

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

