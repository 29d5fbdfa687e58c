// The sweep plot: for one study, the formula of each Hessian part as a line, the exact ranks as points on it (or off
// it), and p as a dashed line for scale. Plain SVG 1.1.
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NetworkModel

public enum SweepPlot {
    static let colors = ["loss": "#d62728", "outer": "#1f77b4", "functional": "#2ca02c"]

    public static func svg(_ records: [SweepRecord]) -> String {
        let (width, height) = (720.0, 440.0)
        let (left, right, top, bottom) = (70.0, 150.0, 40.0, 50.0)
        let sorted = records.sorted { $0.index < $1.index }
        guard let first = sorted.first else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n" }
        let xs = sorted.map { Double($0.variable) }
        let (xMin, xMax) = (xs.min()!, max(xs.max()!, xs.min()! + 1))
        let yMax = Double(sorted.map(\.parameters).max()!) * 1.05
        func px(_ x: Double) -> Double { left + (width - left - right) * (x - xMin) / (xMax - xMin) }
        func py(_ y: Double) -> Double { top + (height - top - bottom) * (1 - y / yMax) }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="14">rank against \(first.study.rawValue)\(first.activation == "relu" ? ", ReLU networks" : first.activation != "linear" ? ", \(first.activation) networks" : "")\(first.bias == true ? " with bias" : ""): \(first.activation != "linear" ? (first.bias == true ? "with-bias conjecture" : "linear formula") : first.bias == true ? "with-bias conjecture" : "formula") (lines), exact rank (points), p (dashed)</text>
            <rect x="\(left)" y="\(top)" width="\(width - left - right)" height="\(height - top - bottom)" fill="none" stroke="#888"/>

            """
        for k in 0...5 {
            let y = yMax * Double(k) / 5
            out += "<text x=\"\(left - 6)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(Int(y))</text>\n"
        }
        for r in sorted {
            out += "<text x=\"\(px(Double(r.variable)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(r.variable)</text>\n"
        }
        out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">\(first.study == .width ? "hidden width w" : first.study == .depth ? "hidden layers" : "samples N")</text>\n"
        func line(_ values: [Double], color: String, dashed: Bool) -> String {
            let points = zip(xs, values).map { String(format: "%.1f,%.1f", px($0), py($1)) }.joined(separator: " ")
            return "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
        }
        out += line(sorted.map { Double($0.parameters) }, color: "#777", dashed: true)
        for (name, pick) in [("loss", { (v: SweepRecord.Values) in v.loss }), ("outer", { $0.outer }), ("functional", { $0.functional })] {
            let color = colors[name]!
            out += line(sorted.map { Double(pick($0.formula)) }, color: color, dashed: false)
            for r in sorted {
                out += "<circle cx=\"\(px(Double(r.variable)))\" cy=\"\(py(Double(pick(r.ranks))))\" r=\"3.5\" fill=\"\(color)\"/>\n"
            }
        }
        let legend: [(String, String)] = [("H_L", "loss"), ("H_O", "outer"), ("H_F", "functional")]
        for (i, (label, name)) in legend.enumerated() {
            let y = top + 20 + Double(i) * 20
            out += "<line x1=\"\(width - right + 12)\" y1=\"\(y)\" x2=\"\(width - right + 36)\" y2=\"\(y)\" stroke=\"\(colors[name]!)\" stroke-width=\"2\"/>"
            out += "<circle cx=\"\(width - right + 24)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(colors[name]!)\"/>"
            out += "<text x=\"\(width - right + 42)\" y=\"\(y + 4)\">\(label)</text>\n"
        }
        out += "<line x1=\"\(width - right + 12)\" y1=\"\(top + 80)\" x2=\"\(width - right + 36)\" y2=\"\(top + 80)\" stroke=\"#777\" stroke-dasharray=\"6,4\"/>"
        out += "<text x=\"\(width - right + 42)\" y=\"\(top + 84)\">p</text>\n"
        return out + "</svg>\n"
    }
}
