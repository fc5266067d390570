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
SCRIPTS="$root/scripts"   # the checks in Python: check-alerts.py, check-dashboard.py, sts_metrics.py

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

check_alert_hygiene() {
    local tmp out
    tmp=$(mktemp -d) || return 1
    python3 "$SCRIPTS/check-alerts.py" "$PROM_DIR/alerts.yml" "$PROM_DIR/alerts_test.yml" "$RUNBOOKS" "$tmp/runbook_exprs.yml"
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
    python3 "$SCRIPTS/check-dashboard.py" "$DASHBOARD" "$tmp/dashboard_exprs.yml" "${PROVISIONING[@]}"
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
