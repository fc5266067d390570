#!/usr/bin/env bash
# Offline checks of the container and deployment files (no Docker engine or cluster needed):
#   1. Dockerfiles: every COPY source exists and is inside the build context that .dockerignore leaves
#      (every git-tracked file under a copied folder too)
#   2. docker-compose.yml: docker-compose config -q
#   3. deploy/k8s and each overlay in deploy/overlays/: kubectl kustomize, then cross-references in its output
#      (Secret keys, ConfigMaps, PVC, volumes, probe and Service ports, selectors, HPA target, and that TLS and
#      identity settings agree with probes, mounts and each other)
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
python3 - services/SnapshotApi/Dockerfile services/PdfWorker/Dockerfile <<'PY'
import os, re, subprocess, sys

def rx(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i): out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i): out, i = out + ".*", i + 2
        elif pattern[i] == "*": out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?": out, i = out + "[^/]", i + 1
        else: out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")

# .dockerignore as Docker reads it: the last matching pattern wins, and a pattern that matches a folder
# matches everything under it.
rules = []
for line in open(".dockerignore"):
    line = line.strip()
    if not line or line.startswith("#"): continue
    negate = line.startswith("!")
    rules.append((negate, rx(line.lstrip("!").strip("/"))))

def in_context(path):
    parts, keep = path.strip("/").split("/"), True
    for negate, pattern in rules:
        if any(pattern.match("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            keep = negate
    return keep

try:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
except (OSError, subprocess.CalledProcessError) as e:
    # Without the list the "tracked files are in the build context" check would pass having checked nothing.
    sys.exit(f"check-deploy: git ls-files failed ({e}); run it from a git checkout")

errors = []
for dockerfile in sys.argv[1:]:
    copies = 0
    for line in open(dockerfile):
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words): continue
        for src in [w for w in words[1:-1] if not w.startswith("--")]:
            copies += 1
            path = src.rstrip("/") or "."
            if not os.path.exists(path):
                errors.append(f"{dockerfile}: COPY source {src} does not exist")
            elif not in_context(path):
                errors.append(f"{dockerfile}: COPY source {src} is excluded by .dockerignore")
            elif os.path.isdir(path):
                # The Dockerfiles are left out on purpose (Docker reads them anyway).
                lost = [f for f in tracked if f.startswith(path + "/") and not in_context(f)
                        and os.path.basename(f) != "Dockerfile"]
                errors += [f"{dockerfile}: {f} (tracked) is excluded by .dockerignore" for f in lost]
    print(f"  {dockerfile}: {copies} COPY sources checked")
for e in errors: print("  " + e)
sys.exit(1 if errors else 0)
PY

step "docker-compose.yml: docker-compose config -q ($(docker-compose version --short 2>/dev/null || echo '?'))"
docker-compose -f docker-compose.yml config -q
echo "  services: $(docker-compose -f docker-compose.yml config --services | tr '\n' ' ')"

rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
# The base, and every overlay shipped beside it: each must render and hang together on its own.
for target in deploy/k8s deploy/overlays/*/; do
target=${target%/}
step "$target: kubectl kustomize + cross-references"
kubectl kustomize "$target" >"$rendered"
python3 - "$rendered" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
by = {}
for d in docs: by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
print("  " + ", ".join(f"{k}: {len(v)}" for k, v in sorted(by.items())))
errors = []
ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
if ns != set(by.get("Namespace", {})): errors.append(f"namespaces {ns} vs Namespace objects {set(by.get('Namespace', {}))}")
secret_keys = {n: set(s.get("stringData", {})) | set(s.get("data", {})) for n, s in by.get("Secret", {}).items()}
configmaps = {n: c.get("data", {}) for n, c in by.get("ConfigMap", {}).items()}
tls_grpc = set()   # Deployments whose gRPC port speaks TLS
pod_labels = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in by.get("Deployment", {}).items()}

for name, dep in by.get("Deployment", {}).items():
    spec = dep["spec"]["template"]["spec"]
    sel = dep["spec"]["selector"]["matchLabels"]
    if not sel.items() <= pod_labels[name].items(): errors.append(f"{name}: selector does not match its pod labels")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for v in volumes.values():
        claim = v.get("persistentVolumeClaim", {}).get("claimName")
        if claim and claim not in by.get("PersistentVolumeClaim", {}): errors.append(f"{name}: PVC {claim} missing")
    if not spec.get("securityContext", {}).get("runAsNonRoot"): errors.append(f"{name}: runAsNonRoot not set")
    for c in spec["containers"]:
        ports = {p["containerPort"] for p in c.get("ports", [])} | {p["name"] for p in c.get("ports", []) if "name" in p}
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes: errors.append(f"{name}: volumeMount {m['name']} has no volume")
        for ref in c.get("envFrom", []):
            cm = ref.get("configMapRef", {}).get("name")
            if cm and cm not in by.get("ConfigMap", {}): errors.append(f"{name}: ConfigMap {cm} missing")
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["key"] not in secret_keys.get(ref["name"], set()):
                errors.append(f"{name}: env {e['name']} wants {ref['name']}/{ref['key']}, which does not exist")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            p = c.get(probe)
            if not p: errors.append(f"{name}: no {probe}"); continue
            port = (p.get("grpc") or p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
            if port not in ports: errors.append(f"{name}: {probe} port {port} is not a container port")
        # The settings the process sees: ConfigMaps first, then env (which wins), as Kubernetes applies them.
        effective = {}
        for ref in c.get("envFrom", []):
            effective.update(configmaps.get(ref.get("configMapRef", {}).get("name"), {}))
        for e in c.get("env", []): effective[e["name"]] = e.get("value", "(from a reference)")
        if effective.get("Kestrel__Endpoints__Grpc__Url", "").startswith("https://"):
            tls_grpc.add(name)
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if "grpc" in c.get(probe, {}):
                    errors.append(f"{name}: {probe} is a gRPC probe, but the gRPC port speaks TLS and kubelet gRPC probes are plaintext; probe /healthz or /readyz on the metrics port")
        if (effective.get("Auth__Authority") or effective.get("Auth__Jwks")) and "Auth__SigningKey" in effective:
            errors.append(f"{name}: Auth__SigningKey is set next to Auth__Authority/Auth__Jwks; the API refuses to start with both")
        mounts = [m["mountPath"].rstrip("/") + "/" for m in c.get("volumeMounts", [])]
        for key in ("Tls__CertificateFile", "Tls__KeyFile", "Tls__ClientCaFile", "RabbitMq__CaFile", "Auth__Jwks"):
            path = effective.get(key, "")
            if path.startswith("/") and not any(path.startswith(m) for m in mounts):
                errors.append(f"{name}: {key} {path} is on no volumeMount, so the file will not be there")
        sc = c.get("securityContext", {})
        if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("allowPrivilegeEscalation") is not False:
            errors.append(f"{name}: container securityContext must drop ALL and forbid privilege escalation")

def matches(selector):
    return [n for n, labels in pod_labels.items() if selector.items() <= labels.items()]
for kind in ("Service", "PodDisruptionBudget"):
    for name, obj in by.get(kind, {}).items():
        sel = obj["spec"]["selector"]
        sel = sel.get("matchLabels", sel)
        if len(matches(sel)) != 1: errors.append(f"{kind} {name}: selector matches {matches(sel)}")
for name, svc in by.get("Service", {}).items():
    deps = matches(svc["spec"]["selector"])   # more than one is reported above
    dep = deps[0] if len(deps) == 1 else None
    if dep:
        c = by["Deployment"][dep]["spec"]["template"]["spec"]["containers"][0]
        names = {p.get("name") for p in c.get("ports", [])} | {p["containerPort"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if p.get("targetPort", p["port"]) not in names: errors.append(f"Service {name}: targetPort {p.get('targetPort')} unknown")
            if dep in tls_grpc and p.get("appProtocol") == "kubernetes.io/h2c":
                errors.append(f"Service {name}: port {p['name']} says h2c (cleartext), but {dep} serves TLS on it")
for name, hpa in by.get("HorizontalPodAutoscaler", {}).items():
    if hpa["spec"]["scaleTargetRef"]["name"] not in by.get("Deployment", {}): errors.append(f"HPA {name}: target missing")
for e in errors: print("  " + e)
print("  cross-references OK" if not errors else f"  {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
PY
done

step "promtool check config deploy/prometheus/prometheus.compose.yml"
"$PROMTOOL" check config deploy/prometheus/prometheus.compose.yml

echo
echo "check-deploy: all checks passed (images were not built: that needs a Docker engine)"
