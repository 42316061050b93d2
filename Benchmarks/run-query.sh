#!/usr/bin/env bash
# Prometheus's BenchmarkRangeQuery workload in llmwatch and in a real prometheus (Debian's 2.42),
# both queried through their HTTP APIs in the same run, side by side; then bytes per stored
# sample after 10M samples. Needs /usr/bin/prometheus and /usr/bin/promtool, about 4 GB of disk
# in the work directory and 6 GB of memory.
#
# Usage: Benchmarks/run-query.sh [workdir, default /tmp/llmwatch-query-benchmark] [iterations, default 5]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
workdir="${1:-/tmp/llmwatch-query-benchmark}"
iterations="${2:-5}"

echo "== building llmwatch (release) =="
(cd "$root" && swift build -c release --product llmwatch)
echo "== building the benchmarks (release) =="
(cd "$here" && swift build -c release --product QueryBenchmark --product StorageBenchmark)

echo "== range queries: prometheus vs llmwatch =="
"$here/.build/release/QueryBenchmark" --llmwatch "$root/.build/release/llmwatch" --workdir "$workdir" \
    --iterations "$iterations"

echo "== bytes per sample after 10M samples =="
"$here/.build/release/StorageBenchmark"
