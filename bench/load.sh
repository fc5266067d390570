#!/usr/bin/env bash
# Load benchmark (issue 10): starts the infrastructure, one API replica and one worker (Release, rate limits off,
# a database of its own), then measures in one run, everything on this machine:
#   baselines   pgbench single-row inserts with 1 and 8 clients (the storage ceiling), and render-only throughput
#               of the small and medium rooms at the worker's concurrency (the render ceiling);
#   creates     closed loop with 1 and 8 callers and open loop at 500/s, worker stopped, relay running; then
#               8 callers over two API replicas;
#   reads       GetSnapshot with 1, 8 and 32 callers;
#   pipeline    create -> COMPLETED, 64 in flight: small PDF, small CSV, medium PDF;
#   fan-out     1,000 watchers of one medium PDF, attached while the worker is paused.
# Each mode prints throughput, p50/p99/p999 latency, service CPU per operation (API, worker, PostgreSQL and
# RabbitMQ, from /proc) and resident memory; the summary prints our figures as ratios of the baselines.
#   bench/load.sh            (about 10 minutes)
#   bench/load.sh --quick    (a smoke run of every mode, about a minute; scripts/test.sh runs it)
#   STS_LOAD_API_ENV="DOTNET_gcServer=0" bench/load.sh   (extra environment for the API, e.g. to compare GC settings)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
quick=""
[ "${1:-}" = "--quick" ] && quick=1
seconds=20 count=1000 watchers=1000 warm=200
[ -n "$quick" ] && seconds=2 count=40 watchers=100 warm=20
fixtures="$(cd "$root/.." && pwd -P)/shared/fixtures/rooms"
log="$root/.local/logs/load-$(date +%Y%m%d-%H%M%S).log"
mkdir -p "$root/.local/logs"

scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"
db=sts_load
psql_db() { STS_PG_DATABASE=$db scripts/infra.sh psql -Atqc "$1"; }
scripts/infra.sh psql -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
rm -rf "$root/.local/load-storage" "$root/.local/load-cache"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  kill -CONT "$(cat .local/run/worker.pid 2>/dev/null)" 2>/dev/null || true
  scripts/services.sh stop
  scripts/infra.sh psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$root/.local/load-storage" "$root/.local/load-cache"
}
trap cleanup EXIT

# shellcheck disable=SC2154 # ConnectionStrings__Postgres comes from infra.sh env
common="ConnectionStrings__Postgres=${ConnectionStrings__Postgres/Database=$STS_PG_DATABASE/Database=$db} Storage__Root=$root/.local/load-storage"
export STS_API_ENV="$common RateLimits__Enabled=false Tasks__MaxPendingTasks=10000000 Logging__LogLevel__Default=Warning ${STS_LOAD_API_ENV:-}"
export STS_WORKER_ENV="$common RenderCache__DiskRoot=$root/.local/load-cache Logging__LogLevel__Default=Warning"
# STS_LOAD_NO_BUILD=1: the solution is built already (scripts/test.sh).
STS_SERVICES_NO_BUILD="${STS_LOAD_NO_BUILD:-}" scripts/services.sh start >/dev/null
[ -n "${STS_LOAD_NO_BUILD:-}" ] || dotnet build bench/load -c Release -nologo -v q >/dev/null
postgres_pid="$(head -n 1 .local/pg/data/postmaster.pid)"
rabbit_pid="$(cat .local/rabbitmq/rabbitmq.pid)"
pids() { echo "api=$(cat .local/run/api.pid)${1:-};worker=$(cat .local/run/worker.pid 2>/dev/null || true);postgres=$postgres_pid;rabbitmq=$rabbit_pid"; }
load() { dotnet bench/load/bin/Release/net10.0/sts-load.dll "$@" | tee -a "$log"; }
step() { printf '\n== %s\n' "$*" | tee -a "$log"; }
rss_mib() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$(cat ".local/run/$1.pid")/status"; }
idle_memory() {   # resident memory a few seconds after start, before any load
  sleep 5
  echo "idle resident memory: api $(rss_mib api) MiB${1:+, worker $(rss_mib worker) MiB}" | tee -a "$log"
  echo "RESULT idle${1:+-all} api_rss_mib=$(rss_mib api)${1:+ worker_rss_mib=$(rss_mib worker)}" >>"$log"
}

drain_outbox() {   # the relay publishes what a run left behind before the next run starts, so runs do not overlap
  local unsent
  for _ in $(seq 600); do
    unsent="$(psql_db "SELECT count(*) FROM outbox WHERE sent_at IS NULL")"
    [ "$unsent" = 0 ] && return 0
    sleep 0.5
  done
  echo "the outbox still holds $unsent unsent rows after 5 minutes" >&2
  return 1
}

step "idle: services just started"
idle_memory worker

step "baseline: PostgreSQL single-row inserts (pgbench, ${seconds} s each)"
psql_db "CREATE TABLE load_baseline (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)"
pg_bin="$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_ctl)")")"
[ -x "$pg_bin/pgbench" ] || pg_bin=/usr/lib/postgresql/15/bin
for clients in 1 8; do
  tps="$(PGPASSWORD="$STS_PG_PASSWORD" "$pg_bin/pgbench" -n -h "$STS_PG_HOST" -p "$STS_PG_PORT" -U "$STS_PG_USER" \
    -f bench/pgbench-insert.sql -c "$clients" -j "$(( clients > 1 ? 2 : 1 ))" -T "$seconds" "$db" 2>/dev/null |
    awk '/^tps/ { printf "%.0f", $3; exit }')"
  echo "pgbench insert, $clients client(s): $tps transactions/s" | tee -a "$log"
  echo "RESULT pgbench-$clients rate=$tps" >>"$log"
