#!/usr/bin/env bash
# Checks the files users run alongside llmwatch (rules/, dashboards/, prometheus/, alertmanager/,
# docs/runbooks/) with the real tools: Debian's promtool (Prometheus 2.42) and amtool
# (Alertmanager 0.25), plus Python checks of what those tools cannot see.
#
#   scripts/check-shipped-files.sh            every check; exits 1 if any fails, naming it
#   SKIP_LIVE_ALERTMANAGER=1 scripts/...      without starting a real Alertmanager
#
# Needs promtool, amtool, python3 with PyYAML (Debian: prometheus, prometheus-alertmanager,
# python3-yaml); the inhibition check also starts prometheus-alertmanager on 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
# check NAME COMMAND...: runs the command, prints its output only when it fails.
check() {
    local name=$1
    shift
    local output
    if output=$("$@" 2>&1); then
        printf 'ok    %s\n' "$name"
    else
        printf 'FAIL  %s\n' "$name"
        printf '%s\n' "$output" | sed 's/^/      /'
        failed+=("$name")
    fi
}

missing=()
for tool in promtool amtool python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "FAIL  tools missing: ${missing[*]} (apt-get install prometheus prometheus-alertmanager python3-yaml)"
    exit 1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
    echo "FAIL  python3 has no yaml module (apt-get install python3-yaml)"
    exit 1
fi

