import Foundation
import PromQL
import Series

/// Runs one eval command the way Prometheus's harness does and explains any mismatch.
struct EvalExecution {
    let command: EvalCommand
    let source: MemorySeriesSource
    let engine = PromQLEngine(maxSamples: 10_000, timeout: .seconds(100))

    /// Nil when the eval passes, else what went wrong.
    func run() -> String? {
        if command.isRange {
            return runRange()
        }
        var queries: [(expr: String, time: Int64)] = [
            (command.expr, command.end != 0 || command.step != 0 ? command.end : command.start)
        ]
        if let parsed = try? PromQLParser.parse(command.expr) {
            queries += AtModifierCases.cases(parsed, at: queries[0].time)
        }
        for query in queries {
            if let failure = runInstant(query.expr, at: query.time) { return failure }
        }
        return nil
    }

    private func runRange() -> String? {
        let result: QueryResult
        do {
            result = try engine.rangeQuery(
                command.expr, start: command.start, end: command.end, step: command.step, source: source)
        } catch {
            return command.isFail ? checkExpectedFailure(error) : "error evaluating query: \(error)"
        }
        if command.isFail { return "expected error evaluating query but got none" }
        if let failure = checkAnnotations(result) { return failure }
        return compare(result.value)
    }

    private func runInstant(_ expr: String, at time: Int64) -> String? {
        let result: QueryResult
        do {
            result = try engine.instantQuery(expr, at: time, source: source)
        } catch {
            return command.isFail
                ? checkExpectedFailure(error) : "error evaluating query \(expr) at \(time): \(error)"
        }
        if command.isFail { return "expected error evaluating query \(expr) at \(time) but got none" }
        if let failure = checkAnnotations(result) { return "\(expr) at \(time): \(failure)" }
        if let failure = compare(result.value) { return "\(expr) at \(time): \(failure)" }
        if command.excludeFromRangeQuery
            || expr.range(of: "(start|end|range|step)\\(\\)", options: .regularExpression) != nil
        {
            return nil
        }
        let rangeResult: QueryResult
        do {
            rangeResult = try engine.rangeQuery(
                expr, start: time - 60_000, end: time + 60_000, step: 60_000, source: source)
        } catch {
            return "error evaluating query \(expr) at \(time) in range mode: \(error)"
        }
        if command.isOrdered { return nil }
        guard case .matrix(let matrix) = rangeResult.value else {
            return "range query returned no matrix"
        }
        var vector: [VectorSample] = []
        for series in matrix {
            if let point = series.samples.first(where: { $0.timestamp == time }) {
                vector.append(VectorSample(labels: series.labels, timestamp: time, value: point.value))
            }
        }
        let value: QueryValue
        if case .scalar = result.value {
            guard let first = vector.first else {
                return "\(expr) at \(time) range mode: no scalar point"
            }
            value = .scalar(timestamp: time, value: first.value)
        } else {
            value = .vector(vector)
        }
        if let failure = compare(value) { return "\(expr) at \(time) range mode: \(failure)" }
        return nil
    }

    private func checkExpectedFailure(_ error: Error) -> String? {
        let message = "\(error)"
        if let expected = command.expectedFailMessage, expected != message {
            return "expected error \"\(expected)\" but got: \(message)"
        }
        if let pattern = command.expectedFailRegexp,
            message.range(of: pattern, options: .regularExpression) == nil
        {
            return "expected error matching \"\(pattern)\" but got: \(message)"
        }
        if let expectation = command.expectations.first(where: { $0.kind == .fail }),
            !expectation.matches(message)
        {
            return
                "expected error matching \(expectation.message ?? expectation.pattern ?? "") but got: \(message)"
        }
        return nil
    }

    private func checkAnnotations(_ result: QueryResult) -> String? {
        if command.warn && result.warnings.isEmpty { return "expected warnings but got none" }
        if command.info && result.infos.isEmpty { return "expected info annotations but got none" }
        for (kind, actual) in [
            (AnnotationExpectation.Kind.warn, result.warnings), (.info, result.infos),
        ] {
            let expected = command.expectations.filter { $0.kind == kind }
            if expected.isEmpty { continue }
            if actual.isEmpty { return "expected \(kind.rawValue) annotations but none were found" }
            for e in expected where !actual.contains(where: e.matches) {
                return
                    "expected \(kind.rawValue) annotation \(e.message ?? e.pattern ?? "") but found: \(actual)"
            }
            for a in actual where !expected.contains(where: { $0.matches(a) }) {
                return "unexpected \(kind.rawValue) annotation \"\(a)\""
            }
        }
        if command.expectations.contains(where: { $0.kind == .noWarn }) && !result.warnings.isEmpty {
            return "unexpected warning annotations: \(result.warnings)"
        }
        if command.expectations.contains(where: { $0.kind == .noInfo }) && !result.infos.isEmpty {
            return "unexpected info annotations: \(result.infos)"
        }
        return nil
    }

