// `sweep --study channels`: the exact ranks of a linear CNN's Hessians against the number of channels
// (`ChannelStudy`, the follow-up paper's Figure 1 with exact points): table, JSON, SVG plot.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore

extension Sweep {
    var isChannelStudy: Bool { study == "channels" }

    /// The channels study has its own network and draw: the options of the dense studies are refused.
    func validateChannels() throws {
        let unused: [(String, Bool)] = [
            ("--shard", shard != nil), ("--field", field != "integers"), ("--activation", activation != .linear), ("--bias", bias),
            ("--data", data != nil), ("--x", dataFiles.given), ("--loss", loss != "mse"), ("--max-parameters", maxParameters != nil),
            ("--data-rank", dataRank != nil),
        ]
        if let given = unused.first(where: \.1) {
            throw ValidationError("\(given.0): not with --study channels (linear CNNs under mse at integer points, drawn from the seed)")
        }
        if let only { _ = try Validate.only(only, values: ChannelStudy.channels, variable: "c", study: "channels") }
        try Validate.seed(seed)
        try output.validatePlot()
    }

    func runChannels() throws {
        // Each point keeps its index in the whole study, and so its seed.
        let indices = ChannelStudy.channels.indices.filter { onlyValues?.contains(ChannelStudy.channels[$0]) ?? true }
        var progress = Progress("sweep channels", total: indices.count)
        var records: [ChannelStudy.Record] = []
        for (n, index) in indices.enumerated() {
            progress.update(n, "c = \(ChannelStudy.channels[index])")
            records.append(try ChannelStudy.run(index: index, seed: UInt64(seed)!, primes: .random(count: 1)))
        }
        progress.update(indices.count)
        progress.finish()
        if let plot = output.plot { try AtomicFile.write(Data(ChannelPlot.svg(records).utf8), to: plot) }
        if output.json {
            struct Document: Encodable {
                let formatVersion = 1
                let study = "channels"
                let records: [ChannelStudy.Record]
            }
            print(String(decoding: try AnalysisReport.encoder().encode(Document(records: records)), as: UTF8.self))
            return
        }
        let pad = Rank.pad
        var lines = [pad("c", 4) + pad("layers", 40) + pad("N", 5) + pad("p", 7) + pad("rank H_L", 10) + pad("rank H_O", 10)
                     + pad("rank H_F", 10) + pad("H_L / c", 9) + "seconds"]
        for r in records {
            lines.append(pad(String(r.channels), 4) + pad(r.layers, 40) + pad(String(r.samples), 5) + pad(String(r.parameters), 7)
                         + r.ranks.enumerated().map { pad("\($1)" + (r.exactBy[$0] == nil ? "" : "*"), 10) }.joined()
                         + pad(String(format: "%.1f", Double(r.ranks[0]) / Double(r.channels)), 9) + String(format: "%.1f", r.seconds))
        }
        let bound = records.compactMap(\.errorBound).max() ?? 0
        lines.append("* exact: the rank meets a bound that holds at this point (--json names it: p, N K, or the unrolled dense network's, proofs/convolution.md); every other rank is a proven "
                     + String(format: "lower bound, low with probability <= %.1e over this run's primes (drawn from the system's entropy; --json lists them)", bound))
        print(lines.joined(separator: "\n"))
    }
}
