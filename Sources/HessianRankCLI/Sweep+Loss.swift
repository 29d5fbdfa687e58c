// `sweep --loss cross-entropy|log-cosh` (or a smooth --activation): a study's points with certified rank intervals
// (`LossIntervals`) instead of exact ranks: H_O exact for linear networks, each part between a double-ball lower bound
// and a proven upper bound, beside the paper's formula (K - 1 classes for cross-entropy). Each point is the dyadic
// network of its integer draw under variance-preserving exponents (`FloatScaling.normalized`), so that logits stay of
// order one. Points above `Rank.ballParameterLimit` parameters are left out (the width study stops at w = 36, as the
// paper's cross-entropy study does).
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore

extension Sweep {
    var lossValue: Loss { (try? Loss(parsing: loss)) ?? .mse }
    var certifiedIntervals: Bool { LossIntervals.applies(loss: lossValue, activation: activation) }

    func validateLoss() throws {
        do { _ = try Loss(parsing: loss) } catch { throw ValidationError("--loss: \(error.message)") }
        guard certifiedIntervals else {
            if dataRank != nil { throw ValidationError("--data-rank: only with --loss cross-entropy or log-cosh (or --activation tanh, sigmoid, elu)") }
            if maxParameters != nil { throw ValidationError("--max-parameters: only with --loss cross-entropy or log-cosh (or --activation tanh, sigmoid, elu)") }
            return try activation.requireExact()
        }
        let option = lossValue == .mse ? "--activation \(activation)" : "--loss \(lossValue)"
        guard !activation.hasKinks else {
            throw ValidationError("\(option): linear, tanh, sigmoid or elu hidden layers (small-valued draws put ReLU units on kinks); got --activation \(activation)")
        }
        guard field == "integers", shard == nil, output.plot == nil, !bias, !dataFiles.given, data == nil else {
            throw ValidationError("\(option): a study of certified intervals runs whole, drawn, bias-free, printed as a table or --json; leave out --field, --shard, --plot, --bias, --x, --y and --data")
        }
        if let maxParameters, maxParameters < 1 || maxParameters > Rank.ballParameterLimit {
            throw ValidationError("--max-parameters: expected 1...\(Rank.ballParameterLimit); got \(maxParameters)")
        }
        let points = lossPoints
        guard !points.isEmpty else {
            throw ValidationError("\(option): every point of the \(study) study" + (only == nil ? "" : " that --only lists") + " has more than \(parameterLimit) parameters")
        }
        if let dataRank, let smallest = points.map({ min($0.samples, $0.architecture.inputWidth) }).min(), dataRank < 0 || dataRank > smallest {
            throw ValidationError("--data-rank: expected 0...\(smallest) (min(N, d) over the study's points); got \(dataRank)")
        }
        if lossValue == .crossEntropy, let point = points.first, point.architecture.outputWidth < 2 {
            throw ValidationError("\(option): needs at least 2 outputs (classes)")
        }
    }

    /// At most this many parameters per point: dense double-ball Hessians, or the user's --max-parameters.
    var parameterLimit: Int { maxParameters ?? Rank.ballParameterLimit }

    /// The points that run (the study's, or those --only lists) within the limit.
    var lossPoints: [SweepStudy.Point] {
        selectedPoints.filter { $0.architecture.parameterCount <= parameterLimit }
    }

    struct LossPointRecord: Encodable {
        let index: Int
        let variable: Int
        let architecture: [Int]
        let samples: Int
        let parameters: Int
        let seed: String
        let dataRank: Int
        /// The dyadic point: W_t over 2^weights[t], the data over 2^data.
        let scaling: FloatScaling
        let parts: [String: IntervalReport]
    }

    struct LossStudyReport: Encodable {
        let formatVersion = 1
        let study: String
        let loss: String
        let activation: String
        let points: [LossPointRecord]
    }

