#!/usr/bin/env bash
# CPU per snapshot of each part of the system, the figures docs/scaling.md is built on: the API and a worker (render
# cache off, so every snapshot is rendered) storing in the local S3 server, against a fresh database; COUNT snapshots
# of the small, medium and large sample rooms in each type, IN_FLIGHT at a time, with the CPU time the API, the worker,
# PostgreSQL (postmaster and backends), RabbitMQ and s3rver used meanwhile, read from /proc.
#   bench/capacity.sh [COUNT] [IN_FLIGHT]     (defaults 20 and 4)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
count="${1:-20}"
in_flight="${2:-4}"

scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"
db=sts_capacity
bucket=sts-capacity
cleanup() {
  scripts/services.sh stop
  scripts/infra.sh psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$root/.local/capacity-cache"
}
trap cleanup EXIT
scripts/infra.sh psql -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
# A bucket of its own (s3rver creates it on PUT; an existing one is kept, its objects are overwritten by key).
curl -fsS -X PUT "$STS_S3_ENDPOINT/$bucket" -o /dev/null || true

# Ports of their own, so that this does not clash with services another checkout runs on the defaults.
base_port="${STS_S3_PORT:-9000}"
grpc_port=$((base_port + 1)); metrics_port=$((base_port + 2)); worker_port=$((base_port + 3))
storage="Storage__Kind=s3 Storage__S3__ServiceUrl=$STS_S3_ENDPOINT Storage__S3__Bucket=$bucket Storage__S3__AccessKey=$STS_S3_ACCESS_KEY Storage__S3__SecretKey=$STS_S3_SECRET_KEY"
export STS_API="http://127.0.0.1:$grpc_port"
# shellcheck disable=SC2154 # ConnectionStrings__Postgres comes from infra.sh env
STS_API_ENV="$storage ConnectionStrings__Postgres=${ConnectionStrings__Postgres/Database=$STS_PG_DATABASE/Database=$db} RateLimits__Enabled=false Kestrel__Endpoints__Grpc__Url=$STS_API Kestrel__Endpoints__Http__Url=http://127.0.0.1:$metrics_port" \
STS_WORKER_ENV="$storage RenderCache__Enabled=false RenderCache__DiskRoot=$root/.local/capacity-cache Kestrel__Endpoints__Http__Url=http://127.0.0.1:$worker_port" \
  scripts/services.sh start

dotnet build bench/load -c Release -nologo -v q >/dev/null
nproc_note="$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $nproc_note; worker concurrency: one render per core"
dotnet bench/load/bin/Release/net10.0/sts-load.dll capacity --api "$STS_API" --fixtures "$root/../shared/fixtures/rooms" \
  --count "$count" --in-flight "$in_flight" \
  --pids "api=$(cat .local/run/api.pid);worker=$(cat .local/run/worker.pid);postgres=$(head -n1 .local/pg/data/postmaster.pid);rabbitmq=$(cat .local/rabbitmq/rabbitmq.pid);s3=$(cat .local/s3/s3rver.pid)"
echo "machine after the run: load average $(cut -d' ' -f1-3 /proc/loadavg)"