done

step "baseline: render only, in process, 2 at a time (the worker's default on this machine)"
load render-only --room-file "$fixtures/small.json" --type pdf --concurrency 2 --seconds "$seconds"
load render-only --room-file "$fixtures/medium.json" --type pdf --concurrency 2 --seconds "$seconds"

step "CreateSnapshot, worker stopped, relay running"
scripts/services.sh worker-stop
load create --room-file "$fixtures/small.json" --callers 1 --seconds "$seconds" --warm-up "$warm" --pids "$(pids)"
drain_outbox
load create --room-file "$fixtures/small.json" --callers 8 --seconds "$seconds" --warm-up "$warm" --pids "$(pids)"
drain_outbox
load create --room-file "$fixtures/small.json" --rate 500 --seconds "$seconds" --warm-up "$warm" --pids "$(pids)"
drain_outbox
scripts/services.sh api2-start
load create --room-file "$fixtures/small.json" --callers 8 --seconds "$seconds" --warm-up "$warm" \
  --api http://127.0.0.1:5080,http://127.0.0.1:5082 --pids "$(pids ",$(cat .local/run/api2.pid)")"

step "GetSnapshot"
drain_outbox
for callers in 1 8 32; do
  load get --room-file "$fixtures/small.json" --callers "$callers" --seconds "$seconds" --pids "$(pids)"
done

step "create -> COMPLETED, 64 in flight (one worker)"
psql_db "UPDATE tasks SET status = 'failed' WHERE status = 'pending'" >/dev/null   # the create runs' backlog is not this run's work
psql_db "UPDATE snapshots SET status = 'failed' WHERE status = 'queued'" >/dev/null
psql_db "UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL" >/dev/null
rabbit_purge() { scripts/infra.sh ctl purge_queue "$1" >/dev/null 2>&1 || true; }
rabbit_purge generate-snapshot
scripts/services.sh worker-start
load end-to-end --room-file "$fixtures/small.json" --type pdf --in-flight 64 --count "$count" --pids "$(pids)"
load end-to-end --room-file "$fixtures/small.json" --type csv --in-flight 64 --count "$count" --pids "$(pids)"
load end-to-end --room-file "$fixtures/medium.json" --type pdf --in-flight 64 --count "$((count / 2))" --pids "$(pids)"

step "fan-out: $watchers watchers of one medium PDF (on a freshly started API, so its memory is the streams' alone)"
scripts/services.sh api-restart >/dev/null
idle_memory
# Warm the new process's paths (JIT, pools) so the delays are the fan-out's own, not a cold start's.
load end-to-end --room-file "$fixtures/small.json" --type pdf --in-flight 8 --count "$warm" --pids "$(pids)" >/dev/null
load fan-out --room-file "$fixtures/medium.json" --type pdf --watchers "$watchers" --pids "$(pids)"

step "summary (ratios against the baselines measured above)"
result() { grep "^RESULT $1 " "$log" | tail -n 1 | sed -E "s/.* $2=([^ ]+).*/\1/"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pg1="$(result pgbench-1 rate)" pg8="$(result pgbench-8 rate)"
c1="$(result create_closed-loop_1_callers rate)" c8="$(result create_closed-loop_8_callers rate)"
c8x2="$(result create_closed-loop_8_callers_2_replicas rate)"
e2e_small="$(result end-to-end_Pdf_small_64_in_flight rate)" render_small="$(result render-only_pdf_small rate)"
e2e_medium="$(result end-to-end_Pdf_medium_64_in_flight rate)" render_medium="$(result render-only_pdf_medium rate)"
cpu_small="$(result end-to-end_Pdf_small_64_in_flight cpu_ms)" render_cpu_small="$(result render-only_pdf_small cpu_ms)"
cpu_csv="$(result end-to-end_Csv_small_64_in_flight cpu_ms)"
{
  echo "create, 1 caller: $c1/s = $(ratio "$c1" "$pg1") x pgbench with 1 client ($pg1/s)"
  echo "create, 8 callers: $c8/s = $(ratio "$c8" "$pg8") x pgbench with 8 clients ($pg8/s)"
  echo "create, 8 callers over 2 replicas: $c8x2/s = $(ratio "$c8x2" "$c8") x one replica"
  echo "end to end, small PDF: $e2e_small/s = $(ratio "$e2e_small" "$render_small") x render-only ($render_small/s)"
  echo "end to end, medium PDF: $e2e_medium/s = $(ratio "$e2e_medium" "$render_medium") x render-only ($render_medium/s)"
  awk -v a="$cpu_small" -v r="$render_cpu_small" -v c="$cpu_csv" 'BEGIN {
    printf "service CPU per completed snapshot: small PDF %.2f ms (%.2f ms beyond its %.2f ms render), small CSV %.2f ms\n", a, a - r, r, c }'
  echo "full log: $log"
} | tee -a "$log"
