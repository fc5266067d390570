#!/usr/bin/env python3
"""Run by scripts/check-monitoring.sh: every alert has a runbook, a firing and a quiet promtool test, and uses only
known metric names; the PromQL quoted in the runbooks is collected for promtool to parse."""
import os, re, sys
import yaml
from sts_metrics import unknown_metrics

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
