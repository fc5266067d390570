#!/usr/bin/env bash
# Starts or stops SnapshotApi and one PdfWorker in the background, from a Release build,
# against the infrastructure of scripts/infra.sh. Used by scripts/run.sh and the benchmarks.
#   scripts/services.sh start   # builds, starts both, waits until the API is ready
#   scripts/services.sh stop
#   scripts/services.sh api2-start | worker-stop | worker-start   # for benchmarks: a second API replica, the worker alone
# STS_API: the API's gRPC address when STS_API_ENV moves it (Kestrel__Endpoints__Grpc__Url), for the readiness wait.
# STS_SERVICES_NO_BUILD=1 skips the build. STS_API_ENV="KEY=VALUE ..." and STS_WORKER_ENV add environment to the API or worker process alone (benchmarks cap
# their heaps); STS_API_PREFIX and STS_WORKER_PREFIX put a command in front (bench/in-cgroup.sh NAME BYTES, a memory limit).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
run="$root/.local/run"
logs="$root/.local/logs"
mkdir -p "$run" "$logs"

stop_one() {
  local pidfile="$run/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_one() { # name dll prefix [KEY=VALUE ...]
  stop_one "$1"
  local prefix
  read -ra prefix <<<"$3"
  # From its own folder, so the service reads the appsettings.json next to it.
  (cd "$(dirname "$2")" && exec env "${@:4}" "${prefix[@]}" nohup dotnet "$(basename "$2")" >"$logs/$1.log" 2>&1) &
  echo $! >"$run/$1.pid"
}

setup_env() {
  infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
  eval "$infra_env"
  export Storage__Root="${Storage__Root:-$root/.local/storage}"
  export RenderCache__DiskRoot="${RenderCache__DiskRoot:-$root/.local/render-cache}"
  read -ra api_env <<<"${STS_API_ENV:-}"
  read -ra worker_env <<<"${STS_WORKER_ENV:-}"
}
api_dll=services/SnapshotApi/bin/Release/net10.0/Sts.SnapshotApi.dll
worker_dll=services/PdfWorker/bin/Release/net10.0/Sts.PdfWorker.dll

wait_ready() { # address log
  if ! dotnet cli/Sts.Cli/bin/Release/net10.0/sts.dll health --api "$1" --wait 60s >/dev/null; then
    echo "SnapshotApi at $1 did not become ready; last lines of $2:" >&2
    tail -n 30 "$2" >&2
    exit 1
  fi
}

case "${1:-}" in
  start)
    setup_env
    [ -n "${STS_SERVICES_NO_BUILD:-}" ] || dotnet build Sts.sln -c Release -nologo -v q
    start_one api "$api_dll" "${STS_API_PREFIX:-}" "${api_env[@]}"
    start_one worker "$worker_dll" "${STS_WORKER_PREFIX:-}" "${worker_env[@]}"
    wait_ready "${STS_API:-http://127.0.0.1:5080}" "$logs/api.log"
    echo "SnapshotApi (pid $(cat "$run/api.pid")) on ${STS_API:-http://127.0.0.1:5080}, PdfWorker (pid $(cat "$run/worker.pid")); logs in .local/logs/"
    ;;
  api2-start)   # a second API replica on 127.0.0.1:5082 (metrics :5083), same settings; no build
    setup_env
    start_one api2 "$api_dll" "${STS_API_PREFIX:-}" "${api_env[@]}" \
      Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5082 Kestrel__Endpoints__Http__Url=http://127.0.0.1:5083
    wait_ready http://127.0.0.1:5082 "$logs/api2.log"
    ;;
  api-restart)  # the API replicas stop and one starts afresh (a clean process for memory figures); no build
    setup_env
    stop_one api2
    stop_one api
    start_one api "$api_dll" "${STS_API_PREFIX:-}" "${api_env[@]}"
    wait_ready http://127.0.0.1:5080 "$logs/api.log"
    ;;
  worker-start) # the worker again, after worker-stop; no build
    setup_env
    start_one worker "$worker_dll" "${STS_WORKER_PREFIX:-}" "${worker_env[@]}"
    ;;
  worker-stop)
    stop_one worker
    ;;
  stop)
    stop_one worker
    stop_one api2
    stop_one api
    ;;
  *)
    echo "usage: scripts/services.sh start|stop|api2-start|api-restart|worker-start|worker-stop" >&2
    exit 2
    ;;
esac