    /// Compares a result with the expectation, in Prometheus's words.
    func compare(_ value: QueryValue) -> String? {
        switch value {
        case .scalar(_, let v):
            guard let expected = command.expectedScalar else {
                return "expected vector or matrix result, but got scalar \(Formatting.goDefault(v))"
            }
            return almostEqual(expected, v)
                ? nil
                : "expected scalar \(Formatting.goDefault(expected)) but got \(Formatting.goDefault(v))"
        case .string(_, let s):
            return command.expectedString == s
                ? nil : "expected string \"\(command.expectedString ?? "")\" but got \"\(s)\""
        case .vector(let samples):
            if let scalar = command.expectedScalar {
                return
                    "expected scalar \(Formatting.goDefault(scalar)) result, but got vector \(render(samples))"
            }
            var seen = Set<Labels>()
            for (position, sample) in samples.enumerated() {
                guard let index = command.expected.firstIndex(where: { $0.labels == sample.labels }) else {
                    return
                        "unexpected metric \(sample.labels) in result, has value \(Formatting.goDefault(sample.value))"
                }
                if command.isOrdered && index != position {
                    return
                        "expected metric \(sample.labels) at position \(index + 1) but was at \(position + 1)"
                }
                guard case .value(let expected)? = command.expected[index].values.first else {
                    return
                        "expected no float value for \(sample.labels) but got \(Formatting.goDefault(sample.value))"
                }
                if !almostEqual(expected, sample.value) {
                    return
                        "expected \(Formatting.goDefault(expected)) for \(sample.labels) but got \(Formatting.goDefault(sample.value))"
                }
                seen.insert(sample.labels)
            }
            for expected in command.expected where !seen.contains(expected.labels) {
                return "expected metric \(expected.labels) not found (got \(render(samples)))"
            }
            return nil
        case .matrix(let series):
            if command.isOrdered { return "expected ordered result, but query returned a matrix" }
            if command.expectedScalar != nil { return "expected scalar result, but got matrix" }
            for pair in zip(series, series.dropFirst()) where pair.1.labels < pair.0.labels {
                return "matrix results should always be sorted by labels"
            }
            for s in series {
                guard let expected = command.expected.first(where: { $0.labels == s.labels }) else {
                    return
                        "unexpected metric \(s.labels) in result, has \(s.samples.count) float points \(renderPoints(s.samples))"
                }
                var points: [Sample] = []
                for (i, value) in expected.values.enumerated() {
                    let t = command.start + Int64(i) * command.step
                    if t > command.end {
                        return
                            "expected \(expected.values.count) points for \(s.labels), but query time range cannot return this many points"
                    }
                    if case .value(let v) = value { points.append(Sample(timestamp: t, value: v)) }
                }
                if points.count != s.samples.count {
                    return
                        "expected \(points.count) float points for \(s.labels), but got \(s.samples.count) float points \(renderPoints(s.samples))"
                }
                for (want, got) in zip(points, s.samples) {
                    if want.timestamp != got.timestamp {
                        return
                            "expected timestamp \(want.timestamp) for \(s.labels) but got \(got.timestamp) (result has \(renderPoints(s.samples)))"
                    }
                    if !almostEqual(want.value, got.value) {
                        return
                            "expected \(Formatting.goDefault(want.value)) at t=\(got.timestamp) for \(s.labels) but got \(Formatting.goDefault(got.value)) (result has \(renderPoints(s.samples)))"
                    }
                }
            }
            for expected in command.expected
            where !series.contains(where: { $0.labels == expected.labels }) {
                return "expected metric \(expected.labels) not found"
            }
            return nil
        }
    }

    private func render(_ samples: [VectorSample]) -> String {
        "["
            + samples.map { "\($0.labels) => \(Formatting.goDefault($0.value))" }.joined(separator: ", ")
            + "]"
    }

    private func renderPoints(_ samples: [Sample]) -> String {
        "["
            + samples.map { "\(Formatting.goDefault($0.value)) @[\($0.timestamp)]" }.joined(
                separator: " ") + "]"
    }

    /// Prometheus's `almost.Equal` with the harness's relative epsilon of 1e-6.
    func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        let minNormal = 2.2250738585072014e-308
        let absSum = abs(a) + abs(b)
        let diff = abs(a - b)
        if a == 0 || b == 0 || absSum < minNormal { return diff < 1e-6 * minNormal }
        return diff / min(absSum, Double.greatestFiniteMagnitude) < 1e-6
    }
}