    func runLoss() throws {
        let loss = lossValue
        let points = lossPoints
        let skipped = selectedPoints.count - points.count
        var progress = Progress("sweep \(study) --loss \(loss)", total: points.count)
        var records: [LossPointRecord] = []
        var intervalsByPoint: [[RankInterval]] = []
        for (n, point) in points.enumerated() {
            progress.update(n, "\(point.architecture) N=\(point.samples)")
            let (seed, (problem, intervals, scaling)) = try KinkRedraw.first(
                seed: UInt64(self.seed)! &+ UInt64(point.index), what: "point \(point.index) (\(point.architecture))") { seed in
                let problem = try Generator.drawForLoss(point.architecture, samples: point.samples, dataRank: dataRank,
                                                        loss: loss, seed: seed)
                let scaling = FloatScaling.normalized(problem)
                return (problem, try LossIntervals.analyze(problem, loss: loss, activation: activation, scaling: scaling), scaling)
            }
            let r = try CertifiedRank.rank(of: problem.x).rank
            let formulas = !bias
                ? LossIntervals.paperFormulas(widths: point.architecture.widths, dataRank: r, loss: loss) : nil
            let parts = IntervalReport.parts(intervals, formulas: formulas)
            records.append(LossPointRecord(index: point.index, variable: point.variable, architecture: point.architecture.widths,
                                           samples: point.samples, parameters: problem.parameterCount, seed: "\(seed)",
                                           dataRank: r, scaling: scaling, parts: parts))
            intervalsByPoint.append(intervals)
        }
        progress.update(points.count)
        progress.finish()
        let report = LossStudyReport(study: study, loss: loss.rawValue, activation: activation.rawValue, points: records)
        if output.json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
            return
        }
        print(lossTable(report, skipped: skipped))
    }

    func lossTable(_ report: LossStudyReport, skipped: Int) -> String {
        let pad = Rank.pad
        let kMinusOne = report.loss == "cross-entropy" ? " (K - 1 classes)" : ""
        var lines = [
            "\(study) study under \(report.loss), \(report.activation) hidden layers: " + (Sweep.helpLine(studyValue)) + (dataRank.map { ", data rank \($0)" } ?? ""),
            "each point: its integer draw (weights nonzero in -2...2) as the dyadic network W_t / 2^a_t, x / 2^b (variance-preserving exponents, in --json)",
            "",
            pad(studyValue.variableName, 6) + pad("p", 7) + pad("H_L", 14) + pad("H_O", 14) + pad("H_F", 14) + "formula\(kMinusOne) H_L, H_O, H_F",
        ]
        for record in report.points {
            func cell(_ part: String) -> String {
                let p = record.parts[part]!
                return p.exact ? "\(p.lower)" : "\(p.lower) ... \(p.upper)"
            }
            let formula = ["loss", "outer", "functional"].compactMap { record.parts[$0]?.formula }.map(String.init).joined(separator: ", ")
            lines.append(pad("\(record.variable)", 6) + pad("\(record.parameters)", 7) + pad(cell("loss"), 14) + pad(cell("outer"), 14)
                         + pad(cell("functional"), 14) + (formula.isEmpty ? "-" : formula))
        }
        let exact = report.points.reduce(0) { $0 + $1.parts.values.filter(\.exact).count }
        lines.append("")
        lines.append("certainty \(exact) of \(3 * report.points.count) ranks exact; each lower bound a minor proven nonsingular with double balls (H_O of a linear network: exact), each upper bound a proven statement (--json names it; proofs/upper-bounds.md); an interval is the most that is proven, no tolerance is used")
        if skipped > 0 { lines.append("left out \(skipped) point(s) above \(parameterLimit) parameters") }
        return lines.joined(separator: "\n")
    }

    static func helpLine(_ study: SweepStudy) -> String {
        switch study {
        case .width: "d = 64, hidden [w, w], K = 10, N = 100"
        case .depth: "d = 16, hidden layers of width 25, K = 10, N = 50"
        case .samples: "d = 64, hidden [10, 10], K = 10"
        }
    }
}
