/// Signatures of all PromQL functions, by name.
enum FunctionSignatures {
    static let all: [String: FunctionSignature] = {
        var table: [String: FunctionSignature] = [:]
        func add(_ name: String, _ args: [ValueType], _ ret: ValueType, variadic: Int = 0) {
            table[name] = FunctionSignature(
                name: name, argTypes: args, variadic: variadic, returnType: ret)
        }
        let simple = [
            "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad", "sin",
            "cos", "tan",
            "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sort",
            "sort_desc",
            "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar",
            "absent",
        ]
        for name in simple { add(name, [.vector], .vector) }
        let overTime = [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
            "present_over_time", "stddev_over_time", "stdvar_over_time", "absent_over_time",
        ]
        for name in overTime { add(name, [.matrix], .vector) }
        for name in [
            "mad_over_time", "ts_of_min_over_time", "ts_of_max_over_time", "ts_of_last_over_time",
        ] {
            add(name, [.matrix], .vector)
        }
        for name in [
            "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month",
            "year",
        ] {
            add(name, [.vector], .vector, variadic: 1)
        }
        add("clamp", [.vector, .scalar, .scalar], .vector)
        add("clamp_max", [.vector, .scalar], .vector)
        add("clamp_min", [.vector, .scalar], .vector)
        add("round", [.vector, .scalar], .vector, variadic: 1)
        add("predict_linear", [.matrix, .scalar], .vector)
        add("quantile_over_time", [.scalar, .matrix], .vector)
        add("double_exponential_smoothing", [.matrix, .scalar, .scalar], .vector)
        add("histogram_quantile", [.scalar, .vector], .vector)
        add("histogram_fraction", [.scalar, .scalar, .vector], .vector)
        add("label_replace", [.vector, .string, .string, .string, .string], .vector)
        add("label_join", [.vector, .string, .string, .string], .vector, variadic: -1)
        add("sort_by_label", [.vector, .string], .vector, variadic: -1)
        add("sort_by_label_desc", [.vector, .string], .vector, variadic: -1)
        add("pi", [], .scalar)
        add("time", [], .scalar)
        add("scalar", [.vector], .scalar)
        add("vector", [.scalar], .vector)
        add("timestamp", [.vector], .vector)
        return table
    }()

    /// Functions whose value depends on the evaluation time even when their arguments do not,
    /// so pinning arguments with `@` does not make them step invariant.
    static let atModifierUnsafe: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month",
        "year",
        "predict_linear", "time", "timestamp",
    ]
}

extension FunctionSignature {
    /// Whether the function's result depends on the evaluation time even when its arguments are
    /// pinned with `@` (e.g. `time()`, `hour()`, `timestamp()`), so pinning does not make it step invariant.
    public var isAtModifierUnsafe: Bool {
        FunctionSignatures.atModifierUnsafe.contains(name)
    }
}
