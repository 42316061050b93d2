#!/usr/bin/env bash
# Regenerates the SLO rule files from their specs in rules/slo/ with `llmwatch slo generate`:
#   rules/slo/llm.sloth.yml   (Sloth prometheus/v1)      -> rules/slo-llm.rules.yml
#   rules/slo/slo-config.yaml (seed 004's slo-config)    -> rules/slo-model.rules.yml
# The generated files are committed; Tests/StackTests/SLOGenerationTests.swift checks that they
# are byte for byte what this prints. Run it after editing a spec:
#   scripts/generate-slo-rules.sh                         # uses .build/debug/llmwatch
#   LLMWATCH=/path/to/llmwatch scripts/generate-slo-rules.sh
#   OUT_DIR=/tmp/x scripts/generate-slo-rules.sh           # write elsewhere (the test does)
set -euo pipefail
cd "$(dirname "$0")/.."
llmwatch=${LLMWATCH:-.build/debug/llmwatch}
out=${OUT_DIR:-rules}
if [[ ! -x $llmwatch ]]; then
    echo "no llmwatch binary at $llmwatch: run swift build, or set LLMWATCH" >&2
    exit 1
fi
"$llmwatch" slo generate rules/slo/llm.sloth.yml -o "$out/slo-llm.rules.yml"
# The seed's error_rate_slo says error_budget: 0.99 with target: 0.01; llmwatch warns and uses 0.01.
"$llmwatch" slo generate rules/slo/slo-config.yaml -o "$out/slo-model.rules.yml"
