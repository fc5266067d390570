#!/usr/bin/env bash
# Offline checks of the container and deployment files (no Docker engine or cluster needed):
#   1. Dockerfiles: every COPY source exists and is inside the build context that .dockerignore leaves
#      (every git-tracked file under a copied folder too)
#   2. docker-compose.yml: docker-compose config -q
#   3. deploy/k8s and each overlay in deploy/overlays: kubectl kustomize, then cross-references in the output
#      (scripts/check-k8s.py: Secret keys, ConfigMaps, PVC, volumes, probe and Service ports, selectors, HPA and
#      KEDA targets, storage and queue type the same in both Deployments, and that TLS and identity settings
#      agree with probes, mounts and each other)
#   4. promtool check config deploy/prometheus/prometheus.compose.yml (with alerts.yml)
# Images are not built here. Needs python3 with PyYAML, docker-compose, kubectl and promtool
# (Debian's docker-compose, installed here when missing; kubectl, which Debian does not package, from
# https://kubernetes.io/docs/tasks/tools/; python3-yaml and prometheus, which scripts/check-monitoring.sh installs).
set -euo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }
# need COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is missing (as root, or with sudo), as infra.sh does.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "check-deploy: $1 not found; installing Debian's $2" >&2
  # A fresh machine may have empty package lists: update once and try again.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; } \
    || { echo "check-deploy: could not install $2 (apt-get install $2)" >&2; exit 1; }
}
need docker-compose docker-compose
command -v kubectl >/dev/null 2>&1 \
  || { echo "check-deploy: kubectl not found; Debian does not package it: see https://kubernetes.io/docs/tasks/tools/" >&2; exit 1; }
# promtool and PyYAML are installed by scripts/check-monitoring.sh (which also stops the server Debian's
# prometheus package starts); scripts/test.sh runs it first.
PROMTOOL=${PROMTOOL:-promtool}
if ! command -v "$PROMTOOL" >/dev/null 2>&1 || ! python3 -c 'import yaml' 2>/dev/null; then
  echo "check-deploy: promtool or python3-yaml missing; run scripts/check-monitoring.sh first (it installs both)" >&2
  exit 1
fi

step "Dockerfiles: COPY sources exist and are in the build context (.dockerignore)"
python3 scripts/check-dockerfiles.py services/SnapshotApi/Dockerfile services/PdfWorker/Dockerfile

step "docker-compose.yml: docker-compose config -q ($(docker-compose version --short 2>/dev/null || echo '?'))"
docker-compose -f docker-compose.yml config -q
echo "  services: $(docker-compose -f docker-compose.yml config --services | tr '\n' ' ')"

step "deploy/k8s and deploy/overlays/*: kubectl kustomize + cross-references (scripts/check-k8s.py)"
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
for kustomization in deploy/k8s deploy/overlays/*/; do
  kustomization=${kustomization%/}
  kubectl kustomize "$kustomization" >"$rendered"
  python3 scripts/check-k8s.py "$kustomization" "$rendered"
done

step "promtool check config deploy/prometheus/prometheus.compose.yml"
"$PROMTOOL" check config deploy/prometheus/prometheus.compose.yml

echo
echo "check-deploy: all checks passed (images were not built: that needs a Docker engine)"
