import PromQL
import Series

/// The query API's JSON shapes (Prometheus's `web/api/v1` and `promql` marshalling).
enum PrometheusJSON {
    /// `{"name":"value",...}` in label-name order.
    static func labels(_ labels: Labels, into writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "{"))
        var first = true
        for label in labels {
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.key(label.name)
            writer.string(label.value)
        }
        writer.byte(UInt8(ascii: "}"))
    }

    /// `[ts,"value"]`.
    static func point(_ timestamp: Int64, _ value: Double, into writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "["))
        writer.timestamp(timestamp)
        writer.byte(UInt8(ascii: ","))
        writer.sampleValue(value)
        writer.byte(UInt8(ascii: "]"))
    }

    /// The `resultType` word of a value.
    static func resultType(_ value: QueryValue) -> StaticString {
        switch value {
        case .scalar: return "scalar"
        case .string: return "string"
        case .vector: return "vector"
        case .matrix: return "matrix"
        }
    }

    /// `"resultType":"...","result":...` for a query's value.
    /// About how many bytes `result` writes for `value` (a little more, usually), so that a
    /// large answer is written into memory reserved once instead of grown by copying.
    static func estimatedSize(of value: QueryValue) -> Int {
        switch value {
        case .scalar, .string: return 256
        case .vector(let samples): return 256 + samples.count * 160
        case .matrix(let series): return series.reduce(256) { $0 + 160 + $1.samples.count * 28 }
        }
    }

    static func result(_ value: QueryValue, into writer: inout JSONWriter) {
        writer.raw("\"resultType\":\"")
        writer.raw(resultType(value))
        writer.raw("\",\"result\":")
        switch value {
        case .scalar(let timestamp, let v):
            point(timestamp, v, into: &writer)
        case .string(let timestamp, let text):
            writer.byte(UInt8(ascii: "["))
            writer.timestamp(timestamp)
            writer.byte(UInt8(ascii: ","))
            writer.string(text)
            writer.byte(UInt8(ascii: "]"))
        case .vector(let samples):
            writer.byte(UInt8(ascii: "["))
            for (index, sample) in samples.enumerated() {
                if index > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.raw("{\"metric\":")
                labels(sample.labels, into: &writer)
                writer.raw(",\"value\":")
                point(sample.timestamp, sample.value, into: &writer)
                writer.byte(UInt8(ascii: "}"))
            }
            writer.byte(UInt8(ascii: "]"))
        case .matrix(let series):
            writer.byte(UInt8(ascii: "["))
            for (index, one) in series.enumerated() {
                if index > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.raw("{\"metric\":")
                labels(one.labels, into: &writer)
                writer.raw(",\"values\":[")
                for (sampleIndex, sample) in one.samples.enumerated() {
                    if sampleIndex > 0 { writer.byte(UInt8(ascii: ",")) }
                    point(sample.timestamp, sample.value, into: &writer)
                }
                writer.raw("]}")
            }
            writer.byte(UInt8(ascii: "]"))
        }
    }

    /// The `stats` object of Prometheus 3's `util/stats.BuiltinStats`, times in seconds.
    static func statistics(
        _ statistics: QueryStatistics, queueTime: Duration, execTotalTime: Duration, into writer: inout JSONWriter
    ) {
        func seconds(_ duration: Duration) -> Double {
            let (whole, attoseconds) = duration.components
            return Double(whole) + Double(attoseconds) / 1e18
        }
        writer.raw("{\"timings\":{\"evalTotalTime\":")
        writer.number(seconds(statistics.evalTotalTime))
        writer.raw(",\"resultSortTime\":")
        writer.number(seconds(statistics.resultSortTime))
        writer.raw(",\"queryPreparationTime\":")
        writer.number(seconds(statistics.preparationTime))
        writer.raw(",\"innerEvalTime\":")
        writer.number(seconds(statistics.innerEvalTime))
        writer.raw(",\"execQueueTime\":")
        writer.number(seconds(queueTime))
        writer.raw(",\"execTotalTime\":")
        writer.number(seconds(execTotalTime))
        writer.raw("},\"samples\":{")
        if !statistics.samplesPerStep.isEmpty {
            writer.raw("\"totalQueryableSamplesPerStep\":[")
            for (index, step) in statistics.samplesPerStep.enumerated() {
                if index > 0 { writer.byte(UInt8(ascii: ",")) }
                writer.byte(UInt8(ascii: "["))
                writer.timestamp(step.timestamp)
                writer.byte(UInt8(ascii: ","))
                writer.integer(step.samples)
                writer.byte(UInt8(ascii: "]"))
            }
            writer.raw("],")
        }
        writer.raw("\"totalQueryableSamples\":")
        writer.integer(statistics.totalQueryableSamples)
        writer.raw(",\"peakSamples\":")
        writer.integer(statistics.peakSamples)
        writer.raw("}}")
    }

    /// A list of strings.
    static func strings(_ values: [String], into writer: inout JSONWriter) {
        writer.byte(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.string(value)
        }
        writer.byte(UInt8(ascii: "]"))
    }

    /// `{"status":"success","data":...,"warnings":[...],"infos":[...]}`; empty lists are left out.
    static func success(data: [UInt8], warnings: [String], infos: [String]) -> [UInt8] {
        var writer = JSONWriter(capacity: data.count + 64)
        writer.raw("{\"status\":\"success\",\"data\":")
        writer.fragment(data)
        if !warnings.isEmpty {
            writer.raw(",\"warnings\":")
            strings(warnings, into: &writer)
        }
        if !infos.isEmpty {
            writer.raw(",\"infos\":")
            strings(infos, into: &writer)
        }
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// `{"status":"error","errorType":"...","error":"..."}`.
    static func failure(_ error: APIError) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw("{\"status\":\"error\",\"errorType\":")
        writer.string(error.kind.rawValue)
        writer.raw(",\"error\":")
        writer.string(error.message)
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }
}
