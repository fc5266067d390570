# shellcheck shell=bash
# S3 protocol on loopback: s3rver from npm, installed into .local/s3rver and started there. Sourced by scripts/infra.sh.

# Settings (each can be overridden by an environment variable of the same name)
: "${STS_S3_HOST:=127.0.0.1}"            # s3rver: S3 protocol over plain HTTP, path-style
: "${STS_S3_PORT:=9000}"
: "${STS_S3_BUCKET:=sts}"                # created at start; tests make buckets of their own
# s3rver checks only the access key id (its one account is S3RVER/S3RVER), not the v4 signature.
: "${STS_S3_ACCESS_KEY:=S3RVER}"
: "${STS_S3_SECRET_KEY:=S3RVER}"

S3_DIR="$LOCAL_DIR/s3"
S3_DATA="$S3_DIR/data"
S3_LOG="$S3_DIR/s3rver.log"
S3_PID_FILE="$S3_DIR/s3rver.pid"
S3RVER_VERSION="3.7.1"                   # pinned; installed into the project, not globally
S3RVER_PREFIX="$LOCAL_DIR/s3rver"
S3RVER_JS="$S3RVER_PREFIX/node_modules/s3rver/bin/s3rver.js"

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

