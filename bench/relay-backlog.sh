#!/usr/bin/env bash
# Outbox backlog after a broker outage, under the API's memory limit. With RabbitMQ's app stopped, creates N
# snapshots of the large sample room (about 1.2 MB of outbox payload each), then starts RabbitMQ and waits for the
# relay to send the backlog. Runs twice in one go: with Outbox:MaxBatchBytes at its default (16 MiB) and at 1 GiB,
# which lets a relay round take all BatchSize (100) rows as the relay did before the byte budget.
# The API runs with a 384 MiB GC heap limit: what .NET sets itself (75 %) in the 512Mi container of deploy/k8s.
#   bench/relay-backlog.sh [count]    (default 100)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
count="${1:-100}"
fixture="$(cd "$root/.." && pwd -P)/shared/fixtures/rooms/large.json"
scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"
eval "$infra_env"
sts() { dotnet cli/Sts.Cli/bin/Release/net10.0/sts.dll "$@"; }
sql() { PGPASSWORD="$STS_PG_PASSWORD" psql -h "$STS_PG_HOST" -p "$STS_PG_PORT" -U "$STS_PG_USER" -d "$STS_PG_DATABASE" -Atc "$1"; }
peak() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
trap 'scripts/infra.sh rabbit-start-app >/dev/null 2>&1 || true; scripts/services.sh stop' EXIT
room="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$fixture")"

results=()
for budget in 16777216 1073741824; do
  scripts/services.sh stop
  : >"$root/.local/logs/api.log"
  Outbox__MaxBatchBytes=$budget DOTNET_GCHeapHardLimit=0x18000000 scripts/services.sh start >/dev/null
  api="$(cat "$root/.local/run/api.pid")"
  sts rooms upsert --file "$fixture" >/dev/null 2>&1
  scripts/infra.sh rabbit-stop-app >/dev/null
  refused=0
  for i in $(seq 1 "$count"); do
    sts snapshots create --room "$room" --title "backlog $i" --type pdf >/dev/null 2>&1 || refused=$((refused + 1))
  done
  backlog="$(sql "SELECT count(*) || ' rows, ' || coalesce(sum(octet_length(payload)), 0) / 1048576 || ' MiB' FROM outbox WHERE sent_at IS NULL")"
  scripts/infra.sh rabbit-start-app >/dev/null
  start=$(date +%s.%N)
  unsent=1
  for _ in $(seq 1 600); do
    unsent="$(sql "SELECT count(*) FROM outbox WHERE sent_at IS NULL")"
    [ "$unsent" = 0 ] && break
    sleep 0.2
  done
  flush="$(echo "$(date +%s.%N) - $start" | bc)"
  oom="$(grep -c OutOfMemoryException "$root/.local/logs/api.log" || true)"
  results+=("$(printf '%-14s %8s %9s %-18s %9.1f %7s %8s' "$budget" "$((count - refused))" "$refused" "$backlog" "$flush" "$unsent" "$(peak "$api")") $oom")
done

echo "outbox backlog of $count large-room creates during a RabbitMQ outage, API GC heap limit 384 MiB"
printf '%-14s %8s %9s %-18s %9s %7s %8s %s\n' MaxBatchBytes accepted failed backlog "flush (s)" unsent "peak MiB" "OutOfMemory log lines"
printf '%s\n' "${results[@]}"