# 1. Rules: syntax, PromQL, duplicate rules (promtool's lint fails on them).
check "promtool check rules rules/*.yml" promtool check rules rules/*.yml
# 2. Unit tests: every alert fires when it should, with its labels and rendered annotations,
#    and stays quiet when it should not.
check "promtool test rules rules/tests/*.yml" promtool test rules rules/tests/*.yml
# 3. Prometheus configuration, including that the rule files it loads exist and are valid.
check "promtool check config prometheus/prometheus.yml" promtool check config prometheus/prometheus.yml
# 4. Alertmanager configurations.
for file in alertmanager/*.yml; do
    check "amtool check-config $file" amtool check-config "$file"
done
# 5. Routing: where each severity goes (amtool fails when the receivers differ).
routes=(
    "critical-alerts alertname=LLMServiceDown severity=critical model=sim-gpt-4"
    "warning-alerts alertname=LLMHighErrorRate severity=warning model=sim-gpt-4"
    "warning-alerts alertname=LLMCostSpike severity=warning model=sim-gpt-4"
    "default alertname=LLMCostBudget severity=info period=daily"
    "default alertname=Unlabelled"
)
for file in alertmanager/*.yml; do
    for route in "${routes[@]}"; do
        read -r receiver labels <<<"$route"
        # shellcheck disable=SC2086 # labels are separate arguments
        check "amtool config routes test $file: $labels -> $receiver" \
            amtool config routes test --config.file="$file" --verify.receivers="$receiver" $labels
    done
done

# 6. What the tools cannot see: alert conventions, runbooks, tests per alert, metric names in
#    rules and dashboards, dashboard structure and PromQL, commented examples, inhibition.
python_checks=$(mktemp)
trap 'rm -f "$python_checks"' EXIT
cat >"$python_checks" <<'PY'
import glob, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from datetime import datetime, timedelta, timezone
import yaml

RUNBOOK_BASE = "https://github.com/llmwatch/llmwatch/blob/main/docs/runbooks/"
SEVERITIES = {"critical", "warning", "info"}
# Series every Prometheus has without llmwatch.
STANDARD = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added"}
# Metrics the rules use that llmwatch does not emit, documented where they are used.
EXTERNAL = {"model_resource_usage": "the model server's own exporter (seed 004)"}
# Alerts whose value says nothing (up == 0 is always 0): their descriptions need not show it.
VALUELESS = {"LLMWatchProbeDown", "ModelServerDown"}
results = []


def report(name, problems):
    results.append((name, problems))
    print(("ok    " if not problems else "FAIL  ") + name)
    for problem in problems:
        print("      " + problem)


def readme_metrics():
    """Metric names from README.md's Metrics table; histograms also get _bucket/_sum/_count."""
    text = open("README.md", encoding="utf-8").read()
    section = text.split("\n## Metrics", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0]):
            names.add(name)
            if cells[1] == "histogram":
                names.update(name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def load_rules():
    groups = []
    for path in sorted(glob.glob("rules/*.yml")):
        for group in yaml.safe_load(open(path, encoding="utf-8"))["groups"]:
            groups.append((path, group))
    return groups


KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "inf", "nan", "atan2"}
AGGREGATORS = {"sum", "avg", "count", "min", "max", "stddev", "stdvar", "topk", "bottomk",
               "quantile", "count_values", "group"}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
TOKEN = re.compile(r'''\s+|#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`|\[[^\]]*\]'''
                   r'''|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?[a-z]*|[a-zA-Z_:][a-zA-Z0-9_:]*|=~|!~|[!=<>]=|.''', re.S)


def metric_names(expr):
    """Metric names a PromQL expression selects (not functions, keywords or label names)."""
    tokens = [t for t in TOKEN.findall(expr) if t.strip() and not t.startswith("#")]
    names, braces, label_list, i = set(), 0, False, 0
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "{":
            braces += 1
        elif token == "}":
            braces -= 1
        elif label_list:
            if token == ")":
                label_list = False
        elif token in LABEL_LISTS:
            label_list = following == "("
            if label_list:
                tokens[i + 1] = ""  # the list's "(" is consumed
        elif re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", token) and braces == 0:
            if following == "(" or token in KEYWORDS or token in AGGREGATORS:
                continue
            names.add(token)
    return names


def grafana_to_promql(expr):
    """Grafana's variables replaced by values PromQL accepts."""
    expr = re.sub(r"\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}", "5m", expr)
    return re.sub(r"\$\{?[a-zA-Z_][a-zA-Z0-9_]*(?::[a-z]+)?\}?", ".*", expr)


def check_rules(groups, known):
    problems, alerts = [], {}
    for path, group in groups:
        for rule in group["rules"]:
            for name in sorted(metric_names(rule["expr"]) - known):
                problems.append(f"{path}: {rule.get('alert') or rule.get('record')}: unknown metric {name}")
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.setdefault(name, []).append(path)
            where = f"{path}: alert {name}"
            severity = rule.get("labels", {}).get("severity")
            if severity not in SEVERITIES:
                problems.append(f"{where}: labels.severity is {severity!r}, not one of {sorted(SEVERITIES)}")
            annotations = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not annotations.get(key):
                    problems.append(f"{where}: annotation {key} missing")
            if annotations.get("runbook_url") != RUNBOOK_BASE + name + ".md":
                problems.append(f"{where}: runbook_url should be {RUNBOOK_BASE}{name}.md")
            if not os.path.isfile(f"docs/runbooks/{name}.md"):
                problems.append(f"{where}: docs/runbooks/{name}.md missing")
            description = annotations.get("description", "")
            if "$value" not in description and name not in VALUELESS:
                problems.append(f"{where}: description does not show $value")
    for runbook in glob.glob("docs/runbooks/*.md"):
        name = os.path.basename(runbook)[:-3]
        if name != "README" and name not in alerts:
            problems.append(f"{runbook}: no alert of that name in rules/")
    return problems, alerts


def check_tests(alerts):
    firing, quiet, problems = set(), set(), []
    for path in glob.glob("rules/tests/*.yml"):
        for test in yaml.safe_load(open(path, encoding="utf-8"))["tests"]:
            for case in test.get("alert_rule_test") or []:
                (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in sorted(alerts):
        if name not in firing:
            problems.append(f"{name}: no test where it fires")
        if name not in quiet:
            problems.append(f"{name}: no test where it stays quiet")
    return problems


def dashboard_exprs(dashboard):
    """(where, expr) for every PromQL expression of a dashboard: panels, variables, annotations."""
    def panels(items):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))
    for panel in panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if "expr" in target:
                yield f"panel {panel.get('title')!r} target {target.get('refId')}", target["expr"], panel
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            query = query.get("query", "") if isinstance(query, dict) else query or ""
            match = re.fullmatch(r"\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*", query)
            if match:
                yield f"variable {variable['name']!r}", match.group(1), None
            elif query.startswith("query_result("):
                yield f"variable {variable['name']!r}", query[len("query_result("):-1], None
    for annotation in dashboard.get("annotations", {}).get("list", []):
        if annotation.get("expr"):
            yield f"annotation {annotation.get('name')!r}", annotation["expr"], None


def check_dashboards(known):
    problems, exprs, uids = [], [], {}
    files = sorted(glob.glob("dashboards/*.json"))
    if not files:
        problems.append("dashboards/*.json: none")
    for path in files:
        try:
            dashboard = json.load(open(path, encoding="utf-8"))
        except ValueError as error:
            problems.append(f"{path}: not JSON: {error}")
            continue
        uid = dashboard.get("uid")
        if not uid or uid in uids:
            problems.append(f"{path}: uid {uid!r} missing or also in {uids.get(uid)}")
        uids[uid] = path
        if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
            problems.append(f"{path}: schemaVersion {dashboard.get('schemaVersion')} is older than 36")
        variables = dashboard.get("templating", {}).get("list", [])
        if not any(v.get("name") == "datasource" and v.get("type") == "datasource" and v.get("query") == "prometheus"
                   for v in variables):
            problems.append(f"{path}: no `datasource` variable of type datasource/prometheus")
        ids = set()
        for panel in dashboard.get("panels", []):
            where = f"{path}: panel {panel.get('title')!r}"
            if panel.get("id") in ids:
                problems.append(f"{where}: duplicate id {panel.get('id')}")
            ids.add(panel.get("id"))
            if panel.get("type") in ("graph", "singlestat", "table-old"):
                problems.append(f"{where}: deprecated panel type {panel['type']}")
            if panel.get("type") != "row":
                if (panel.get("datasource") or {}).get("uid") != "${datasource}":
                    problems.append(f"{where}: datasource is not ${{datasource}}")
                if not panel.get("targets"):
                    problems.append(f"{where}: no targets")
        for where, expr, panel in dashboard_exprs(dashboard):
            exprs.append((f"{path}: {where}", expr))
            for name in sorted(metric_names(grafana_to_promql(expr)) - known):
                problems.append(f"{path}: {where}: unknown metric {name}")
            if panel and panel.get("type") == "heatmap":
                if not all(t.get("format") == "heatmap" for t in panel["targets"]):
                    problems.append(f"{path}: {where}: heatmap targets need format heatmap")
    # Every expression parses: promtool checks them as recording rules.
    def promtool_ok(items):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            json.dump({"groups": [{"name": "dashboard_exprs", "rules": [
                {"record": f"dashboard:expr_{n}", "expr": grafana_to_promql(e)} for n, (_, e) in enumerate(items)]}]}, f)
        try:
            run = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
            return run.returncode == 0, run.stdout + run.stderr
        finally:
            os.unlink(f.name)
    if exprs and not promtool_ok(exprs)[0]:
        for where, expr in exprs:
            ok, output = promtool_ok([(where, expr)])
            if not ok:
                problems.append(f"{where}: PromQL does not parse: {output.strip().splitlines()[-1]}")
    return problems


def check_commented_prometheus_examples():
    """The commented-out scrape jobs in prometheus.yml stay valid when uncommented."""
    lines = open("prometheus/prometheus.yml", encoding="utf-8").read().splitlines()
    uncommented = ["  " + l[4:] if l.startswith("  # - ") or l.startswith("  #   ") else l for l in lines]
    directory = tempfile.mkdtemp()
    try:
        os.mkdir(os.path.join(directory, "prometheus"))
        shutil.copytree("rules", os.path.join(directory, "rules"))
        path = os.path.join(directory, "prometheus", "prometheus.yml")
        open(path, "w").write("\n".join(uncommented) + "\n")
        run = subprocess.run(["promtool", "check", "config", path], capture_output=True, text=True)
        return [] if run.returncode == 0 else [(run.stdout + run.stderr).strip()]
    finally:
        shutil.rmtree(directory)


def check_inhibition():
    """Starts a real Alertmanager on alertmanager/alertmanager.yml and checks which alerts it inhibits."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not binary:
        return None
    cases = [  # labels, inhibited?
        ({"alertname": "LLMServiceDown", "severity": "critical", "model": "m1", "provider": "openai", "operation": "probe"}, False),
        ({"alertname": "LLMHighErrorRate", "severity": "warning", "model": "m1", "provider": "openai", "operation": "probe"}, True),
        ({"alertname": "LLMHighErrorRate", "severity": "warning", "model": "m2", "provider": "openai", "operation": "probe"}, False),
        ({"alertname": "LLMCostBudget", "severity": "critical", "threshold": "100%", "period": "daily"}, False),
        ({"alertname": "LLMCostBudget", "severity": "warning", "threshold": "90%", "period": "daily"}, True),
        ({"alertname": "LLMCostBudget", "severity": "info", "threshold": "80%", "period": "daily"}, True),
        ({"alertname": "LLMCostBudget", "severity": "info", "threshold": "80%", "period": "weekly"}, False),
        ({"alertname": "CriticalPredictionLatency", "severity": "critical", "model_name": "fraud", "model_version": "v1"}, False),
        ({"alertname": "HighPredictionLatency", "severity": "warning", "model_name": "fraud", "model_version": "v1"}, True),
        ({"alertname": "HighPredictionLatency", "severity": "warning", "model_name": "churn", "model_version": "v1"}, False),
        ({"alertname": "SLOErrorBudgetBurnFast", "severity": "critical", "slo": "availability_slo", "model": "m1", "provider": "openai"}, False),
        ({"alertname": "SLOErrorBudgetBurnSlow", "severity": "warning", "slo": "availability_slo", "model": "m1", "provider": "openai"}, True),
        ({"alertname": "SLOErrorBudgetBurnSlow", "severity": "warning", "slo": "error_rate_slo", "model": "m1", "provider": "openai"}, False),
    ]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    storage = tempfile.mkdtemp()
    log = tempfile.TemporaryFile()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "--config.file=alertmanager/alertmanager.yml", f"--storage.path={storage}",
                                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                               stdout=log, stderr=log)
    problems = []
    try:
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/-/ready", timeout=1)
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    log.seek(0)
                    return [f"Alertmanager did not start: {log.read().decode(errors='replace')[-2000:]}"]
                time.sleep(0.2)
        now = datetime.now(timezone.utc)
        body = json.dumps([{"labels": labels, "annotations": {}, "startsAt": now.isoformat(),
                            "endsAt": (now + timedelta(hours=1)).isoformat()} for labels, _ in cases]).encode()
        request = urllib.request.Request(url + "/api/v2/alerts", data=body, headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5)
        deadline = time.time() + 10
        while True:
            alerts = json.load(urllib.request.urlopen(url + "/api/v2/alerts?active=true&inhibited=true&silenced=true", timeout=5))
            got = {json.dumps(a["labels"], sort_keys=True): bool(a["status"]["inhibitedBy"]) for a in alerts}
            problems = []
            for labels, inhibited in cases:
                actual = got.get(json.dumps(labels, sort_keys=True))
                if actual is None:
                    problems.append(f"{labels}: not received")
                elif actual != inhibited:
                    problems.append(f"{labels}: {'inhibited' if actual else 'not inhibited'}, expected the opposite")
            if not problems or time.time() > deadline:
                return problems
            time.sleep(0.5)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(storage, ignore_errors=True)


groups = load_rules()
recorded = {rule["record"] for _, group in groups for rule in group["rules"] if "record" in rule}
known = readme_metrics() | recorded | STANDARD | set(EXTERNAL)
rule_problems, alerts = check_rules(groups, known)
report(f"rules: {len(alerts)} alerts have severity, summary, description with $value, runbook_url and a runbook; "
       "every metric is in README, a recording rule, standard or documented external", rule_problems)
report("rules/tests: every alert has a firing and a quiet test", check_tests(alerts))
report("dashboards: structure, ${datasource}, PromQL parses, every metric exists", check_dashboards(known))
report("prometheus/prometheus.yml: commented examples are valid when uncommented", check_commented_prometheus_examples())
if os.environ.get("SKIP_LIVE_ALERTMANAGER"):
    print("skip  alertmanager inhibition (SKIP_LIVE_ALERTMANAGER is set)")
else:
    inhibition = check_inhibition()
    if inhibition is None:
        print("skip  alertmanager inhibition (no prometheus-alertmanager binary)")
    else:
        report("alertmanager/alertmanager.yml: a real Alertmanager inhibits what the runbooks say", inhibition)
sys.exit(1 if any(problems for _, problems in results) else 0)
PY
if ! python3 "$python_checks"; then
    failed+=("python checks (see FAIL lines above)")
fi

echo
if ((${#failed[@]})); then
    echo "FAILED: ${#failed[@]} check(s):"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
echo "all shipped-file checks passed"
