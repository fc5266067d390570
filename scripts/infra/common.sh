# shellcheck shell=bash
# What every part of scripts/infra.sh uses: where state lives, logging, port and process checks, templates.
# Sourced by scripts/infra.sh (which sets INFRA_DIR); not run on its own.

: "${STS_INFRA_TIMEOUT:=120}"            # seconds to wait for each server to become ready

# Paths derived from the script location; NOT overridable on purpose.
REPO_ROOT="$(cd -- "$INFRA_DIR/../.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"

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

render() {  # render TEMPLATE NAME...: TEMPLATE with each @NAME@ replaced by the value of $NAME
    local template=$1 name value
    shift
    local -a edits=()
    for name in "$@"; do
        value=${!name}
        value=${value//\\/\\\\}
        value=${value//|/\\|}
        value=${value//&/\\&}
        edits+=(-e "s|@$name@|$value|g")
    done
    local out missing
    out=$(sed "${edits[@]}" "$template")
    missing=$(printf '%s\n' "$out" | grep -oE '@[A-Z_]+@' | sort -u | tr '\n' ' ' || true)
    [[ -z $missing ]] || die "$template: no value for $missing"
    printf '%s\n' "$out"
}
