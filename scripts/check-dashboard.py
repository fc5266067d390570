#!/usr/bin/env python3
"""Run by scripts/check-monitoring.sh: the Grafana dashboard uses ${datasource} and its variables, and only known
metric names; its expressions are collected for promtool to parse."""
import json, os, re, sys
import yaml
from sts_metrics import unknown_metrics

path, rules_out, *provisioning = sys.argv[1:]
d = json.load(open(path))
errors = []
DS = "${datasource}"

def ds_uid(ds):
    return ds.get("uid") if isinstance(ds, dict) else ds

# Template variables.
variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
dsv = variables.get("datasource")
if not dsv or dsv.get("type") != "datasource" or dsv.get("query") != "prometheus":
    errors.append("template variable 'datasource' (type datasource, query prometheus) is missing")
job_vars = [n for n in ("job", "api_job", "worker_job") if n in variables]
if not ("job" in variables or {"api_job", "worker_job"} <= set(variables)):
    errors.append("template variable 'job' (or 'api_job' and 'worker_job') is missing")
for name, v in variables.items():
    if v.get("type") != "query":
        continue
    q = v.get("query")
    q = q.get("query", "") if isinstance(q, dict) else (q or "")
    if not q.startswith("label_values("):
        errors.append(f"variable {name}: expected a label_values(...) query, got {q!r}")
    if ds_uid(v.get("datasource")) != DS:
        errors.append(f"variable {name}: datasource must be {DS}")
    m = re.match(r"label_values\(\s*(.*?)\s*,\s*\w+\s*\)$", q)
    bad = unknown_metrics(m.group(1)) if m else []
    if bad:
        errors.append(f"variable {name}: unknown metric(s) {bad}")

# Panels (rows may nest panels when collapsed).
def walk(panels):
    for p in panels:
        yield p
        yield from walk(p.get("panels", []))

panels = list(walk(d.get("panels", [])))
ids = [p.get("id") for p in panels]
if len(ids) != len(set(ids)):
    errors.append("panel ids are not unique")
exprs = []
builtin = {"__rate_interval", "__interval", "__range", "__range_s", "__range_ms", "__interval_ms"}
for p in panels:
    title = p.get("title", f"panel {p.get('id')}")
    if ds_uid(p.get("datasource")) != DS:
        errors.append(f"{title!r}: panel datasource is {p.get('datasource')!r}, not {DS}")
    if "gridPos" not in p:
        errors.append(f"{title!r}: no gridPos")
    if p.get("type") == "row":
        continue
    targets = p.get("targets") or []
    if not targets:
        errors.append(f"{title!r}: no queries")
    for t in targets:
        if "datasource" in t and ds_uid(t["datasource"]) != DS:
            errors.append(f"{title!r} {t.get('refId')}: target datasource is not {DS}")
        expr = t.get("expr", "")
        if not expr.strip():
            errors.append(f"{title!r} {t.get('refId')}: empty expression")
            continue
        bad = unknown_metrics(expr)
        if bad:
            errors.append(f"{title!r} {t.get('refId')}: unknown metric(s) {bad}")
        for var in sorted(set(re.findall(r"\$\{?(\w+)", expr))):
            if var not in variables and var not in builtin:
                errors.append(f"{title!r} {t.get('refId')}: undefined variable ${var}")
        exprs.append((p.get("id"), t.get("refId"), expr))

# Hand every expression to promtool as a recording rule, with the Grafana variables filled in, so that
# PromQL syntax errors are caught here rather than in the browser.
def concrete(expr):
    expr = re.sub(r"\$\{?__(rate_interval|interval|range)\}?", "5m", expr)
    return re.sub(r"\$\{?\w+\}?", ".*", expr)

rules = {"groups": [{"name": "dashboard-expressions", "rules": [
    {"record": f"dashboard:panel{pid}_{ref}", "expr": concrete(e)} for pid, ref, e in exprs]}]}
with open(rules_out, "w") as f:
    yaml.safe_dump(rules, f)

for prov in provisioning:
    try:
        doc = yaml.safe_load(open(prov))
        if doc.get("apiVersion") != 1:
            errors.append(f"{prov}: apiVersion must be 1")
        if not (doc.get("providers") or doc.get("datasources")):
            errors.append(f"{prov}: neither providers nor datasources")
    except Exception as ex:  # noqa: BLE001
        errors.append(f"{prov}: {ex}")
for f in provisioning:
    if "dashboards" in f:
        doc = yaml.safe_load(open(f))
        for prov in doc.get("providers", []):
            if prov.get("type") != "file" or not prov.get("options", {}).get("path"):
                errors.append(f"{f}: provider {prov.get('name')} needs type file and options.path")

for e in errors:
    print("  " + e)
rows = sum(1 for p in panels if p.get("type") == "row")
print(f"  {len(panels) - rows} panels in {rows} rows, {len(exprs)} queries, variables: {', '.join(variables)}"
      if not errors else f"  {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
