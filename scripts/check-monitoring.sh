#!/usr/bin/env bash
# Checks the monitoring configuration in deploy/ and docs/runbooks/:
#   1. promtool check config deploy/prometheus/prometheus.yml
#   2. promtool check rules  deploy/prometheus/alerts.yml
#   3. promtool test rules   deploy/prometheus/alerts_test.yml
#   4. alert hygiene: for/severity/summary/description/runbook_url on every alert, each runbook file exists,
#      every alert has a firing and a non-firing unit test, alert and runbook PromQL uses only known metrics
#      (and the runbooks' PromQL parses)
#   5. Grafana: dashboard JSON is valid (python3 -m json.tool), every panel and target uses ${datasource},
#      the template variables exist, expressions use only known metrics and parse (promtool), and the
#      provisioning files are valid YAML
# Installs Debian's `prometheus` package when promtool is missing (needs root; then stops and disables the
# prometheus service that the package may start). Runs every check, prints a summary, exits 1 if any failed.
#
#   scripts/check-monitoring.sh            (PROMTOOL=/path/to/promtool to use another binary)
set -uo pipefail
root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root" || exit 1

PROM_DIR=deploy/prometheus
DASHBOARD=deploy/grafana/dashboards/sts-snapshots.json
PROVISIONING=(deploy/grafana/provisioning/dashboards/sts.yml deploy/grafana/provisioning/datasources/prometheus.yml)
RUNBOOKS=docs/runbooks

results=()
failures=0

step() { printf '\n==> %s\n' "$*"; }

# check NAME COMMAND...: runs one check, records PASS/FAIL, never stops the script.
check() {
    local name=$1; shift
    step "$name"
    if "$@"; then
        results+=("PASS  $name")
    else
        results+=("FAIL  $name")
        failures=$((failures + 1))
    fi
}

# Debian's prometheus package ships an init script and a systemd unit, and may start the server on install.
# This script only wants promtool, so leave no prometheus server behind.
stop_prometheus_service() {
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now prometheus.service >/dev/null 2>&1 || true
    else
        if [[ -x /etc/init.d/prometheus ]]; then
            /etc/init.d/prometheus stop >/dev/null 2>&1 || true   # start-stop-daemon with the package's pid file
        fi
        if command -v update-rc.d >/dev/null 2>&1; then
            update-rc.d prometheus disable >/dev/null 2>&1 || true
        fi
    fi
    local pidfile=/run/prometheus/prometheus.pid
    if [[ -s $pidfile ]] && kill -0 "$(<"$pidfile")" 2>/dev/null; then
        echo "check-monitoring: the prometheus service (pid $(<"$pidfile")) is still running after stop" >&2
        return 1
    fi
    return 0
}

ensure_promtool() {
    PROMTOOL=${PROMTOOL:-promtool}
    if command -v "$PROMTOOL" >/dev/null 2>&1; then
        PROMTOOL=$(command -v "$PROMTOOL")
        return 0
    fi
    echo "promtool not found; installing Debian's prometheus package (for promtool only)"
    if [[ $(id -u) -ne 0 ]]; then
        echo "check-monitoring: promtool is missing and installing it needs root (apt-get install prometheus)" >&2
        return 1
    fi
    local apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    local installed=0
    if DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" prometheus >/dev/null; then
        installed=1
    elif DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
         DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" prometheus >/dev/null; then
        installed=1
    fi
    stop_prometheus_service || return 1
    if [[ $installed -ne 1 ]]; then
        echo "check-monitoring: apt-get install prometheus failed" >&2
        return 1
    fi
    PROMTOOL=$(command -v promtool) || { echo "check-monitoring: promtool still missing after install" >&2; return 1; }
}

# The checks below are Python with PyYAML (Debian: python3-yaml), installed the same way when missing.
ensure_python_yaml() {
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
        return 0
    fi
    echo "python3 with PyYAML not found; installing python3-yaml"
    if [[ $(id -u) -ne 0 ]]; then
        echo "check-monitoring: python3-yaml is missing and installing it needs root" >&2
        return 1
    fi
    local apt_opts=(-y -q --no-install-recommends)
    if ! DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" python3 python3-yaml >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" python3 python3-yaml >/dev/null || return 1
    fi
}

promtool_version() {
    "$PROMTOOL" --version 2>&1 | head -n 1
}

# ------------------------------------------------------------------ python checks
# Metric names the services and RabbitMQ export (final Prometheus names). Histograms also match _bucket,
# _sum and _count. rabbitmq_* is allowed wholesale. Shared by the alert and dashboard checks.
read -r -d '' METRICS_PY <<'PY'
import re

