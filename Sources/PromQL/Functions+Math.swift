import Foundation
import Series

extension Evaluator {
    /// Functions applying a float function to every element.
    static let mathFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { abs($0) },
        "ceil": { Foundation.ceil($0) },
        "floor": { Foundation.floor($0) },
        "exp": { Foundation.exp($0) },
        "sqrt": { $0.squareRoot() },
        "ln": { Foundation.log($0) },
        "log2": { Foundation.log2($0) },
        "log10": { Foundation.log10($0) },
        "sgn": { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) },
        "deg": { $0 * 180 / Double.pi },
        "rad": { $0 * Double.pi / 180 },
        "sin": { Foundation.sin($0) },
        "cos": { Foundation.cos($0) },
        "tan": { Foundation.tan($0) },
        "asin": { Foundation.asin($0) },
        "acos": { Foundation.acos($0) },
        "atan": { Foundation.atan($0) },
        "sinh": { Foundation.sinh($0) },
        "cosh": { Foundation.cosh($0) },
        "tanh": { Foundation.tanh($0) },
        "asinh": { Foundation.asinh($0) },
        "acosh": { Foundation.acosh($0) },
        "atanh": { Foundation.atanh($0) },
    ]

    /// Functions of an instant vector and scalar parameters.
    static let parameterisedMathFunctions: [String: @Sendable ([Element], [Double]) -> [Element]] = [
        "clamp": { input, p in
            let (low, high) = (p[0], p[1])
            if high < low { return [] }
            return input.map {
                Element(labels: $0.labels, value: goMax(low, goMin(high, $0.value)), dropName: true)
            }
        },
        "clamp_max": { input, p in
            input.map { Element(labels: $0.labels, value: goMin(p[0], $0.value), dropName: true) }
        },
        "clamp_min": { input, p in
            input.map { Element(labels: $0.labels, value: goMax(p[0], $0.value), dropName: true) }
        },
        "round": { input, p in
            let inverse = 1 / (p.first ?? 1)
            return input.map {
                Element(
                    labels: $0.labels, value: Foundation.floor($0.value * inverse + 0.5) / inverse,
                    dropName: true)
            }
        },
    ]

    /// Go's `math.Max`: NaN if either is NaN.
    static func goMax(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return Swift.max(a, b)
    }

    /// Go's `math.Min`: NaN if either is NaN.
    static func goMin(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return Swift.min(a, b)
    }
}
