// The channels study's plot: the exact ranks of H_L, H_O and H_F against the number of channels (points joined by
// lines), and p (dashed) for scale, as in the follow-up paper's Figure 1. Plain SVG 1.1.
import Foundation
import HessianStudies

public enum ChannelPlot {
    public static func svg(_ records: [ChannelStudy.Record]) -> String {
        let (width, height) = (720.0, 440.0)
        let (left, right, top, bottom) = (70.0, 150.0, 40.0, 50.0)
        let sorted = records.sorted { $0.index < $1.index }
        guard !sorted.isEmpty else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n" }
        let xs = sorted.map { Double($0.channels) }
        let (xMin, xMax) = (xs.min()!, max(xs.max()!, xs.min()! + 1))
        let yMax = Double(sorted.map(\.parameters).max()!) * 1.05
        func px(_ x: Double) -> Double { left + (width - left - right) * (x - xMin) / (xMax - xMin) }
        func py(_ y: Double) -> Double { top + (height - top - bottom) * (1 - y / yMax) }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="14">linear CNN on 1x8x8, two 3x3 convolutions, dense to 10, N = \(sorted[0].samples): exact ranks, p dashed</text>
            <rect x="\(left)" y="\(top)" width="\(width - left - right)" height="\(height - top - bottom)" fill="none" stroke="#888"/>

            """
        for k in 0...5 {
            let y = yMax * Double(k) / 5
            out += "<text x=\"\(left - 6)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(Int(y))</text>\n"
        }
        for r in sorted {
            out += "<text x=\"\(px(Double(r.channels)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(r.channels)</text>\n"
        }
        out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">channels per convolution c</text>\n"
        func line(_ values: [Double], color: String, dashed: Bool) -> String {
            let points = zip(xs, values).map { String(format: "%.1f,%.1f", px($0), py($1)) }.joined(separator: " ")
            return "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
        }
        out += line(sorted.map { Double($0.parameters) }, color: "#777", dashed: true)
        let parts: [(label: String, index: Int, color: String)] = [("H_L", 0, "#d62728"), ("H_O", 1, "#1f77b4"), ("H_F", 2, "#2ca02c")]
        for part in parts {
            out += line(sorted.map { Double($0.ranks[part.index]) }, color: part.color, dashed: false)
            for r in sorted {
                out += "<circle cx=\"\(px(Double(r.channels)))\" cy=\"\(py(Double(r.ranks[part.index])))\" r=\"3.5\" fill=\"\(part.color)\"/>\n"
            }
        }
        for (i, part) in parts.enumerated() {
            let y = top + 20 + Double(i) * 20
            out += "<line x1=\"\(width - right + 12)\" y1=\"\(y)\" x2=\"\(width - right + 36)\" y2=\"\(y)\" stroke=\"\(part.color)\" stroke-width=\"2\"/>"
            out += "<circle cx=\"\(width - right + 24)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(part.color)\"/>"
            out += "<text x=\"\(width - right + 42)\" y=\"\(y + 4)\">\(part.label)</text>\n"
        }
        out += "<line x1=\"\(width - right + 12)\" y1=\"\(top + 80)\" x2=\"\(width - right + 36)\" y2=\"\(top + 80)\" stroke=\"#777\" stroke-dasharray=\"6,4\"/>"
        out += "<text x=\"\(width - right + 42)\" y=\"\(top + 84)\">p</text>\n"
        return out + "</svg>\n"
    }
}
