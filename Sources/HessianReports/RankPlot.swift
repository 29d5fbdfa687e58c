// The frame every rank plot shares: a title, a box, y ticks from 0 to 1.05 p, x ticks at the points, p as a dashed
// line, and per Hessian part a solid line and the exact ranks as points, with a legend. Plain SVG 1.1.
import Foundation

struct RankPlot {
    struct Series {
        let label: String
        let color: String
        /// The solid line (a formula, or the ranks themselves).
        let line: [Double]
        /// The points (exact ranks).
        let points: [Double]
    }

    let title: String
    let xLabel: String
    let xs: [Double]
    let parameters: [Double]
    let series: [Series]

    static let colors = (loss: "#d62728", outer: "#1f77b4", functional: "#2ca02c")

    func svg() -> String {
        let (width, height) = (720.0, 440.0)
        let (left, right, top, bottom) = (70.0, 150.0, 40.0, 50.0)
        let (xMin, xMax) = (xs.min()!, max(xs.max()!, xs.min()! + 1))
        let yMax = parameters.max()! * 1.05
        func px(_ x: Double) -> Double { left + (width - left - right) * (x - xMin) / (xMax - xMin) }
        func py(_ y: Double) -> Double { top + (height - top - bottom) * (1 - y / yMax) }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="14">\(title)</text>
            <rect x="\(left)" y="\(top)" width="\(width - left - right)" height="\(height - top - bottom)" fill="none" stroke="#888"/>

            """
        for k in 0...5 {
            let y = yMax * Double(k) / 5
            out += "<text x=\"\(left - 6)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(Int(y))</text>\n"
        }
        for x in xs {
            out += "<text x=\"\(px(x))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Int(x))</text>\n"
        }
        out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">\(xLabel)</text>\n"
        func line(_ values: [Double], color: String, dashed: Bool) -> String {
            let points = zip(xs, values).map { String(format: "%.1f,%.1f", px($0), py($1)) }.joined(separator: " ")
            return "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
        }
        out += line(parameters, color: "#777", dashed: true)
        for s in series {
            out += line(s.line, color: s.color, dashed: false)
            for (x, y) in zip(xs, s.points) {
                out += "<circle cx=\"\(px(x))\" cy=\"\(py(y))\" r=\"3.5\" fill=\"\(s.color)\"/>\n"
            }
        }
        for (i, s) in series.enumerated() {
            let y = top + 20 + Double(i) * 20
            out += "<line x1=\"\(width - right + 12)\" y1=\"\(y)\" x2=\"\(width - right + 36)\" y2=\"\(y)\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
            out += "<circle cx=\"\(width - right + 24)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(s.color)\"/>"
            out += "<text x=\"\(width - right + 42)\" y=\"\(y + 4)\">\(s.label)</text>\n"
        }
        out += "<line x1=\"\(width - right + 12)\" y1=\"\(top + 80)\" x2=\"\(width - right + 36)\" y2=\"\(top + 80)\" stroke=\"#777\" stroke-dasharray=\"6,4\"/>"
        out += "<text x=\"\(width - right + 42)\" y=\"\(top + 84)\">p</text>\n"
        return out + "</svg>\n"
    }
}
