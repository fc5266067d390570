#!/usr/bin/env bash
# Runs every check and test: starts PostgreSQL and RabbitMQ (installing them if needed),
# lints the protos, builds with warnings as errors, and runs all test projects.
# Ends with one summary line "Tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n==> %s\n' "$*"; }

step "infrastructure"
scripts/infra.sh up
infra_env="$(scripts/infra.sh env)"   # an assignment fails under set -e; eval "$(...)" would not
eval "$infra_env"

step "buf lint (protos/)"
(cd protos && npx --yes @bufbuild/buf@1.75.0 lint)

step "monitoring: promtool check config/rules, promtool test rules, dashboard lint"
scripts/check-monitoring.sh

step "deployment files: Dockerfiles, docker-compose config, kubectl kustomize (offline)"
scripts/check-deploy.sh

step "build (-warnaserror)"
dotnet build Sts.sln -c Release -warnaserror -nologo -v q

step "tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test Sts.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The short chaos run: faults injected into real processes; the checker fails the run on any lost,
# stuck or duplicated snapshot. Its table is part of the log; `scripts/chaos.sh --long` runs 2,000 creates.
step "chaos (short form)"
chaos_status=0
STS_CHAOS_NO_BUILD=1 scripts/chaos.sh || chaos_status=$?

# A few seconds of every bench/load mode against the Release build: the load tool and the paths it drives still work.
# It asserts no speed (benchmarks are not timed tests); it fails only if a mode fails.
step "load benchmark smoke run (bench/load.sh --quick)"
load_status=0
STS_LOAD_NO_BUILD=1 bench/load.sh --quick || load_status=$?

# dotnet test prints one "Passed!/Failed! - Failed: a, Passed: b, Skipped: c" line per project.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" |
  sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo
for check in "chaos:$chaos_status" "load smoke:$load_status"; do
  if [ "${check##*:}" -ne 0 ]; then
    echo "${check%:*} run failed (exit ${check##*:})."
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
