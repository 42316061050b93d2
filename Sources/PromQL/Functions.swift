import Series

extension Evaluator {
    /// Evaluates a function call, dispatching to the function families.
    func evalCall(_ call: Call, at time: Int64) throws -> EvalValue {
        let name = call.function.name
        switch name {
        case "time":
            return .scalar(Double(time) / 1000)
        case "pi":
            return .scalar(Double.pi)
        case "vector":
            return .vector([Element(labels: .empty, value: try evalScalar(call.args[0], at: time))])
        case "scalar":
            let input = try evalVector(call.args[0], at: time)
            return .scalar(input.count == 1 ? input[0].value : .nan)
        case "timestamp":
            return .vector(try timestamp(call.args[0], at: time))
        case "label_replace":
            return .vector(try labelReplace(call, at: time))
        case "label_join":
            return .vector(try labelJoin(call, at: time))
        case "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev",
            "histogram_stdvar":
            _ = try evalVector(call.args[0], at: time)
            return .vector([])
        default:
            break
        }
        if let date = Evaluator.dateFunctions[name] {
            let input =
                call.args.isEmpty
                ? [Element(labels: .empty, value: Double(time) / 1000)]
                : try evalVector(call.args[0], at: time)
            return .vector(
                input.map { Element(labels: $0.labels, value: date($0.value), dropName: true) })
        }
        if let math = Evaluator.mathFunctions[name] {
            return .vector(
                try evalVector(call.args[0], at: time).map {
                    Element(labels: $0.labels, value: math($0.value), dropName: true)
                })
        }
        if Evaluator.valueFunctions.contains(name) {
            let arguments = try call.args.filter { $0.type != .string }.map { try eval($0, at: time) }
            return .vector(try applyCall(call, arguments, at: time))
        }
        guard
            case .matrix(let series, let window) = try eval(
                call.args.first { $0.type == .matrix } ?? call.args[0], at: time)
        else {
            throw QueryError.execution("unsupported function \(name)")
        }
        let params = try call.args.filter { $0.type == .scalar }.map { try evalScalar($0, at: time) }
        if name == "absent_over_time" {
            return .vector(
                series.isEmpty ? [Element(labels: Evaluator.absentLabels(call.args[0]), value: 1)] : [])
        }
        if let rate = Evaluator.rateFunctions[name] {
            if name == "rate" || name == "increase" {
                for s in series where s.samples.count >= 2 { noteNonCounter(s.labels.metricName) }
            }
            return .vector(
                series.compactMap { s in
                    rate(s, window, time).map { Element(labels: s.labels, value: $0, dropName: true) }
                })
        }
        return .vector(try overTime(name, series, params, time))
    }

    /// The functions of instant vectors and scalars that `applyCall` computes from their
    /// evaluated arguments.
    static let valueFunctions: Set<String> = [
        "absent", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "histogram_quantile",
        "histogram_fraction", "clamp", "clamp_max", "clamp_min", "round",
    ]

    /// One of the `valueFunctions` applied to `arguments`, the values of the call's arguments
    /// that are not strings, in order.
    func applyCall(_ call: Call, _ arguments: [EvalValue], at time: Int64) throws -> [Element] {
        func vector(_ index: Int) throws -> [Element] {
            switch arguments[index] {
            case .vector(let elements): return elements
            case .scalar(let value): return [Element(labels: .empty, value: value)]
            default: throw QueryError.execution("expected instant vector")
            }
        }
        func scalar(_ index: Int) throws -> Double {
            guard case .scalar(let value) = arguments[index] else { throw QueryError.execution("expected scalar") }
            return value
        }
        let name = call.function.name
        switch name {
        case "absent":
            return try vector(0).isEmpty ? [Element(labels: Evaluator.absentLabels(call.args[0]), value: 1)] : []
        case "sort", "sort_desc", "sort_by_label", "sort_by_label_desc":
            return try sortFunction(call, try vector(0), at: time)
        case "histogram_quantile":
            return try histogramQuantile(try scalar(0), try vector(1))
        case "histogram_fraction":
            return try histogramFraction(try scalar(0), try scalar(1), try vector(2))
        default:
            guard let apply = Evaluator.parameterisedMathFunctions[name] else {
                throw QueryError.execution("unsupported function \(name)")
            }
            return apply(try vector(0), try (1..<arguments.count).map(scalar))
        }
    }

    /// Notes once per metric name that `rate`/`increase` read a series whose name does not look
    /// like a counter's. Called for every series at every step, so names already judged return
    /// at once.
    func noteNonCounter(_ name: String) {
        guard !name.isEmpty, name != lastCheckedCounterName else { return }
        lastCheckedCounterName = name
        guard checkedCounterNames.insert(name).inserted else { return }
        let suffixes = ["_total", "_sum", "_count", "_bucket"]
        if !suffixes.contains(where: { name.hasSuffix($0) }) {
            info(
                "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(Labels.quote(name))"
            )
        }
    }

    private func timestamp(_ arg: Expr, at time: Int64) throws -> [Element] {
        let direct: Bool
        if case .vectorSelector = arg.unwrapped { direct = true } else { direct = false }
        return try evalVector(arg, at: time).map { element in
            let t = direct ? (element.sampleTime ?? time) : time
            return Element(labels: element.labels, value: Double(t) / 1000, dropName: true)
        }
    }

    /// The labels `absent` and `absent_over_time` give their result: the argument selector's
    /// equality matchers, except the metric name and labels constrained more than once.
    static func absentLabels(_ arg: Expr) -> Labels {
        let matchers: [LabelMatcher]
        switch arg.unwrapped {
        case .vectorSelector(let s): matchers = s.matchers
        case .matrixSelector(let m): matchers = m.selector.matchers
        default: return .empty
        }
        var builder: [String: String] = [:]
        var has = Set<String>()
        for m in matchers where m.name != Labels.metricName {
            if m.type == .equal && !has.contains(m.name) {
                builder[m.name] = m.value
                has.insert(m.name)
            } else {
                builder[m.name] = nil
            }
        }
        return Labels(builder)
    }
}
