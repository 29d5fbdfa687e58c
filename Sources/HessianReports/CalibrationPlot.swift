// The calibration plot: for each case and Hessian part, the sorted |eigenvalues| on a log axis, the reference rank as
// a vertical line (solid: exact rank; dashed: formula), and each rule's threshold as a horizontal line, so a reader
// sees at once where the spectrum breaks and which thresholds fall into the break. Plain SVG 1.1, no scripts.
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
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="8" y="16" font-size="13">|eigenvalue| (log10) against index; vertical line: reference rank (solid exact, dashed formula); horizontal lines: thresholds</text>

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
        let title = "\(result.calibrationCase.architecture) \(result.activation.rawValue) N=\(result.calibrationCase.samples) \(part.part.symbol)"
        var out = "<g>\n<text x=\"\(x + margin.left)\" y=\"\(y + 16)\" font-size=\"12\">\(title)</text>\n"
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
        let rankX = px(Double(part.referenceRank))
        let dash = part.reference == .exact ? "" : " stroke-dasharray=\"5,3\""
        out += "<line x1=\"\(rankX)\" y1=\"\(y + margin.top)\" x2=\"\(rankX)\" y2=\"\(y + margin.top + plotHeight)\" stroke=\"black\" stroke-width=\"1.5\"\(dash)/>\n"
        let label = "\(part.reference == .exact ? "exact" : "formula") \(part.referenceRank)"
        let leftOfLine = rankX > x + margin.left + 0.7 * plotWidth
        out += "<text x=\"\(leftOfLine ? rankX - 3 : rankX + 3)\" y=\"\(y + margin.top + 12)\" text-anchor=\"\(leftOfLine ? "end" : "start")\">\(label)</text>\n"
        let points = s.enumerated().map { String(format: "%.1f,%.1f", px(Double($0.offset) + 0.5), py($0.element)) }
        out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"black\" stroke-width=\"1.2\"/>\n"
        return out + "</g>\n"
    }
}
