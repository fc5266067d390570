#!/usr/bin/env bash
# Pipeline latency benchmark: starts the infrastructure and both services (Release), then measures
# create -> COMPLETED for the small sample room, one snapshot at a time.
#   bench/pipeline.sh [count]    (default 200)
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
scripts/infra.sh up >/dev/null
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"
scripts/services.sh start
dotnet build bench/PipelineBench -c Release -nologo -v q
dotnet bench/PipelineBench/bin/Release/net10.0/PipelineBench.dll \
  --fixture "$(cd "$root/.." && pwd -P)/shared/fixtures/rooms/small.json" --count "${1:-200}"
