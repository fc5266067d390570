#!/usr/bin/env bash
# Snapshots of rooms at the API's own limits, under the deployment's memory limits (issue 9).
# Builds a room at every limit (5,000 documents, 50,000 activity entries, 500 parties, short texts at their maximum
# lengths, the room at its 15 MiB size limit) and one at 40 % of them, then creates COUNT snapshots of each, PDF,
# JSON and CSV in turn, IN_FLIGHT at a time. The API and the worker each run in a memory cgroup with the limit their
# deploy/k8s manifest gives (bench/in-cgroup.sh) and with a GC heap limit of 75 % of it, which is what .NET takes
# itself in such a container. Reports completions, every non-OK status, and peak and per-quarter resident memory.
#   bench/large-rooms.sh [COUNT] [IN_FLIGHT]          (defaults 200 and 8)
#   STS_API_MEMORY=512Mi bench/large-rooms.sh ...     (another API limit than the manifest's, e.g. 512Mi = 384 MiB heap)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
count="${1:-200}"
in_flight="${2:-8}"

# The limit of the one container in a manifest, in bytes ("1Gi", "1536Mi").
manifest_limit() {
  local value
  value="$(awk '/limits:/ { f = 1 } f && /memory:/ { print $2; exit }' "$1")"
  case "$value" in
    *Gi) echo $(( ${value%Gi} * 1024 * 1024 * 1024 )) ;;
    *Mi) echo $(( ${value%Mi} * 1024 * 1024 )) ;;
    *) echo "cannot read a memory limit from $1 ('$value')" >&2; exit 1 ;;
  esac
}
to_bytes() { case "$1" in *Gi) echo $(( ${1%Gi} << 30 )) ;; *Mi) echo $(( ${1%Mi} << 20 )) ;; *) echo "$1" ;; esac; }
api_limit="$(manifest_limit deploy/k8s/snapshot-api-deployment.yaml)"
worker_limit="$(manifest_limit deploy/k8s/pdf-worker-deployment.yaml)"
[ -n "${STS_API_MEMORY:-}" ] && api_limit="$(to_bytes "$STS_API_MEMORY")"
[ -n "${STS_WORKER_MEMORY:-}" ] && worker_limit="$(to_bytes "$STS_WORKER_MEMORY")"

scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"
db=sts_large_rooms
storage="$root/.local/large-rooms-storage"
fresh() {
  scripts/infra.sh psql -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  rm -rf "$storage" "$root/.local/large-rooms-cache"
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  scripts/services.sh stop
  scripts/infra.sh psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$storage" "$root/.local/large-rooms-cache"
}
trap cleanup EXIT
fresh

echo "API: memory limit $((api_limit >> 20)) MiB, GC heap limit $((api_limit * 3 / 4 >> 20)) MiB; worker: memory limit $((worker_limit >> 20)) MiB, GC heap limit $((worker_limit * 3 / 4 >> 20)) MiB"
# shellcheck disable=SC2154 # ConnectionStrings__Postgres comes from infra.sh env
common="ConnectionStrings__Postgres=${ConnectionStrings__Postgres/Database=$STS_PG_DATABASE/Database=$db} Storage__Root=$storage"
STS_API_PREFIX="$root/bench/in-cgroup.sh sts-bench-api $api_limit" \
STS_API_ENV="$common DOTNET_GCHeapHardLimit=$(printf '0x%x' $((api_limit * 3 / 4))) RateLimits__Enabled=false" \
STS_WORKER_PREFIX="$root/bench/in-cgroup.sh sts-bench-worker $worker_limit" \
STS_WORKER_ENV="$common DOTNET_GCHeapHardLimit=$(printf '0x%x' $((worker_limit * 3 / 4))) RenderCache__DiskRoot=$root/.local/large-rooms-cache" \
  scripts/services.sh start
api_pid="$(cat .local/run/api.pid)"
worker_pid="$(cat .local/run/worker.pid)"

dotnet build bench/load -c Release -nologo -v q >/dev/null
status=0
dotnet bench/load/bin/Release/net10.0/sts-load.dll large-rooms --count "$count" --in-flight "$in_flight" \
  --pids "api=$api_pid;worker=$worker_pid" || status=$?

for name in api worker; do
  pid_var="${name}_pid"
  alive=yes
  kill -0 "${!pid_var}" 2>/dev/null || alive="NO (it died)"
  oom_kills="$(awk '/oom_kill / { print $2 }' "/sys/fs/cgroup/memory/sts-bench-$name/memory.oom_control" 2>/dev/null || echo "n/a")"
  echo "$name: still running: $alive; OOM kills in its cgroup: ${oom_kills:-0}; OutOfMemoryException log lines: $(grep -c OutOfMemory ".local/logs/$name.log" || true)"
done
exit "$status"