HISTOGRAMS = {
    "rpc_server_duration_seconds", "sts_snapshot_end_to_end_seconds", "sts_snapshot_queue_wait_seconds",
    "sts_render_duration_seconds",
}
PLAIN = {
    # SnapshotApi
    "sts_snapshots_created_total", "sts_snapshots_finished_total", "sts_outbox_backlog", "sts_outbox_relay_lag_seconds",
    "sts_outbox_published_total", "sts_outbox_publish_failures_total", "sts_tasks_stale", "sts_watch_streams_active",
    "sts_download_checksum_mismatch_total", "sts_audit_seal_lag_seconds", "sts_audit_chain_head", "sts_rpc_out_of_memory_total",
    # PdfWorker
    "sts_worker_renders_total", "sts_worker_concurrency_in_use", "sts_worker_concurrency_limit",
    "sts_storage_bytes_written_total", "sts_cache_hits_total", "sts_cache_misses_total", "sts_cache_evictions_total",
    "sts_cache_corrupt_total", "sts_cache_bytes", "sts_cache_entries",
    # What the OpenTelemetry exporter really produces for the instrument sts.storage.written (unit "By"): it
    # appends the unit (and _total) unless the name already ends with it. The dashboard queries both names.
    "sts_storage_written_bytes_total",
}
ALLOWED = PLAIN | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}

FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max",
    "clamp_min", "count", "count_over_time", "count_values", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
    "delta", "deriv", "exp", "floor", "group", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate",
    "label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "max", "max_over_time", "min", "min_over_time",
    "minute", "month", "predict_linear", "present_over_time", "quantile", "quantile_over_time", "rate", "resets", "round",
    "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar", "stdvar_over_time", "sum",
    "sum_over_time", "time", "timestamp", "topk", "vector", "year",
}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
            "inf", "nan", "atan2"}


