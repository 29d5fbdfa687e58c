// `rank --loss cross-entropy|log-cosh`: certified rank intervals of H_L, H_O and H_F under a loss whose Hessian
// entries are transcendental (`LossIntervals`): H_O exact, H_F and H_L between a ball-arithmetic lower bound and a
// proven upper bound, never a tolerance.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

extension Rank {
    /// Dense double-ball Hessians: three p x p parts of two doubles each, and the verification's products.
    static let ballParameterLimit = 4000

    var lossValue: Loss { try! Loss(parsing: loss) }

    /// Whether this run gives certified intervals (a loss or an activation with transcendental Hessian entries).
    var certifiedIntervals: Bool { LossIntervals.applies(loss: (try? Loss(parsing: loss)) ?? .mse, activation: rankOptions.activation) }

    /// The refusals of the certified-interval path (exit 2).
    func validateLoss() throws {
        let parsed: Loss
        do { parsed = try Loss(parsing: loss) } catch { throw ValidationError("--loss: \(error.message)") }
        guard point == "integer" || point == "normalized" else {
            throw ValidationError("--point: expected integer or normalized; got '\(point)'")
        }
        guard certifiedIntervals else {
            if point != "integer" { throw ValidationError("--point: only with --loss cross-entropy or log-cosh, or --activation tanh, sigmoid or elu") }
            return
        }
        let option = parsed == .mse ? "--activation \(rankOptions.activation)" : "--loss \(parsed.rawValue)"
        guard weights == nil && !data.given else {
            throw ValidationError("\(option): only drawn networks so far; leave out --weights, --x and --y")
        }
        guard !rankOptions.certify, !rankOptions.generic, rankOptions.givenPrimes.isEmpty else {
            throw ValidationError("\(option): its ranks are certified intervals already; leave out --certify, --field and --prime")
        }
        // The library handles ReLU away from kinks, but the small-valued draws put some unit on a kink almost always.
        guard !rankOptions.activation.hasKinks else {
            throw ValidationError("\(option): linear, tanh, sigmoid or elu hidden layers (small-valued draws put ReLU units on kinks); got --activation \(rankOptions.activation)")
        }
        try network.requireDraw()
        let p = network.architecture.parameterCount
        guard p <= Self.ballParameterLimit else {
            throw ValidationError("\(option): p = \(p) parameters is above the limit of \(Self.ballParameterLimit) for ball Hessians (dense p x p double balls)")
        }
        if parsed == .crossEntropy && network.architecture.outputWidth < 2 {
            throw ValidationError("\(option): needs at least 2 outputs (classes); got K = \(network.architecture.outputWidth)")
        }
    }

    struct LossReport: Encodable {
        typealias Part = IntervalReport
        let formatVersion = 1
        let loss: String
        let activation: String
        let architecture: [Int]
        let bias: Bool
        let samples: Int
        let parameters: Int
        let seed: String
        let dataRank: Int
        /// With --point normalized: the dyadic point's exponents (absent at the integer point).
        let scaling: FloatScaling?
        let parts: [String: Part]
    }

