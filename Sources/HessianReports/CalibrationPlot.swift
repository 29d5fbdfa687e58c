// The calibration plot: for each case and Hessian part, the sorted |eigenvalues| on a log axis, the reference as a
// vertical line (the exact rank, or an exact certified interval) or, for a certified interval that is not exact, a
// grey band from its lower to its upper end (every index in it is possible, as far as is proven), the linear formula
// as a dashed line beside an interval, and each rule's threshold as a horizontal line, so a reader sees at once where
// the spectrum breaks and which thresholds fall into the break. Plain SVG 1.1, no scripts.
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NetworkModel
import NumericalAlgebra

public enum CalibrationPlot {
    static let panelWidth = 360.0, panelHeight = 220.0
    static let margin = (left: 52.0, right: 12.0, top: 26.0, bottom: 30.0)
    static let legendHeight = 58.0

    /// One color per rule, in the order of `RankRule.standard`.
    static func color(_ rule: RankRule) -> String {
        switch rule {
        case .numpyDefault: "#d62728"
        case .relative(let k): ["#ff7f0e", "#e6a100", "#bcbd22", "#8c9d1e", "#2ca02c", "#17becf", "#1f77b4", "#3a3aa8"][max(0, min(7, k - 6))]
        case .absolute: "#8c564b"
        case .largestGap: "#9467bd"
        }
    }

