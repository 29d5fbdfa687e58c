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
        let option = intervalOption
        guard weights != nil || !data.given else {
            throw ValidationError("\(option): --x and --y only with --weights (your network at your data); drawn weights on files' data are not supported yet")
        }
        guard !rankOptions.certify, !rankOptions.generic, rankOptions.givenPrimes.isEmpty else {
            throw ValidationError("\(option): its ranks are certified intervals already; leave out --certify, --field and --prime")
        }
        // The library handles ReLU away from kinks, but the small-valued draws put some unit on a kink almost always.
        guard !rankOptions.activation.hasKinks else {
            let why = weights == nil ? "small-valued draws put ReLU units on kinks" : "relu and leaky-relu under these losses: not yet"
            throw ValidationError("\(option): linear, tanh, sigmoid or elu hidden layers (\(why)); got --activation \(rankOptions.activation)")
        }
        if weights != nil {
            guard point == "integer" else {
                throw ValidationError("--point \(point): not with --weights: the files' values are the point (a rescaled network is another function: tanh, sigmoid, elu and softmax are not homogeneous)")
            }
            guard network.arch == nil, network.samples == nil, network.dataRank == nil, !network.bias else {
                throw ValidationError("--weights: the files give the network and data; leave out --arch, --samples, --data-rank and --bias (biases come from b1.npy ... bL.npy, or the keys b1 ... bL)")
            }
            // The files are read in runLossFromFiles, which checks p and K from their headers first (still exit 2).
            return
        }
        try network.requireDraw()
        try checkIntervalShape(network.architecture, loss: parsed)
    }

    /// The option that asked for intervals, as refusals name it.
    var intervalOption: String {
        (try? Loss(parsing: loss)) == .mse || (try? Loss(parsing: loss)) == nil ? "--activation \(rankOptions.activation)" : "--loss \(loss)"
    }

    /// The limits of the interval path on a network's shape (exit 2).
    func checkIntervalShape(_ architecture: Architecture, loss: Loss) throws {
        let p = architecture.parameterCount
        guard p <= Self.ballParameterLimit else {
            throw ValidationError("\(intervalOption): p = \(p) parameters is above the limit of \(Self.ballParameterLimit) for ball Hessians (dense p x p double balls)")
        }
        if loss == .crossEntropy && architecture.outputWidth < 2 {
            throw ValidationError("\(intervalOption): needs at least 2 outputs (classes); got K = \(architecture.outputWidth)")
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
        /// The seed of a drawn network (absent at the files' values).
        let seed: String?
        let dataRank: Int
        /// With --point normalized: the dyadic point's exponents (absent at the integer point).
        let scaling: FloatScaling?
        /// At the files' values (--weights): the powers of two that make each matrix an integer one, as in `rank
        /// --weights --json` (absent for a drawn network).
        var inputExponents: InputExponents? = nil
        let parts: [String: Part]
    }

    func runLoss() throws {
        if weights != nil { return try runLossFromFiles() }
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
        var table = Self.lossTable(report, intervals: intervals,
                                   values: "drawn weights and biases nonzero in -2...2, data in -2...2, " + (loss == .crossEntropy ? "one-hot targets" : "targets in -1...1"))
        if drawSeed != network.seedValue {
            table = table.replacingOccurrences(of: "seed \(drawSeed), ", with: "seed \(drawSeed) (seed \(network.seed) + k 2^32: the draws before it sat where \(rankOptions.activation) has no second derivative), ")
        }
        print(table)
    }

    /// `values` says what the values are (drawn, or the files'); `origin`, where the network came from when not drawn.
    static func lossTable(_ report: LossReport, intervals: [RankInterval], values: String, origin: String? = nil) -> String {
        let bias = report.bias ? " with bias" : ""
        var lines = [
            "network   \(report.architecture.map(String.init).joined(separator: ","))\(bias) (L = \(report.architecture.count - 1), p = \(report.parameters)), N = \(report.samples), \(origin.map { "from \($0)" } ?? "seed \(report.seed ?? "")"), \(report.activation)",
            "loss      \(report.loss); \(values)"
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

extension Rank {
    /// `rank --weights ... --loss ...` or a smooth `--activation`: the certified intervals at exactly the files' values
    /// (`LossIntervals.analyze(_:at:)`, double balls from the doubles read). The shapes are checked from the headers
    /// before any value is read (p, K); cross-entropy targets must be probability vectors.
    func runLossFromFiles() throws {
        guard let weights else { preconditionFailure("runLossFromFiles: --weights is required") }
        let loss = lossValue, activation = rankOptions.activation
        let headers = try WeightFiles.headers(weights: weights, x: data.xFile, y: data.yFile)
        let architecture = try WeightFiles.architecture(headers)
        try checkIntervalShape(architecture, loss: loss)
        let (loaded, problem, exponents) = try WeightFiles.exactProblem(headers)
        if loss == .crossEntropy { try Self.checkProbabilityTargets(problem.y, exponent: exponents.y, file: headers.y) }
        let network = FloatNetwork(widths: architecture.widths, activation: activation,
                                   weights: loaded.weights.map { $0.flatMap { $0 } }, biases: loaded.biases,
                                   x: loaded.x, y: loaded.y)
        let intervals: [RankInterval]
        do {
            intervals = try LossIntervals.analyze(problem, at: network, loss: loss, activation: activation)
        } catch let kink as LossIntervals.Kink {
            throw ValidationError("--weights \(weights): \(kink.description) (elu: no Hessian there, or none the balls can enclose)")
        } catch let error as InputError {
            throw ValidationError("\(intervalOption): \(error.message)")
        }
        let dataRank = try CertifiedRank.rank(of: problem.x).rank
        let formulas: LinearNetworkFormulas? = !architecture.bias
            ? LossIntervals.paperFormulas(widths: architecture.widths, dataRank: dataRank, loss: loss)
            : nil
        let report = LossReport(loss: loss.rawValue, activation: activation.rawValue, architecture: architecture.widths,
                                bias: architecture.bias, samples: problem.sampleCount, parameters: problem.parameterCount,
                                seed: nil, dataRank: dataRank, scaling: nil, inputExponents: exponents,
                                parts: IntervalReport.parts(intervals, formulas: formulas))
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
            return
        }
        let powers = "a = \(exponents.weights.map(String.init).joined(separator: ",")), b = \(exponents.x)"
        print(Self.lossTable(report, intervals: intervals,
                             values: "at exactly these values (W_t = W~_t / 2^a_t, x = X~ / 2^b with integer W~_t, X~: \(powers)), targets as given; double balls",
                             origin: origin(weights: weights)))
    }

    /// Cross-entropy's targets, y = Y / 2^exponent: each row a probability vector (one-hot or soft), entries >= 0
    /// summing to exactly 1 (checked exactly, on the integers). The Hessian ranked is that of -sum_n y_n^T log
    /// softmax(f(x_n)), whose gradient in the logits is softmax(f) - y, as the constructions and the upper bounds
    /// (g_n in the K - 1 directions summing to 0) take it, only when y_n sums to 1.
    static func checkProbabilityTargets(_ y: IntegerMatrix, exponent: Int, file: WeightFiles.Matrix) throws {
        let sums = y * IntegerMatrix(Array(repeating: [1], count: y.columnCount))
        let one = IntegerMatrix([[1]]).multiplied(byPowerOfTwo: exponent)
        for n in 0..<y.rowCount {
            let negative = (0..<y.columnCount).first { y.sign(n, $0) < 0 }
            guard negative == nil && sums.rows(n..<(n + 1)) == one else {
                let what = negative.map { "has a negative entry in column \($0)" } ?? "does not sum to exactly 1"
                throw file.refused("row \(n) \(what): --loss cross-entropy needs probability vectors as targets (entries >= 0 summing to exactly 1, one-hot or soft), since the Hessian ranked is that of -y^T log softmax(f), whose gradient in the logits is softmax(f) - y only then")
            }
        }
    }
}
