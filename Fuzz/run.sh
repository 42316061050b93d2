#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a while.
#
# Usage: Fuzz/run.sh [seconds per target, default 600] [target...]
# Targets: PromQLParserFuzzer, ExpositionParserFuzzer (default: both).
# Crashes are written to Fuzz/artifacts/<target>/; the corpus grows in Fuzz/corpus/<target>/.
#
# SwiftPM links executables with `--defsym main=<Target>_main`, which no longer exists under
# `-parse-as-library` (libFuzzer brings its own main; swiftlang/swift#75800), so SwiftPM only
# compiles the modules here and the fuzzer is linked by swiftc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${1:-600}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(PromQLParserFuzzer ExpositionParserFuzzer); fi

modules_of() {
    case "$1" in
        PromQLParserFuzzer) echo "PromQLParserFuzzer PromQL Series" ;;
        ExpositionParserFuzzer) echo "ExpositionParserFuzzer Exposition" ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

# Known leaks outside our code are suppressed (each with its reason in lsan.supp).
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"

flags=(-c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
bin="$(swift build "${flags[@]}" --show-bin-path)"
for target in "${targets[@]}"; do
    swift build "${flags[@]}" --target "$target"
    objects=()
    for module in $(modules_of "$target"); do objects+=("$bin/$module.build/"*.o); done
    swiftc -sanitize=fuzzer,address "${objects[@]}" -o "$bin/$target" 2>&1 | grep -v 'Cannot export local symbol' || true
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "== $target for ${seconds}s"
    "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -artifact_prefix="artifacts/$target/" -print_final_stats=1 "corpus/$target" "seeds/$target"
done
