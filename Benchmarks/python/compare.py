#!/usr/bin/env python3
"""Print llmwatch's and prometheus_client's render figures side by side.

Reads the text report of `swift package benchmark` (first argument) and the lines printed by
render_prometheus_client.py (second argument); checks the issue's goals: at least 10x faster
than prometheus_client and under 5 ms per scrape (median).
"""

import re
import sys

SCALES = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
TIME_UNITS_MS = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}


def swift_results(path: str) -> dict[str, dict[str, float]]:
    """Median wall clock (ms) and page bytes per benchmark name, from the text tables."""
    results: dict[str, dict[str, float]] = {}
    current = None
    with open(path, encoding="utf-8") as report:
        for line in report:
            line = line.rstrip("\n")
            if line and not line.startswith(("│", "╒", "╞", "├", "╘", "=", " ")) and "│" not in line:
                current = line.strip()
                continue
            if current is None or not line.startswith("│"):
                continue
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            if len(cells) < 4:
                continue
            label, p50 = cells[0], cells[3]
            try:
                value = float(p50)
            except ValueError:
                continue
            if label.startswith("Time (wall clock)"):
                unit = re.search(r"\((ns|μs|us|ms|s)\)", label)
                results.setdefault(current, {})["ms"] = value * TIME_UNITS_MS[unit.group(1) if unit else "ns"]
            elif label.startswith("page bytes"):
                scale = re.search(r"\(([KMG]?)\)", label)
                results.setdefault(current, {})["bytes"] = value * SCALES[scale.group(1) if scale else ""]
    return results


def python_results(path: str) -> dict[str, dict[str, float]]:
    results = {}
    with open(path, encoding="utf-8") as output:
        for line in output:
            match = re.match(r"prometheus_client (\w+) ms_per_render=([\d.]+) bytes=(\d+)", line)
            if match:
                results[match.group(1)] = {"ms": float(match.group(2)), "bytes": float(match.group(3))}
    return results


def main() -> int:
    swift = swift_results(sys.argv[1])
    python = python_results(sys.argv[2])
    rows = [("text 0.0.4", "render text 0.0.4", "text004"), ("OpenMetrics", "render OpenMetrics", "openmetrics")]
    print()
    print(f"{'format':<12} {'llmwatch ms':>12} {'client ms':>12} {'speedup':>9} "
          f"{'llmwatch KB':>12} {'client KB':>11}  goals (<5 ms, >=10x)")
    ok = True
    for label, swift_prefix, python_key in rows:
        ours = next((value for name, value in swift.items() if name.startswith(swift_prefix)), None)
        theirs = python.get(python_key)
        if not ours or not theirs or "ms" not in ours:
            print(f"{label:<12} missing results")
            ok = False
            continue
        speedup = theirs["ms"] / ours["ms"] if ours["ms"] > 0 else float("inf")
        met = ours["ms"] < 5 and speedup >= 10
        ok = ok and met
        print(f"{label:<12} {ours['ms']:>12.3f} {theirs['ms']:>12.1f} {speedup:>8.0f}x "
              f"{ours.get('bytes', 0) / 1000:>12.0f} {theirs['bytes'] / 1000:>11.0f}  {'met' if met else 'NOT MET'}")
    parse = next((value for name, value in swift.items() if name.startswith("parse text")), None)
    if parse and "ms" in parse:
        print(f"\nllmwatch parses the same 0.0.4 page in {parse['ms']:.3f} ms (median).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
