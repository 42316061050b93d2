import Foundation
import PromQL
import Series

/// A line chart of series over time, drawn as inline SVG on the server, so the page needs no
/// script and no CDN: axes with a few labelled ticks, one polyline per series (broken where a
/// series has gaps or non-finite values), a legend, and an optional dashed threshold line.
public struct SVGChart: Sendable {
    /// The chart's title.
    public var title: String
    /// The series to draw.
    public var series: [MatrixSeries]
    /// How a value is written on the axis (`s`, `%`, `USD/h`).
    public var unit: String = ""
    /// A horizontal line to draw (an SLA target, an objective), with its label.
    public var threshold: (value: Double, label: String)?
    /// The time range shown, milliseconds; the series' own extent when nil.
    public var range: ClosedRange<Int64>?
    /// Width in pixels.
    public var width = 560
    /// Height in pixels.
    public var height = 220

    private static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    private static let left = 56.0
    private static let right = 12.0
    private static let top = 24.0
    private static let bottom = 38.0

    /// A chart titled `title` of `series`.
    public init(
        title: String, series: [MatrixSeries], unit: String = "", threshold: (value: Double, label: String)? = nil,
        range: ClosedRange<Int64>? = nil
    ) {
        self.title = title
        self.series = series
        self.unit = unit
        self.threshold = threshold
        self.range = range
    }

    /// The SVG element.
    public func render() -> String {
        let points = series.flatMap(\.samples).filter { $0.value.isFinite }
        var svg = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        svg += "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<text x=\"\(Self.left)\" y=\"15\" class=\"title\">\(HTML.escape(title))</text>"
        let times = range.map { [$0.lowerBound, $0.upperBound] } ?? points.map(\.timestamp)
        guard let minTime = times.min(), let maxTime = times.max(), !points.isEmpty else {
            svg += "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" class=\"empty\">no data</text></svg>"
            return svg
        }
        var values = points.map(\.value)
        if let threshold, threshold.value.isFinite { values.append(threshold.value) }
        var low = min(values.min() ?? 0, 0)
        var high = values.max() ?? 1
        if high == low { high = low + (low == 0 ? 1 : abs(low)) }
        (low, high) = Self.niceBounds(low, high)
        let plotWidth = Double(width) - Self.left - Self.right
        let plotHeight = Double(height) - Self.top - Self.bottom
        let span = Double(max(maxTime - minTime, 1))
        func x(_ time: Int64) -> Double { Self.left + Double(time - minTime) / span * plotWidth }
        func y(_ value: Double) -> Double { Self.top + (1 - (value - low) / (high - low)) * plotHeight }

        svg += "<g class=\"axis\">"
        for index in 0...4 {
            let value = low + (high - low) * Double(index) / 4
            let position = Self.format(y(value))
            svg += "<line x1=\"\(Self.left)\" x2=\"\(Self.format(Self.left + plotWidth))\" y1=\"\(position)\" y2=\"\(position)\"/>"
            svg += "<text x=\"\(Self.format(Self.left - 4))\" y=\"\(Self.format(y(value) + 4))\" text-anchor=\"end\">"
            svg += "\(HTML.escape(HTML.number(value) + unit))</text>"
        }
        for index in 0...3 {
            let time = minTime + Int64(Double(maxTime - minTime) * Double(index) / 3)
            let label = String(HTML.time(time).dropFirst(11).prefix(5))
            svg += "<text x=\"\(Self.format(x(time)))\" y=\"\(Self.format(Self.top + plotHeight + 14))\" text-anchor=\"middle\">\(label)</text>"
        }
        svg += "</g>"
        if let threshold, threshold.value.isFinite {
            let position = Self.format(y(threshold.value))
            svg += "<line class=\"threshold\" x1=\"\(Self.left)\" x2=\"\(Self.format(Self.left + plotWidth))\" "
            svg += "y1=\"\(position)\" y2=\"\(position)\"/>"
            svg += "<text class=\"threshold-label\" x=\"\(Self.format(Self.left + plotWidth))\" "
            svg += "y=\"\(Self.format(y(threshold.value) - 3))\" text-anchor=\"end\">\(HTML.escape(threshold.label))</text>"
        }
        for (index, item) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            for segment in Self.segments(item.samples) {
                let path = segment.map { "\(Self.format(x($0.timestamp))),\(Self.format(y($0.value)))" }.joined(separator: " ")
                if segment.count == 1 {
                    svg += "<circle cx=\"\(Self.format(x(segment[0].timestamp)))\" cy=\"\(Self.format(y(segment[0].value)))\" r=\"2\" fill=\"\(color)\"/>"
                } else {
                    svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
                }
            }
        }
        var legendX = Self.left
        for (index, item) in series.prefix(6).enumerated() {
            let name = Self.legend(item.labels)
            svg += "<rect x=\"\(Self.format(legendX))\" y=\"\(height - 12)\" width=\"10\" height=\"3\" fill=\"\(Self.palette[index % Self.palette.count])\"/>"
            svg += "<text x=\"\(Self.format(legendX + 13))\" y=\"\(height - 8)\" class=\"legend\">\(HTML.escape(name))</text>"
            legendX += 18 + Double(name.count) * 6
        }
        return svg + "</svg>"
    }

    /// Runs of samples with no gap longer than twice their usual spacing and no non-finite value.
    static func segments(_ samples: [Sample]) -> [[Sample]] {
        let gaps = zip(samples.dropFirst(), samples).map { $0.timestamp - $1.timestamp }.sorted()
        let usual = gaps.isEmpty ? Int64.max : gaps[gaps.count / 2]
        var segments: [[Sample]] = []
        var current: [Sample] = []
        for sample in samples {
            guard sample.value.isFinite else {
                if !current.isEmpty { segments.append(current) }
                current = []
                continue
            }
            if let last = current.last, usual < Int64.max / 2, sample.timestamp - last.timestamp > 2 * usual {
                segments.append(current)
                current = []
            }
            current.append(sample)
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    /// The labels that tell series apart, `name="value"` joined, or the metric name.
    static func legend(_ labels: Labels) -> String {
        let shown = labels.droppingMetricName().filter { !["job", "instance"].contains($0.name) }
        if shown.isEmpty { return labels.metricName.isEmpty ? "value" : labels.metricName }
        return shown.map { $0.value }.joined(separator: " ")
    }

    /// Bounds rounded out to 1, 2 or 5 times a power of ten.
    static func niceBounds(_ low: Double, _ high: Double) -> (Double, Double) {
        let span = high - low
        let magnitude = pow(10, floor(log10(span)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude / 4 }.first { span / $0 <= 4 } ?? magnitude
        return ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
