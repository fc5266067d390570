#!/usr/bin/env python3
"""Cross-reference checks of one rendered kustomization (kubectl kustomize output): python3 check-k8s.py NAME FILE.

Secret keys, ConfigMaps, volumes and PVCs exist; probe and Service target ports are container ports; Service and PDB
selectors match exactly one Deployment; HPA and KEDA ScaledObject targets exist, with their TriggerAuthentication and
its Secret keys; both Deployments agree on storage and queue type, and the storage they name is there (a bucket for
s3, a volume mounted at Storage__Root for filesystem); TLS and identity settings agree with probes, mounts, Service
protocols and each other; pods run as non-root without capabilities."""
import re
import sys
import yaml

name, path = sys.argv[1], sys.argv[2]
# Secrets an operator creates out of band (certificates, CAs) are declared in the kustomization's header comment as
# "#   Secret NAME ..."; a volume may name those without the render containing them.
out_of_band = set(re.findall(r"^#\s+Secret\s+(\S+)", open(f"{name}/kustomization.yaml").read(), re.M))
docs = [d for d in yaml.safe_load_all(open(path)) if d]
by = {}
for d in docs:
    by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
print(f"  {name}: " + ", ".join(f"{k}: {len(v)}" for k, v in sorted(by.items())))
errors = []
ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
if ns != set(by.get("Namespace", {})):
    errors.append(f"namespaces {ns} vs Namespace objects {set(by.get('Namespace', {}))}")
secret_keys = {n: set(s.get("stringData", {})) | set(s.get("data", {})) for n, s in by.get("Secret", {}).items()}
config_maps = {n: c.get("data", {}) for n, c in by.get("ConfigMap", {}).items()}
pod_labels = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in by.get("Deployment", {}).items()}
settings = {}  # Deployment -> environment from its ConfigMaps and plain env values
tls_grpc = set()  # Deployments whose gRPC port speaks TLS

