// The sweep plot: for one study, the formula of each Hessian part as a line, the exact ranks as points on it (or off
// it), and p as a dashed line for scale. Plain SVG 1.1.
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NetworkModel

public enum SweepPlot {
    public static func svg(_ records: [SweepRecord]) -> String {
        let sorted = records.sorted { $0.index < $1.index }
        guard let first = sorted.first else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n" }
        let activation = first.activation == "relu" ? ", ReLU networks" : first.activation != "linear" ? ", \(first.activation) networks" : ""
        let compared = first.activation != "linear" ? (first.bias == true ? "with-bias conjecture" : "linear formula")
            : first.bias == true ? "with-bias conjecture" : "formula"
        let title = "rank against \(first.study.rawValue)\(activation)\(first.bias == true ? " with bias" : ""): \(compared) (lines), exact rank (points), p (dashed)"
        let xLabel = first.study == .width ? "hidden width w" : first.study == .depth ? "hidden layers" : "samples N"
        let colors = RankPlot.colors
        let series: [RankPlot.Series] = [("H_L", colors.loss, { (v: SweepRecord.Values) in v.loss }),
                                         ("H_O", colors.outer, { $0.outer }), ("H_F", colors.functional, { $0.functional })]
            .map { label, color, pick in
                RankPlot.Series(label: label, color: color, line: sorted.map { Double(pick($0.formula)) },
                                points: sorted.map { Double(pick($0.ranks)) })
            }
        return RankPlot(title: title, xLabel: xLabel, xs: sorted.map { Double($0.variable) },
                        parameters: sorted.map { Double($0.parameters) }, series: series).svg()
    }
}