def metric_names(expr):
    """Metric names in a PromQL expression (good enough for the expressions we write; not a full parser)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)   # string literals
    e = re.sub(r"\{[^{}]*\}", "", e)                                               # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                                               # range/subquery durations
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)  # label lists
    e = re.sub(r"(?<![\w:.$])\d[\w.]*", "", e)                                     # numbers and durations
    e = re.sub(r"\$\{?\w+\}?", "", e)                                              # Grafana variables
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if word.lower() in KEYWORDS or (word in FUNCTIONS and rest.startswith("(")):
            continue
        names.add(word)
    return names


def unknown_metrics(expr, extra=frozenset()):
    return sorted(n for n in metric_names(expr) if n not in ALLOWED and n not in extra and not n.startswith("rabbitmq_"))
PY
export METRICS_PY

check_alert_hygiene() {
    local tmp out
    tmp=$(mktemp -d) || return 1
    python3 - "$PROM_DIR/alerts.yml" "$PROM_DIR/alerts_test.yml" "$RUNBOOKS" "$tmp/runbook_exprs.yml" <<'PY'
import os, re, sys
import yaml
exec(os.environ["METRICS_PY"])

rules_path, tests_path, runbooks, rules_out = sys.argv[1:5]
rules = yaml.safe_load(open(rules_path))
tests = yaml.safe_load(open(tests_path))
errors = []
recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
url_re = re.compile(r"^https://[^ ]+/blob/main/(docs/runbooks/[A-Za-z0-9._-]+\.md)$")

for r in rules["groups"]:
    for rule in r["rules"]:
        name = rule.get("alert") or rule.get("record")
        bad = unknown_metrics(rule["expr"], recorded | {"up"})
        if bad:
            errors.append(f"{name}: unknown metric(s) {bad}")

for a in alerts:
    name = a["alert"]
    if "for" not in a:
        errors.append(f"{name}: no 'for:'")
    if a.get("labels", {}).get("severity") not in ("page", "ticket"):
        errors.append(f"{name}: labels.severity must be page or ticket")
    ann = a.get("annotations", {})
    for key in ("summary", "description", "runbook_url"):
        if not str(ann.get(key, "")).strip():
            errors.append(f"{name}: annotations.{key} missing")
    m = url_re.match(str(ann.get("runbook_url", "")))
    if not m:
        errors.append(f"{name}: runbook_url must point at .../blob/main/docs/runbooks/<file>.md")
    elif not os.path.isfile(m.group(1)):
        errors.append(f"{name}: runbook {m.group(1)} does not exist")

fires, quiet = set(), set()
n_fire = n_quiet = n_expr = 0
for t in tests.get("tests", []):
    for case in t.get("alert_rule_test", []) or []:
        (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
        if case.get("exp_alerts"):
            n_fire += 1
        else:
            n_quiet += 1
    n_expr += len(t.get("promql_expr_test", []) or [])
print(f"  {tests_path}: {len(tests.get('tests', []))} test groups, {n_fire + n_quiet} alert cases "
      f"({n_fire} firing, {n_quiet} must not fire), {n_expr} recording-rule cases")
for a in alerts:
    name = a["alert"]
    if name not in fires:
        errors.append(f"{name}: no unit test where it fires")
    if name not in quiet:
        errors.append(f"{name}: no unit test where it must not fire (exp_alerts: [])")
tested = fires | quiet
for name in sorted(tested - {a["alert"] for a in alerts}):
    errors.append(f"unit tests name an alert that does not exist: {name}")

# The PromQL in the runbooks (```promql blocks, one expression per line) must use known metrics; it is also
# handed to promtool below so that it parses.
runbook_exprs = []
for name in sorted(os.listdir(runbooks)):
    if not name.endswith(".md"):
        continue
    text = open(os.path.join(runbooks, name)).read()
    for block in re.findall(r"```promql\n(.*?)```", text, re.S):
        for line in block.splitlines():
            expr = line.split("#", 1)[0].strip()
            if not expr:
                continue
            bad = unknown_metrics(expr, recorded | {"up"})
            if bad:
                errors.append(f"{runbooks}/{name}: unknown metric(s) {bad} in {expr!r}")
            runbook_exprs.append({"record": f"runbook:{name[:-3].replace('-', '_')}:{len(runbook_exprs)}", "expr": expr})
with open(rules_out, "w") as f:
    yaml.safe_dump({"groups": [{"name": "runbook-expressions", "rules": runbook_exprs}]}, f)

for e in errors:
    print("  " + e)
print(f"  {len(alerts)} alerts, {len(recorded)} recording rules; every alert has a runbook, a firing test and a quiet test"
      if not errors else f"  {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
PY
    local status=$?
    if [[ -s $tmp/runbook_exprs.yml ]]; then
        if [[ -z ${PROMTOOL:-} ]]; then
            echo "  cannot parse the runbooks' PromQL: promtool unavailable"; status=1
        elif out=$("$PROMTOOL" check rules "$tmp/runbook_exprs.yml" 2>&1); then
            echo "  the PromQL in the runbooks parses (promtool)"
        else
            printf '  %s\n' "${out//$'\n'/$'\n'  }"; status=1
        fi
    fi
    rm -rf "$tmp"
    return $status
}

check_dashboard_json() {
    python3 -m json.tool "$DASHBOARD" >/dev/null && echo "  $DASHBOARD is valid JSON"
}

check_dashboard() {
    local tmp status out
    tmp=$(mktemp -d) || return 1
    python3 - "$DASHBOARD" "$tmp/dashboard_exprs.yml" "${PROVISIONING[@]}" <<'PY'
import json, os, re, sys
import yaml
exec(os.environ["METRICS_PY"])

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
PY
    status=$?
    if [[ -s $tmp/dashboard_exprs.yml ]]; then
        if [[ -z ${PROMTOOL:-} ]]; then
            echo "  cannot parse the expressions: promtool unavailable"; status=1
        elif out=$("$PROMTOOL" check rules "$tmp/dashboard_exprs.yml" 2>&1); then
            echo "  every dashboard expression parses (promtool)"
        else
            printf '  %s\n' "${out//$'\n'/$'\n'  }"
            echo "  (rule dashboard:panelN_R is the query with refId R of the panel with id N)"
            status=1
        fi
    fi
    rm -rf "$tmp"
    return $status
}

# ------------------------------------------------------------------ run
if ensure_promtool; then
    echo "promtool: $PROMTOOL ($(promtool_version))"
    check "promtool check config $PROM_DIR/prometheus.yml" "$PROMTOOL" check config "$PROM_DIR/prometheus.yml"
    check "promtool check rules $PROM_DIR/alerts.yml" "$PROMTOOL" check rules "$PROM_DIR/alerts.yml"
    check "promtool test rules $PROM_DIR/alerts_test.yml" "$PROMTOOL" test rules "$PROM_DIR/alerts_test.yml"
else
    results+=("FAIL  promtool available")
    failures=$((failures + 1))
    PROMTOOL=
fi
if ensure_python_yaml; then
    check "alert hygiene (runbooks, tests, metric names, runbook PromQL)" check_alert_hygiene
    check "dashboard JSON (python3 -m json.tool)" check_dashboard_json
    check "dashboard (datasource, variables, metric names, PromQL)" check_dashboard
else
    results+=("FAIL  python3 with PyYAML available")
    failures=$((failures + 1))
fi

printf '\n==> summary\n'
printf '  %s\n' "${results[@]}"
if [[ $failures -gt 0 ]]; then
    printf 'Monitoring checks: %d of %d failed\n' "$failures" "${#results[@]}"
    exit 1
fi
printf 'Monitoring checks: all %d passed\n' "${#results[@]}"