    public static func svg(_ results: [CalibrationResult], rules: [RankRule]) -> String {
        let columns = max(1, results.first?.parts.count ?? 1)
        let rows = results.count
        let width = Double(columns) * panelWidth
        let height = legendHeight + Double(rows) * panelHeight
        let intervals = results.contains { $0.parts.contains { $0.interval != nil } }
        let caption = intervals
            ? "|eigenvalue| (log10) against index; grey band or solid line: certified interval of the rank; dashed: linear formula; horizontal lines: thresholds"
            : "|eigenvalue| (log10) against index; vertical line: reference rank (solid exact, dashed formula); horizontal lines: thresholds"
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="8" y="16" font-size="13">\(caption)</text>

            """
        for (i, rule) in rules.enumerated() {
            let x = 8 + Double(i % 6) * 150, y = 34 + Double(i / 6) * 16
            out += "<line x1=\"\(x)\" y1=\"\(y - 4)\" x2=\"\(x + 22)\" y2=\"\(y - 4)\" stroke=\"\(color(rule))\" stroke-width=\"2\"/>"
            out += "<text x=\"\(x + 27)\" y=\"\(y)\">\(rule)</text>\n"
        }
        for (row, result) in results.enumerated() {
            for (column, part) in result.parts.enumerated() {
                out += panel(result, part, x: Double(column) * panelWidth, y: legendHeight + Double(row) * panelHeight)
            }
        }
        return out + "</svg>\n"
    }

    static func panel(_ result: CalibrationResult, _ part: CalibratedPart, x: Double, y: Double) -> String {
        let s = part.spectrum
        let plotWidth = panelWidth - margin.left - margin.right, plotHeight = panelHeight - margin.top - margin.bottom
        let largest = s.first ?? 0
        let thresholds = part.outcomes.map(\.threshold).filter { $0 > 0 }
        let positive = s.filter { $0 > 0 } + thresholds
        let top = (log10(max(largest, thresholds.max() ?? 0, 1e-300)) + 0.5).rounded(.up)
        let bottom = max((log10(positive.min() ?? 1) - 0.5).rounded(.down), top - 30)
        func px(_ index: Double) -> Double { x + margin.left + plotWidth * index / Double(max(s.count, 1)) }
        func py(_ value: Double) -> Double {
            let level = value > 0 ? max(log10(value), bottom) : bottom
            return y + margin.top + plotHeight * (top - level) / (top - bottom)
        }
        let title = "\(result.network.label) \(result.activation.rawValue) N=\(result.network.samples) \(part.part.symbol)"
        var out = "<g>\n"
        if let interval = part.interval, !interval.isExact {
            // Drawn first, under the spectrum and the thresholds.
            let left = px(Double(interval.lower)), right = px(Double(interval.upper.value))
            out += "<rect x=\"\(left)\" y=\"\(y + margin.top)\" width=\"\(max(right - left, 1))\" height=\"\(plotHeight)\" fill=\"#9a9a9a\" opacity=\"0.3\"/>\n"
        }
        // A title wider than its panel (a CNN's layer list) gets a smaller font rather than run into the next panel:
        // about 0.5 em per character of sans-serif (measured on rendered layer lists).
        let room = panelWidth - margin.left - 6
        let size = min(12, (room / (0.5 * Double(title.count))).rounded(.down))
        out += "<text x=\"\(x + margin.left)\" y=\"\(y + 16)\" font-size=\"\(Int(size))\">\(title)</text>\n"
        out += "<rect x=\"\(x + margin.left)\" y=\"\(y + margin.top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#888\"/>\n"
        var decade = top
        let step = max(1, ((top - bottom) / 6).rounded(.up))
        while decade >= bottom {
            let yy = y + margin.top + plotHeight * (top - decade) / (top - bottom)
            out += "<text x=\"\(x + margin.left - 4)\" y=\"\(yy + 4)\" text-anchor=\"end\">1e\(Int(decade))</text>"
            out += "<line x1=\"\(x + margin.left)\" y1=\"\(yy)\" x2=\"\(x + margin.left + 4)\" y2=\"\(yy)\" stroke=\"#888\"/>\n"
            decade -= step
        }
        out += "<text x=\"\(x + margin.left + plotWidth)\" y=\"\(y + panelHeight - 8)\" text-anchor=\"end\">index 1 ... \(s.count)</text>\n"
        for outcome in part.outcomes where outcome.threshold > 0 {
            let yy = py(outcome.threshold)
            let style = outcome.rule == .largestGap ? "stroke-width=\"2\" stroke-dasharray=\"6,3\"" : "stroke-width=\"1\""
            out += "<line x1=\"\(x + margin.left)\" y1=\"\(yy)\" x2=\"\(x + margin.left + plotWidth)\" y2=\"\(yy)\" stroke=\"\(color(outcome.rule))\" \(style) opacity=\"0.85\"/>\n"
        }
        func vertical(_ index: Int, dashed: Bool, width: Double = 1.5, color: String = "black") -> String {
            let xx = px(Double(index))
            return "<line x1=\"\(xx)\" y1=\"\(y + margin.top)\" x2=\"\(xx)\" y2=\"\(y + margin.top + plotHeight)\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dashed ? " stroke-dasharray=\"5,3\"" : "")/>\n"
        }
        let label: String, rankX: Double
        if let interval = part.interval {
            // The formula, a comparison only; then the interval's ends (one line when exact).
            if let formula = part.formula { out += vertical(formula, dashed: true, width: 1, color: "#555") }
            out += vertical(interval.lower, dashed: false)
            if !interval.isExact { out += vertical(interval.upper.value, dashed: false) }
            label = interval.isExact ? "certified \(interval.lower)" : "certified \(interval.lower)...\(interval.upper.value)"
            rankX = px(Double(interval.lower))
        } else {
            let rank = part.referenceRank!
            out += vertical(rank, dashed: false)
            label = "exact \(rank)"
            rankX = px(Double(rank))
        }
        let leftOfLine = rankX > x + margin.left + 0.7 * plotWidth
        out += "<text x=\"\(leftOfLine ? rankX - 3 : rankX + 3)\" y=\"\(y + margin.top + 12)\" text-anchor=\"\(leftOfLine ? "end" : "start")\">\(label)</text>\n"
        if part.interval != nil, let formula = part.formula {
            out += "<text x=\"\(leftOfLine ? rankX - 3 : rankX + 3)\" y=\"\(y + margin.top + 24)\" text-anchor=\"\(leftOfLine ? "end" : "start")\" fill=\"#555\">formula \(formula)</text>\n"
        }
        let points = s.enumerated().map { String(format: "%.1f,%.1f", px(Double($0.offset) + 0.5), py($0.element)) }
        out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"black\" stroke-width=\"1.2\"/>\n"
        return out + "</g>\n"
    }
}
