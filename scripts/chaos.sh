#!/usr/bin/env bash
# Chaos test: runs the Release build of SnapshotApi (2 replicas) and PdfWorker (2) as child processes against a
# fresh database and RabbitMQ vhost, creates snapshots while it kills workers and API replicas (kill -9), stops and
# starts RabbitMQ and restarts PostgreSQL, then checks that no accepted snapshot was lost, stuck or done twice and
# that the audit chain verifies (see ../shared/RELIABILITY.md). Exit code 0 only if every promise held.
#   scripts/chaos.sh                 # short form: 200 creates, a few minutes
#   scripts/chaos.sh --long          # long form: 2000 creates, more fault repetitions
#   scripts/chaos.sh --seed 42 ...   # further arguments go to the harness (--help lists them)
#   scripts/chaos.sh --storage s3 --queue-type quorum   # the services on S3 (a bucket of the run's own) and quorum queues
# Environment: STS_CHAOS_INFRA (default scripts/infra.sh) and its STS_* overrides, to run against other servers;
# STS_CHAOS_NO_BUILD=1 skips the build (test.sh has built the solution already).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
infra="${STS_CHAOS_INFRA:-$root/scripts/infra.sh}"

"$infra" up
infra_env="$("$infra" env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"

if [ -z "${STS_CHAOS_NO_BUILD:-}" ]; then
  for project in services/SnapshotApi services/PdfWorker tests/Chaos; do
    dotnet build "$project" -c Release -warnaserror -nologo -v q
  done
fi

# exec, so Ctrl-C and SIGTERM reach the harness, which then stops its services and drops its database and vhost.
exec dotnet tests/Chaos/bin/Release/net10.0/sts-chaos.dll --infra "$infra" "$@"
