// `verify --loss cross-entropy|log-cosh`: the paper's formulas for these losses (cross-entropy: K replaced by K - 1;
// log-cosh: unchanged) against certified rank intervals (`LossIntervals`) on verify's grid, drawn small
// (`Generator.drawForLoss`). The formulas are the paper's statements for these losses, not proved here, so they are
// compared with the intervals, never used as bounds.
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
        let passed: Bool
    }

    struct LossReport: Encodable {
        let formatVersion = 1
        let loss: String
        let seed: String
        let records: [LossRecord]
        let summary: LossSummary
    }

    static func lossVerdict(lower: Int, upper: Int, formula: Int) -> String {
        if formula < lower { return "ABOVE" }
        if formula > upper { return "below" }
        return lower == upper ? "equal" : "within"
    }

    func runLoss(_ loss: Loss) throws {
        let cases = VerifyGrid.cases(seed: UInt64(seed)!).filter {
            (loss != .crossEntropy || $0.architecture.outputWidth >= 2)
                && $0.architecture.parameterCount <= maxParameters
        }
        let skipped = VerifyGrid.cases(seed: UInt64(seed)!).count - cases.count
        var progress = Progress("verify --loss \(loss.rawValue)", total: cases.count)
        var records: [LossRecord] = []
        for (n, gridCase) in cases.enumerated() {
            progress.update(n, gridCase.architecture.description)
            let problem = try Generator.drawForLoss(gridCase.architecture, samples: gridCase.samples,
                                                    dataRank: gridCase.dataRank, loss: loss, seed: gridCase.seed)
            let intervals = try LossIntervals.analyze(problem, loss: loss)
            let r = try CertifiedRank.rank(of: problem.x).rank
            let widths = gridCase.architecture.widths
            let f = LossIntervals.paperFormulas(widths: widths, dataRank: r, loss: loss)
            let formulas: [HessianPart: Int] = [.loss: f.loss.value, .outer: f.outer.value, .functional: f.functional.value]
            let parts = Dictionary(uniqueKeysWithValues: intervals.map { i in
                (i.part.rawValue, LossPart(lower: i.lower, upper: i.upper.value, statement: i.upper.statement,
                                           formula: formulas[i.part]!,
                                           verdict: Self.lossVerdict(lower: i.lower, upper: i.upper.value, formula: formulas[i.part]!)))
            })
            records.append(LossRecord(architecture: widths, samples: gridCase.samples, parameters: problem.parameterCount,
                                      seed: String(gridCase.seed), dataRank: r, parts: parts))
        }
        progress.update(cases.count)
        progress.finish()
        let verdicts = records.flatMap { $0.parts.values.map(\.verdict) }
        let summary = LossSummary(networks: records.count, skipped: skipped, maxParameters: maxParameters,
                                  equal: verdicts.filter { $0 == "equal" }.count,
                                  within: verdicts.filter { $0 == "within" }.count,
                                  below: verdicts.filter { $0 == "below" }.count,
                                  above: verdicts.filter { $0 == "ABOVE" }.count,
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
            + "(a non-generic point, or the formula fails there), \(summary.above) above it (each refutes it for certain); "
            + "each interval is [a minor proven nonsingular by ball arithmetic (H_O exact), a proven upper bound]")
        return lines.joined(separator: "\n")
    }
}
