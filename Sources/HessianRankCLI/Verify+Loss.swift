// `verify --loss cross-entropy|log-cosh`: the paper's formulas for these losses (cross-entropy: K replaced by K - 1;
// log-cosh: unchanged) against certified rank intervals (`LossIntervals`) on verify's grid, drawn small
// (`Generator.drawForLoss`), through the engine of `hessian-rank conjecture` (`ConjectureCheck`, the texts
// `BuiltInConjectures.paperUnderLoss`), which draws a shortfall again before it counts. The formulas are the paper's
// statements for these losses, not proved here, so they are compared with the intervals, never used as bounds.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

extension Verify {
    /// One part: the certified interval beside the formula.
    struct LossPart: Encodable {
        let lower: Int
        let upper: Int
        let statement: String
        let formula: Int
        /// "equal" (exact, equal to the formula), "within" (the formula lies in the interval: not decided), "below"
        /// (the interval lies below the formula: a non-generic point, or the formula is wrong there), "ABOVE" (the rank
        /// exceeds the formula: refutes it for certain, since no point exceeds the generic rank).
        let verdict: String
    }

    struct LossRecord: Encodable {
        let architecture: [Int]
        let samples: Int
        let parameters: Int
        /// The seed of the point ranked: the grid's, or a redraw's (seed + k 2^32) after a shortfall.
        let seed: String
        let dataRank: Int
        let parts: [String: LossPart]
    }

    struct LossSummary: Encodable {
        let networks: Int
        /// Grid networks left out: one output, for cross-entropy; more parameters than `maxParameters`.
        let skipped: Int
        let maxParameters: Int
        let equal: Int
        let within: Int
        let below: Int
        let above: Int
        /// Networks drawn again after a shortfall (the record keeps the last draw).
        let redrawn: Int
        let passed: Bool
    }

    struct LossReport: Encodable {
        let formatVersion = 1
        let loss: String
        let seed: String
        let records: [LossRecord]
        let summary: LossSummary
    }

    /// The engine's verdict on an interval, as this report has always written it.
    static func lossVerdict(_ verdict: Verdict) -> String {
        switch verdict {
        case .equal: "equal"
        case .undecided: "within"
        case .above, .impossible: "ABOVE"
        default: "below"
        }
    }

    func runLoss(_ loss: Loss) throws {
        let cases = VerifyGrid.cases(seed: UInt64(seed)!).filter {
            (loss != .crossEntropy || $0.architecture.outputWidth >= 2)
                && $0.architecture.parameterCount <= maxParameters
        }
        let skipped = VerifyGrid.cases(seed: UInt64(seed)!).count - cases.count
        var progress = Progress("verify --loss \(loss.rawValue)", total: cases.count)
        // At the integer points drawn, where Arb's rising precision closes the small networks' intervals.
        let checker = ConjectureCheck(conjecture: BuiltInConjectures.paperUnderLoss, intervalPoint: .integer)
        var records: [LossRecord] = []
        var redrawn = 0
        for (n, gridCase) in cases.enumerated() {
            progress.update(n, gridCase.architecture.description)
            let check = try checker.check(GridCase(architecture: gridCase.architecture, samples: gridCase.samples,
                                                   dataRank: gridCase.dataRank, activation: .linear, loss: loss),
                                          seed: gridCase.seed)
            if check.seeds.count > 1 { redrawn += 1 }
            let parts = Dictionary(uniqueKeysWithValues: check.judgements.map { j in
                let interval = check.intervals!.first { $0.part.rawValue == j.part.rawValue }!
                // The paper's texts have a value at every network.
                return (j.part.rawValue, LossPart(lower: j.rank, upper: j.upper!, statement: interval.upper.statement,
                                                  formula: j.value!, verdict: Self.lossVerdict(j.verdict!)))
            })
            records.append(LossRecord(architecture: gridCase.architecture.widths, samples: gridCase.samples,
                                      parameters: gridCase.architecture.parameterCount, seed: String(check.drawnSeed),
                                      dataRank: check.quantities.dataRank, parts: parts))
        }
        progress.update(cases.count)
        progress.finish()
        let verdicts = records.flatMap { $0.parts.values.map(\.verdict) }
        let summary = LossSummary(networks: records.count, skipped: skipped, maxParameters: maxParameters,
                                  equal: verdicts.filter { $0 == "equal" }.count,
                                  within: verdicts.filter { $0 == "within" }.count,
                                  below: verdicts.filter { $0 == "below" }.count,
                                  above: verdicts.filter { $0 == "ABOVE" }.count, redrawn: redrawn,
                                  passed: !verdicts.contains("ABOVE"))
        if json {
            let report = LossReport(loss: loss.rawValue, seed: seed, records: records, summary: summary)
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
        } else {
            print(Self.lossTable(records, summary: summary, loss: loss))
        }
        if !summary.passed { throw CommandFailure.checkFailed }
    }

    static func lossTable(_ records: [LossRecord], summary: LossSummary, loss: Loss) -> String {
        let pad = Rank.pad
        func cell(_ part: LossPart) -> String {
            let rank = part.lower == part.upper ? "\(part.lower)" : "\(part.lower)..\(part.upper)"
            return pad(pad("\(rank)/\(part.formula)", 14) + part.verdict, 22)
        }
        var lines = [pad("widths", 15) + pad("N", 4) + pad("p", 5) + pad("r", 4)
                     + pad("H_O rank/formula", 22) + pad("H_F rank/formula", 22) + "H_L rank/formula"]
        for record in records {
            lines.append(pad(record.architecture.map(String.init).joined(separator: ","), 15) + pad(String(record.samples), 4)
                         + pad(String(record.parameters), 5) + pad(String(record.dataRank), 4)
                         + cell(record.parts["outer"]!) + cell(record.parts["functional"]!) + cell(record.parts["loss"]!))
        }
        let ranks = 3 * summary.networks
        let formula = loss == .crossEntropy ? "the paper's formula with K - 1 classes" : "the paper's formula"
        lines.append((summary.passed ? "PASS" : "FAIL") + ": \(loss.rawValue), \(summary.networks) networks"
            + (summary.skipped > 0 ? " (\(summary.skipped) of the grid left out: " + (loss == .crossEntropy ? "one output, or " : "") + "p above \(summary.maxParameters))" : "")
            + ", \(ranks) ranks against \(formula) (not proved for this loss): \(summary.equal) exact and equal, "
            + "\(summary.within) with the formula inside the certified interval, \(summary.below) with the interval below it "
            + "after \(ConjectureCheck.defaultRedraws) redraws (a non-generic point, or the formula fails there), "
            + "\(summary.above) above it (each refutes it for certain); \(summary.redrawn) redrawn; "
            + "each interval is [a minor proven nonsingular by ball arithmetic (H_O exact), a proven upper bound]")
        return lines.joined(separator: "\n")
    }
}