    func runLoss() throws {
        let loss = lossValue
        let architecture = network.architecture
        // A draw where the activation has no second derivative (elu at 0) is drawn again, as for relu kinks.
        let (drawSeed, (problem, intervals, scaling)): (UInt64, (Problem, [RankInterval], FloatScaling?))
        do {
            (drawSeed, (problem, intervals, scaling)) = try KinkRedraw.first(
                seed: network.seedValue, what: KinkRedraw.describe(architecture, samples: network.sampleCount)) { seed in
                let problem = try Generator.drawForLoss(architecture, samples: network.sampleCount,
                                                        dataRank: network.dataRankValue, loss: loss, seed: seed)
                let scaling = point == "normalized" ? FloatScaling.normalized(problem) : nil
                return (problem, try LossIntervals.analyze(problem, loss: loss, activation: rankOptions.activation, scaling: scaling), scaling)
            }
        } catch let error as InputError {
            throw ValidationError("--loss \(loss.rawValue): \(error.message)")
        }
        let dataRank = try CertifiedRank.rank(of: problem.x).rank
        // The paper's formulas for these losses (cross-entropy: K -> K - 1), for linear bias-free networks.
        let formulas: LinearNetworkFormulas? = !rankOptions.activation.hasKinks && !architecture.bias
            ? LossIntervals.paperFormulas(widths: architecture.widths, dataRank: dataRank, loss: loss)
            : nil
        let parts = IntervalReport.parts(intervals, formulas: formulas)
        let report = LossReport(loss: loss.rawValue, activation: rankOptions.activation.rawValue,
                                architecture: architecture.widths, bias: architecture.bias, samples: problem.sampleCount,
                                parameters: problem.parameterCount,
                                seed: drawSeed == network.seedValue ? network.seed : "\(drawSeed)", dataRank: dataRank, scaling: scaling, parts: parts)
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
            return
        }
        var table = Self.lossTable(report, intervals: intervals, targets: loss == .crossEntropy ? "one-hot targets" : "targets in -1...1")
        if drawSeed != network.seedValue {
            table = table.replacingOccurrences(of: "seed \(drawSeed), ", with: "seed \(drawSeed) (seed \(network.seed) + k 2^32: the draws before it sat where \(rankOptions.activation) has no second derivative), ")
        }
        print(table)
    }

    static func lossTable(_ report: LossReport, intervals: [RankInterval], targets: String) -> String {
        let bias = report.bias ? " with bias" : ""
        var lines = [
            "network   \(report.architecture.map(String.init).joined(separator: ","))\(bias) (L = \(report.architecture.count - 1), p = \(report.parameters)), N = \(report.samples), seed \(report.seed), \(report.activation)",
            "loss      \(report.loss); drawn weights and biases nonzero in -2...2, data in -2...2, \(targets)"
                + (report.scaling.map { "; ranked at the dyadic point W_t / 2^a_t, x / 2^b with a = \($0.weights.map(String.init).joined(separator: ",")), b = \($0.data)" } ?? ""),
            "data      r = \(report.dataRank)",
            "",
            pad("part", 6) + pad("rank", 12) + pad("upper bound (proven)", 40) + pad("lower bound (proven)", 44) + "formula",
        ]
        for interval in intervals {
            let part = report.parts[interval.part.rawValue]!
            let rank = part.exact ? "\(part.lower)" : "\(part.lower) ... \(part.upper)"
            let upper = "\(part.upper) by `\(part.statement)`" + (interval.upper.basis == .cited ? " (cited)" : "")
            let lower = part.precision.map { part.lower == 0 ? "none proven (\($0)-bit balls)" : "a nonzero \(part.lower) x \(part.lower) minor, \($0)-bit balls" }
                ?? "exact (its integer problem)"
            lines.append(pad(interval.part.symbol, 6) + pad(rank, 12) + pad(upper, 40) + pad(lower, 44)
                         + (part.formula.map(String.init) ?? "-"))
        }
        lines.append("")
        let exact = intervals.filter(\.isExact).count
        let exactOuter = report.parts["outer"]?.precision == nil ? " (H_O: exact)" : ""
        let section = Activation(rawValue: report.activation)?.isPiecewiseLinear == false ? "Smooth activations" : "Other losses"
        lines.append("certainty each lower bound is a minor proven nonsingular by ball arithmetic\(exactOuter), each upper bound a proven statement (proofs/upper-bounds.md, \"\(section)\"); \(exact) of 3 ranks exact\(exact < 3 ? ", the others lie in their interval" : ""); no tolerance is used")
        if report.parts.values.contains(where: { $0.formula != nil }) {
            let linear = report.activation == "linear" ? "" : " for linear networks"
            let what = report.loss == "mse" ? "" : ", not proved for this loss"
            lines.append("formula   the paper's closed forms\(linear)" + (report.loss == "cross-entropy" ? " with K - 1 classes" : "") + "\(what): a comparison, not a bound")
        }
        return lines.joined(separator: "\n")
    }
}
