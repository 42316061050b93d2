import Series

/// Prometheus remote write 1.0's `prometheus.WriteRequest` in protobuf wire format:
/// `WriteRequest{1: repeated TimeSeries}`, `TimeSeries{1: repeated Label, 2: repeated Sample}`,
/// `Label{1: name, 2: value}`, `Sample{1: double value, 2: int64 timestamp}`.
///
/// Written by hand: four messages do not justify generated code and the protobuf runtime.
public enum WriteRequest {
    /// The encoded request for `series`: each with its labels (sorted, as the protocol requires)
    /// and samples in time order.
    public static func encode(_ series: [(labels: Labels, samples: [Sample])]) -> [UInt8] {
        var out: [UInt8] = []
        for item in series {
            var timeSeries: [UInt8] = []
            for label in item.labels {
                var message: [UInt8] = []
                field(1, bytes: Array(label.name.utf8), into: &message)
                field(2, bytes: Array(label.value.utf8), into: &message)
                field(1, bytes: message, into: &timeSeries)
            }
            for sample in item.samples {
                var message: [UInt8] = [0x09]
                var bits = sample.value.bitPattern
                for _ in 0..<8 {
                    message.append(UInt8(bits & 0xFF))
                    bits >>= 8
                }
                message.append(0x10)
                Snappy.appendVarint(UInt64(bitPattern: sample.timestamp), to: &message)
                field(2, bytes: message, into: &timeSeries)
            }
            field(1, bytes: timeSeries, into: &out)
        }
        return out
    }

    /// Appends a length-delimited field.
    private static func field(_ number: UInt8, bytes: [UInt8], into out: inout [UInt8]) {
        out.append(number << 3 | 2)
        Snappy.appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }
}
