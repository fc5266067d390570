#!/usr/bin/env bash
# Outbox backlog after a broker outage, under a memory cap. With RabbitMQ's app stopped, creates N snapshots of
# the large sample room (about 1.2 MB of outbox payload each), then starts RabbitMQ and waits for the relay to send
# the backlog. Runs twice in one go: with Outbox:MaxBatchBytes at its default (16 MiB) and at 1 GiB, which lets a
# relay round take all BatchSize (100) rows as the relay did before the byte budget.
# The API alone runs with a 384 MiB GC heap cap: what .NET sets itself (75 %) under a 512Mi container limit, the
# API's limit in deploy/k8s until this benchmark showed it too small (it is 1Gi now). Each run has a database of
# its own, so that no earlier run's tasks (which the reaper would send again) are counted in the backlog.
#   bench/relay-backlog.sh [count]    (default 100)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
count="${1:-100}"
fixture="$(cd "$root/.." && pwd -P)/shared/fixtures/rooms/large.json"
scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"
eval "$infra_env"   # sets STS_PG_*, ConnectionStrings__Postgres, …
sts() { dotnet cli/Sts.Cli/bin/Release/net10.0/sts.dll "$@"; }
db=sts_relay_bench
sql() { STS_PG_DATABASE=$db scripts/infra.sh psql -Atqc "$1"; }
fresh_database() {
  scripts/infra.sh psql -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
}
peak() { if [ -r "/proc/$1/status" ]; then awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; else printf 'died'; fi; }
trap 'scripts/infra.sh rabbit-start-app >/dev/null 2>&1 || true; scripts/services.sh stop; scripts/infra.sh psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true' EXIT
room="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$fixture")"

results=()
for budget in 16777216 1073741824; do
  fresh_database
  # shellcheck disable=SC2154 # ConnectionStrings__Postgres comes from infra.sh env
  STS_API_ENV="DOTNET_GCHeapHardLimit=0x18000000 Outbox__MaxBatchBytes=$budget ConnectionStrings__Postgres=${ConnectionStrings__Postgres/Database=$STS_PG_DATABASE/Database=$db}" \
    scripts/services.sh start >/dev/null
  api="$(cat "$root/.local/run/api.pid")"
  sts rooms upsert --file "$fixture" >/dev/null
  scripts/infra.sh rabbit-stop-app >/dev/null
  refused=0
  for i in $(seq 1 "$count"); do
    sts snapshots create --room "$room" --title "backlog $i" --type pdf >/dev/null 2>&1 || refused=$((refused + 1))
  done
  backlog="$(sql "SELECT count(*) || ' rows, ' || coalesce(sum(octet_length(payload)), 0) / 1048576 || ' MiB' FROM outbox WHERE sent_at IS NULL")"
  scripts/infra.sh rabbit-start-app >/dev/null
  start=$EPOCHREALTIME
  unsent=1
  for _ in $(seq 1 600); do
    unsent="$(sql "SELECT count(*) FROM outbox WHERE sent_at IS NULL")"
    [ "$unsent" = 0 ] && break
    sleep 0.2
  done
  flush="$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
  [ "$unsent" = 0 ] || flush="$unsent left"   # not sent within 120 s
  oom="$(grep -c OutOfMemoryException "$root/.local/logs/api.log" || true)"
  results+=("$(printf '%-14s %8s %7s %-18s %-11s %8s %s' "$budget" "$((count - refused))" "$refused" "$backlog" "$flush" "$(peak "$api")" "$oom")")
  scripts/services.sh stop
done

echo "outbox backlog of $count large-room creates during a RabbitMQ outage, API GC heap cap 384 MiB"
printf '%-14s %8s %7s %-18s %-11s %8s %s\n' MaxBatchBytes accepted failed backlog "flush (s)" "peak MiB" "OutOfMemory log lines"
printf '%s\n' "${results[@]}"
