#!/usr/bin/env bash
# Renders the same /metrics page (1,000 models x 2 counters + 3 histograms of 14 buckets) with
# llmwatch's Exposition module (package-benchmark, release build) and with Python's
# prometheus_client, then prints the figures side by side; then scrapes a 100,000-series target
# with Prometheus 2.42 and with llmwatch. Exits non-zero when a goal of the issues is missed
# (llmwatch under 5 ms per render and at least 10x faster; scrape_duration_seconds at or below
# Prometheus's).
#
# Usage: Benchmarks/run.sh [seconds of Python timing per format, default 5]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! python3 -c "import prometheus_client" 2>/dev/null; then
    python3 -m pip install --quiet prometheus_client
fi

echo "== llmwatch (swift package benchmark, release) =="
swift package --disable-sandbox benchmark --target ExpositionBenchmarks --no-progress | tee "$work/swift.txt"

echo "== prometheus_client $(python3 -c 'import importlib.metadata as m; print(m.version("prometheus_client"))') =="
python3 python/render_prometheus_client.py --seconds "${1:-5}" | tee "$work/python.txt"

status=0
python3 python/compare.py "$work/swift.txt" "$work/python.txt" || status=$?

echo "== scrape of a 100,000-series target: llmwatch against Prometheus 2.42 (about 3 minutes) =="
swift run -c release ScrapeBenchmark || status=$?
exit "$status"