for dep_name, dep in by.get("Deployment", {}).items():
    spec = dep["spec"]["template"]["spec"]
    sel = dep["spec"]["selector"]["matchLabels"]
    if not sel.items() <= pod_labels[dep_name].items():
        errors.append(f"{dep_name}: selector does not match its pod labels")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for v in volumes.values():
        claim = v.get("persistentVolumeClaim", {}).get("claimName")
        if claim and claim not in by.get("PersistentVolumeClaim", {}):
            errors.append(f"{dep_name}: PVC {claim} missing")
        secret = v.get("secret", {}).get("secretName")
        if secret and secret not in by.get("Secret", {}) and secret not in out_of_band:
            errors.append(f"{dep_name}: Secret {secret} (volume {v['name']}) missing")
    if not spec.get("securityContext", {}).get("runAsNonRoot"):
        errors.append(f"{dep_name}: runAsNonRoot not set")
    env = settings.setdefault(dep_name, {})
    for c in spec["containers"]:
        ports = {p["containerPort"] for p in c.get("ports", [])} | {p["name"] for p in c.get("ports", []) if "name" in p}
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes:
                errors.append(f"{dep_name}: volumeMount {m['name']} has no volume")
        for ref in c.get("envFrom", []):
            cm = ref.get("configMapRef", {}).get("name")
            if cm and cm not in config_maps:
                errors.append(f"{dep_name}: ConfigMap {cm} missing")
            env.update(config_maps.get(cm, {}))
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["key"] not in secret_keys.get(ref["name"], set()):
                errors.append(f"{dep_name}: env {e['name']} wants {ref['name']}/{ref['key']}, which does not exist")
            if "value" in e:
                env[e["name"]] = e["value"]
        kind = env.get("Storage__Kind", "filesystem")
        if kind == "s3":
            if not env.get("Storage__S3__Bucket"):
                errors.append(f"{dep_name}: Storage__Kind s3 without Storage__S3__Bucket")
        elif env.get("Storage__Root") not in mounts:
            errors.append(f"{dep_name}: filesystem storage at {env.get('Storage__Root')} but no volume is mounted there")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            p = c.get(probe)
            if not p:
                errors.append(f"{dep_name}: no {probe}")
                continue
            port = (p.get("grpc") or p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
            if port not in ports:
                errors.append(f"{dep_name}: {probe} port {port} is not a container port")
        # The settings the process sees: ConfigMaps first, then env (which wins), as Kubernetes applies them.
        effective = {}
        for ref in c.get("envFrom", []):
            effective.update(config_maps.get(ref.get("configMapRef", {}).get("name"), {}))
        for e in c.get("env", []):
            effective[e["name"]] = e.get("value", "(from a reference)")
        if effective.get("Kestrel__Endpoints__Grpc__Url", "").startswith("https://"):
            tls_grpc.add(dep_name)
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if "grpc" in c.get(probe, {}):
                    errors.append(f"{dep_name}: {probe} is a gRPC probe, but the gRPC port speaks TLS and kubelet gRPC probes are plaintext; probe /healthz or /readyz on the metrics port")
        if (effective.get("Auth__Authority") or effective.get("Auth__Jwks")) and "Auth__SigningKey" in effective:
            errors.append(f"{dep_name}: Auth__SigningKey is set next to Auth__Authority/Auth__Jwks; the API refuses to start with both")
        mount_dirs = [m.rstrip("/") + "/" for m in mounts]
        for key in ("Tls__CertificateFile", "Tls__KeyFile", "Tls__ClientCaFile", "RabbitMq__CaFile", "Auth__Jwks"):
            file = effective.get(key, "")
            if file.startswith("/") and not any(file.startswith(m) for m in mount_dirs):
                errors.append(f"{dep_name}: {key} {file} is on no volumeMount, so the file will not be there")
        sc = c.get("securityContext", {})
        if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("allowPrivilegeEscalation") is not False:
            errors.append(f"{dep_name}: container securityContext must drop ALL and forbid privilege escalation")

# The API and the workers must see the same files and declare the same queue type.
for key in ("Storage__Kind", "Storage__Root", "Storage__S3__ServiceUrl", "Storage__S3__Bucket", "Storage__S3__Prefix", "Bus__QueueType"):
    values = {d: s.get(key) for d, s in settings.items()}
    if len(set(values.values())) > 1:
        errors.append(f"Deployments disagree on {key}: {values}")


def matches(selector):
    return [n for n, labels in pod_labels.items() if selector.items() <= labels.items()]


for kind in ("Service", "PodDisruptionBudget"):
    for obj_name, obj in by.get(kind, {}).items():
        sel = obj["spec"]["selector"]
        sel = sel.get("matchLabels", sel)
        if len(matches(sel)) != 1:
            errors.append(f"{kind} {obj_name}: selector matches {matches(sel)}")
for svc_name, svc in by.get("Service", {}).items():
    deps = matches(svc["spec"]["selector"])  # more than one is reported above
    if len(deps) == 1:
        c = by["Deployment"][deps[0]]["spec"]["template"]["spec"]["containers"][0]
        names = {p.get("name") for p in c.get("ports", [])} | {p["containerPort"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if p.get("targetPort", p["port"]) not in names:
                errors.append(f"Service {svc_name}: targetPort {p.get('targetPort')} unknown")
            if deps[0] in tls_grpc and p.get("appProtocol") == "kubernetes.io/h2c":
                errors.append(f"Service {svc_name}: port {p['name']} says h2c (cleartext), but {deps[0]} serves TLS on it")
for hpa_name, hpa in by.get("HorizontalPodAutoscaler", {}).items():
    if hpa["spec"]["scaleTargetRef"]["name"] not in by.get("Deployment", {}):
        errors.append(f"HPA {hpa_name}: target missing")
for so_name, so in by.get("ScaledObject", {}).items():
    target = so["spec"]["scaleTargetRef"]["name"]
    if target not in by.get("Deployment", {}):
        errors.append(f"ScaledObject {so_name}: target {target} missing")
    if target in {h["spec"]["scaleTargetRef"]["name"] for h in by.get("HorizontalPodAutoscaler", {}).values()}:
        errors.append(f"ScaledObject {so_name}: {target} is also scaled by an HPA of its own")
    if not 1 <= so["spec"].get("minReplicaCount", 0) <= so["spec"].get("maxReplicaCount", 100):
        errors.append(f"ScaledObject {so_name}: replica bounds {so['spec'].get('minReplicaCount')}..{so['spec'].get('maxReplicaCount')}")
    for t in so["spec"]["triggers"]:
        auth = t.get("authenticationRef", {}).get("name")
        if auth and auth not in by.get("TriggerAuthentication", {}):
            errors.append(f"ScaledObject {so_name}: TriggerAuthentication {auth} missing")
for ta_name, ta in by.get("TriggerAuthentication", {}).items():
    for ref in ta["spec"].get("secretTargetRef", []):
        if ref["key"] not in secret_keys.get(ref["name"], set()):
            errors.append(f"TriggerAuthentication {ta_name}: {ref['name']}/{ref['key']} does not exist")
if not by.get("HorizontalPodAutoscaler") and not by.get("ScaledObject"):
    errors.append("nothing scales pdf-worker (neither a ScaledObject nor an HPA)")

for e in errors:
    print("    " + e)
print(f"  {name}: cross-references OK" if not errors else f"  {name}: {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
