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
        case "absent":
            let input = try evalVector(call.args[0], at: time)
            return .vector(
                input.isEmpty ? [Element(labels: Evaluator.absentLabels(call.args[0]), value: 1)] : [])
        case "label_replace":
            return .vector(try labelReplace(call, at: time))
        case "label_join":
            return .vector(try labelJoin(call, at: time))
        case "sort", "sort_desc", "sort_by_label", "sort_by_label_desc":
            return .vector(try sortFunction(call, at: time))
        case "histogram_quantile":
            return .vector(try histogramQuantile(call, at: time))
        case "histogram_fraction":
            return .vector(try histogramFraction(call, at: time))
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
        if let apply = Evaluator.parameterisedMathFunctions[name] {
            let input = try evalVector(call.args[0], at: time)
            let params = try call.args.dropFirst().map { try evalScalar($0, at: time) }
            return .vector(apply(input, params))
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
