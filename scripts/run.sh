#!/usr/bin/env bash
# Runs the whole system on this machine and shows the main job:
# starts PostgreSQL, RabbitMQ and s3rver (installing them if missing), builds, starts SnapshotApi
# (which applies migrations) and a PdfWorker, upserts the medium sample room, creates a PDF
# snapshot with a live progress bar, downloads it and prints its path, size and SHA-256.
# The services keep running afterwards; stop them with scripts/services.sh stop
# (or pass --stop to stop them after the demonstration).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

step "infrastructure: PostgreSQL 127.0.0.1:55432, RabbitMQ 127.0.0.1:35672, S3 (s3rver) 127.0.0.1:9000"
scripts/infra.sh up
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"

step "build and start SnapshotApi (127.0.0.1:5080) and a PdfWorker"
scripts/services.sh start

sts() { dotnet cli/Sts.Cli/bin/Release/net10.0/sts.dll "$@"; }
fixture="$(cd "$root/.." && pwd -P)/shared/fixtures/rooms/medium.json"

step "upsert the medium sample room"
sts rooms upsert --file "$fixture"

step "create a PDF snapshot, watch it being made, download it"
mkdir -p "$root/.local/downloads"
sts snapshots create --room room-202 --title "Pre-transfer compliance record" --type pdf --wait \
  --download "$root/.local/downloads"

if [ "${1:-}" = "--stop" ]; then
  scripts/services.sh stop
else
  echo
  echo "The services are still running (logs in .local/logs). Try: dotnet cli/Sts.Cli/bin/Release/net10.0/sts.dll snapshots list --room room-202"
  echo "Stop them with: scripts/services.sh stop"
fi
