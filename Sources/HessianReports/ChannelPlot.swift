// The channels study's plot: the exact ranks of H_L, H_O and H_F against the number of channels (points joined by
// lines), and p (dashed) for scale, as in the follow-up paper's Figure 1. Plain SVG 1.1.
import Foundation
import HessianStudies

public enum ChannelPlot {
    public static func svg(_ records: [ChannelStudy.Record]) -> String {
        let sorted = records.sorted { $0.index < $1.index }
        guard let first = sorted.first else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n" }
        let colors = RankPlot.colors
        let series = [("H_L", colors.loss, 0), ("H_O", colors.outer, 1), ("H_F", colors.functional, 2)].map { label, color, index in
            let ranks = sorted.map { Double($0.ranks[index]) }
            return RankPlot.Series(label: label, color: color, line: ranks, points: ranks)
        }
        return RankPlot(title: "linear CNN on 1x8x8, two 3x3 convolutions, dense to 10, N = \(first.samples): exact ranks, p dashed",
                        xLabel: "channels per convolution c", xs: sorted.map { Double($0.channels) },
                        parameters: sorted.map { Double($0.parameters) }, series: series).svg()
    }
}
