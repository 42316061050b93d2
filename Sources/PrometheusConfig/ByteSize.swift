/// Sizes written as Prometheus's `body_size_limit` is (`units.Base2Bytes`): `100MB`, `1GiB`,
/// `512KB`, `1.5MB`, `0`.
///
/// Every unit is a power of 1024, as in Prometheus: `KB` and `KiB` both mean 1024 bytes. Units may
/// be chained (`1MB512KB`); a bare number other than `0` needs a unit.
public enum ByteSize {
    private static let units: [(symbol: String, bytes: Double)] = [
        ("B", 1.0), ("KB", 1024.0), ("MB", Double(1 << 20)), ("GB", Double(1 << 30)), ("TB", Double(1 << 40)), ("PB", Double(1 << 50)), ("EB", Double(1 << 60)),
        ("KiB", 1024.0), ("MiB", Double(1 << 20)), ("GiB", Double(1 << 30)), ("TiB", Double(1 << 40)), ("PiB", Double(1 << 50)), ("EiB", Double(1 << 60)),
    ]

    /// The number of bytes `text` stands for, or nil when it is not a size.
    public static func parse(_ text: String) -> Int? {
        if text == "0" { return 0 }
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let symbol = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(symbol.count)
            guard !number.isEmpty, number != ".", let value = Double(number),
                let unit = units.first(where: { $0.symbol == symbol })
            else { return nil }
            total += value * unit.bytes
        }
        guard total.isFinite, total < Double(Int.max) else { return nil }
        return Int(total)
    }

    /// `bytes` the way Prometheus prints a `Base2Bytes`: the largest unit that divides it (`10MiB`).
    public static func format(_ bytes: Int) -> String {
        if bytes == 0 { return "0B" }
        let named: [(String, Int)] = [("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30),
            ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (symbol, size) in named where bytes % size == 0 {
            return "\(bytes / size)\(symbol)"
        }
        return "\(bytes)B"
    }
}
