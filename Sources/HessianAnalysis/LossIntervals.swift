// Certified rank intervals of H_O, H_F and H_L wherever the Hessian's entries are transcendental: the losses with
// transcendental derivatives (cross-entropy, log-cosh) and the smooth activations (tanh, sigmoid, elu) under any loss.
// Never a tolerance: always [a proven lower bound, a proven upper bound], exact where they meet.
//
// Upper bounds, from proven statements (proofs/upper-bounds.md, "Other losses" and "Smooth activations"):
// - piecewise-linear networks (linear, relu): H_O exactly, as the MSE H_O rank of an integer problem
//   (`Problem.outerRankProblem(for:)`, proofs/statements/cross-entropy.md and log-cosh.md, `CertifiedRank`). For a
//   linear bias-free network H_F = F(Omega_g) with Omega_g = sum_n g_n x_n^T, so every bound on the MSE H_F applies,
//   read for cross-entropy on the network with K - 1 outputs: 0 at L = 1, 2 M_1 min(r, K - 1 or K) at L = 2, the
//   paper's bound at L >= 3 (cited); with biases the augmented network's bounds; H_L <= rank H_O + the bound of H_F,
//   and at L >= 2 the paper's H_L bound (cited; a bound on dim(col H_O + col H_F), which these losses share with
//   MSE), read on the K - 1 network under cross-entropy;
// - smooth activations: only structure: rank H_O <= N K (`jacobian-rows`), N (K - 1) under cross-entropy
//   (`softmax-rows`); p for every part.
// Lower bounds, from minors proven nonsingular:
// - first with double balls (`Midrad`: FloatHessian's algorithm on balls, `MidradRank`, BLAS-speed, any size);
// - then, for a part still open and a small network, with Arb balls at rising precision (64 ... 1024 bits:
//   `BallHessian` for linear and relu networks, `SmoothBallHessian` for tanh and sigmoid under mse), which reach
//   pivots like e^-300 that 53 bits cannot separate from rounding.
import BallArithmetic
import Foundation
import ExactAlgebra
import HessianConstructions
import NetworkModel
import RankFormulas

public struct RankInterval: Sendable, Equatable {
    public let part: HessianPart
    /// Proven: the rank is at least this.
    public let lower: Int
    /// Proven: the rank is at most `upper.value`, by `upper.statement`.
    public let upper: UpperBound
    /// The working precision (bits) of the balls that proved `lower` (53: double balls); nil when the lower bound is
    /// exact (H_O of a piecewise-linear network).
    public let precision: Int?
    public var isExact: Bool { lower == upper.value }
}

/// A dyadic point built from an integer problem: each W_t over 2^weights[t], the data over 2^data, the targets over
/// 2^targets, and each b_t over the scale of its layer's pre-activation (`FloatNetwork`'s convention). Exact doubles:
/// the point is that dyadic network, whose logits or pre-activations can be kept moderate (`normalized`).
public struct FloatScaling: Sendable, Equatable, Codable {
    public let weights: [Int]
    public let data: Int
    public let targets: Int

    public init(weights: [Int], data: Int, targets: Int) {
        (self.weights, self.data, self.targets) = (weights, data, targets)
    }

    /// Variance-preserving exponents: W_t over 2^round(log2(rms(W_t) sqrt(fan-in))), the data over
    /// 2^round(log2(rms(x))), the targets unscaled; pre-activations and outputs then stay of order one, so that
    /// softmax probabilities and tanh derivatives stay far from underflow.
    public static func normalized(_ problem: Problem) -> FloatScaling {
        func rms(_ m: IntegerMatrix) -> Double {
            var sum = 0.0
            for i in 0..<m.rowCount { for j in 0..<m.columnCount { sum += pow(Double(m.decimal(i, j))!, 2) } }
            return (sum / Double(max(1, m.rowCount * m.columnCount))).squareRoot()
        }
        func exponent(_ x: Double) -> Int { x > 0 ? Int(log2(x).rounded()) : 0 }
        let weights = problem.weights.map { w in exponent(rms(w) * Double(w.columnCount).squareRoot()) }
        return FloatScaling(weights: weights, data: exponent(rms(problem.x)), targets: 0)
    }

    func network(_ problem: Problem, activation: Activation) -> FloatNetwork {
        FloatNetwork(problem, activation: activation, weightExponents: weights, dataExponent: data, targetExponent: targets)
    }
}

public enum LossIntervals {
    /// Arb's dense p x p ball matrices at up to 1024 bits: for small networks only.
    public static let arbParameterLimit = 300
    /// The hyper-dual route for tanh and sigmoid costs O(N p^3) ball operations.
    public static let hyperDualParameterLimit = 60

    /// The paper's closed forms for a linear bias-free network under `loss`: the MSE formulas, with K - 1 classes for
    /// cross-entropy. Its statements for these losses, not proved here: a comparison, never a bound.
    public static func paperFormulas(widths: [Int], dataRank: Int, loss: Loss) -> LinearNetworkFormulas {
        let classes = widths[widths.count - 1] - (loss == .crossEntropy ? 1 : 0)
        return LinearNetworkFormulas(widths: Array(widths.dropLast()) + [classes], dataRank: dataRank)
    }

    /// Whether the Hessians of `activation` under `loss` need intervals (their entries are transcendental).
    public static func applies(loss: Loss, activation: Activation) -> Bool {
        loss != .mse || !activation.isPiecewiseLinear
    }

    /// The three intervals (loss, outer, functional) of `problem` under `loss` with hidden `activation` (linear, relu,
    /// tanh, sigmoid or elu; not leaky-relu): at the integer point, or at the dyadic point `scaling` makes of it (then
    /// only double balls: the Arb routes read the integers). Positive scalings of a piecewise-linear network's layers
    /// scale its Jacobian's columns and outputs, so H_O's exact rank is the integer problem's at either point.
    public static func analyze(_ problem: Problem, loss: Loss, activation: Activation = .linear, scaling: FloatScaling? = nil,
                               precisions: [Int] = BallRank.defaultPrecisions) throws -> [RankInterval] {
        guard applies(loss: loss, activation: activation) else {
            throw InputError("LossIntervals: a piecewise-linear network under mse has exact Hessians; use Analyzer")
        }
        if case .leakyReLU = activation { throw InputError("LossIntervals: leaky-relu is not supported here yet") }
        let network = scaling?.network(problem, activation: activation) ?? FloatNetwork(problem, activation: activation)
        if let kink = kink(network) { throw kink }
        let bounds = try upperBounds(problem, loss: loss, activation: activation)
        // Double balls first.
        var lower = doubleBallLowerBounds(network, loss: loss, bounds: bounds)
        // Arb at rising precision for what is still open, when the network is small enough.
        let open = HessianPart.allCases.filter { lower[$0]!.rank < bounds.upper[$0]!.value }
        if !open.isEmpty, scaling == nil, let build = try arbRoute(problem, loss: loss, activation: activation) {
            var built: [Int: BallHessian.Parts] = [:]
            for part in open {
                let bound = BallRank.lowerBound(precisions: precisions, goal: bounds.upper[part]!.value) { bits in
                    if let parts = built[bits] { return parts.matrix(part) }
                    let parts = try! build(bits)
                    built[bits] = parts
                    return parts.matrix(part)
                }
                if bound.rank > lower[part]!.rank { lower[part] = (bound.rank, bound.precision) }
            }
        }
        return HessianPart.allCases.map { part in
            RankInterval(part: part, lower: lower[part]!.rank, upper: bounds.upper[part]!, precision: lower[part]!.precision)
        }
    }

    /// The three intervals at a point given by its own doubles (`network`: the values of the user's files, exactly):
    /// double balls only, from exactly those values (every double is a dyadic rational, and `Midrad` starts from it
    /// with radius 0, so the balls enclose the true Hessian at exactly that point). `problem` is the integer problem
    /// of the same values (`Problem.exactWithExponents`: each matrix an integer one over its own power of two, the
    /// network `FloatScaling(weights: a, data: b, targets: c)` makes of it), used only for what does not depend on
    /// the scale of the layers: the data rank, and for piecewise-linear networks H_O's exact rank and the bounds on
    /// H_F and H_L (positive scalings of a linear network's layers scale its Jacobian's columns and outputs, as for
    /// `--point normalized`). The doubles are taken as given rather than rebuilt from the integers, which could
    /// overflow a double for values spread over more than 2^1000.
    public static func analyze(_ problem: Problem, at network: FloatNetwork, loss: Loss,
                               activation: Activation) throws -> [RankInterval] {
        guard applies(loss: loss, activation: activation) else {
            throw InputError("LossIntervals: a piecewise-linear network under mse has exact Hessians; use Analyzer")
        }
        if case .leakyReLU = activation { throw InputError("LossIntervals: leaky-relu is not supported here yet") }
        precondition(network.widths == problem.architecture.widths && network.hasBias == problem.architecture.bias
                     && network.x.count == problem.sampleCount && network.activation == activation,
                     "LossIntervals.analyze(at:): the network and the problem differ")
        if let kink = kink(network) { throw kink }
        let bounds = try upperBounds(problem, loss: loss, activation: activation)
        let lower = doubleBallLowerBounds(network, loss: loss, bounds: bounds)
        return HessianPart.allCases.map { part in
            RankInterval(part: part, lower: lower[part]!.rank, upper: bounds.upper[part]!, precision: lower[part]!.precision)
        }
    }

    /// Each part's lower bound from a minor of the double-ball Hessians proven nonsingular (H_O's exact rank where
    /// `bounds` knows it).
    static func doubleBallLowerBounds(_ network: FloatNetwork, loss: Loss,
                                      bounds: Bounds) -> [HessianPart: (rank: Int, precision: Int?)] {
        let balls = FloatHessian.compute(network, loss: loss, as: Midrad.self)
        let p = network.parameterCount
        var lower: [HessianPart: (rank: Int, precision: Int?)] = [:]
        if let exact = bounds.exactOuter { lower[.outer] = (exact, nil) }
        for part in HessianPart.allCases where lower[part] == nil {
            let matrix = MidradMatrix(rows: p, columns: p, balls: balls.entries(part))
            lower[part] = (MidradRank.lowerBound(matrix, goal: bounds.upper[part]!.value, symmetric: true).rank, 53)
        }
        return lower
    }

    /// The Arb route for `problem`, if there is one at its size; its first build is done here, so that what it
    /// refuses is thrown rather than met inside `BallRank`'s closure.
    static func arbRoute(_ problem: Problem, loss: Loss,
                         activation: Activation) throws -> ((Int) throws -> BallHessian.Parts)? {
        let p = problem.parameterCount
        let build: (Int) throws -> BallHessian.Parts
        switch activation {
        case .linear, .relu:
            guard p <= arbParameterLimit else { return nil }
            build = { bits in try BallHessian.build(problem, loss: loss, activation: activation, precision: bits) }
        case .tanh, .sigmoid:
            guard loss == .mse && p <= hyperDualParameterLimit else { return nil }
            build = { bits in try SmoothBallHessian.build(problem, activation: activation, precision: bits) }
        default:
            return nil
        }
        _ = try build(BallRank.defaultPrecisions[0])
        return build
    }

    /// A point where the activation has no second derivative (relu, leaky-relu: a kink; elu: sigma'' jumps at 0):
    /// a hidden pre-activation that is 0, or that the double balls cannot prove nonzero. No Hessian exists there, or
    /// none that balls can enclose; a drawn network is drawn again.
    public struct Kink: Error, Sendable, Equatable, CustomStringConvertible {
        public let sample: Int, layer: Int, unit: Int
        public init(sample: Int, layer: Int, unit: Int) {
            (self.sample, self.layer, self.unit) = (sample, layer, unit)
        }
        public var description: String {
            "sample \(sample): the pre-activation of unit \(unit) in layer \(layer) is not proven nonzero, and the activation has no second derivative at 0"
        }
    }

    /// The first such point of `problem` under `activation`, if any (none for tanh, sigmoid and linear networks).
    public static func kink(_ problem: Problem, activation: Activation, scaling: FloatScaling? = nil) -> Kink? {
        guard activation.hasKinks || activation == .elu else { return nil }
        return kink(scaling?.network(problem, activation: activation) ?? FloatNetwork(problem, activation: activation))
    }

    /// The first such point of `net`, if any.
    public static func kink(_ net: FloatNetwork) -> Kink? {
        let activation = net.activation
        guard activation.hasKinks || activation == .elu else { return nil }
        let layers = net.layers(as: Midrad.self)
        for (n, x) in net.x.enumerated() {
            var a = x.map(Midrad.init(exactly:))
            for t in 0..<(net.depth - 1) {
                let z = layers.apply(t, a, bias: true)
                // A layer fed only zeros (no bias) is constant near this point: masked, not a kink (FloatHessian).
                if activation.hasKinks && !net.hasBias && a.allSatisfy(\.isExactlyZero) {
                    a = z.map { _ in .zero }
                    continue
                }
                if let unit = z.firstIndex(where: { !$0.excludesZero }) { return Kink(sample: n, layer: t + 1, unit: unit) }
                a = z.map { Midrad.activation($0, activation).value }
            }
        }
        return nil
    }

    struct Bounds {
        let upper: [HessianPart: UpperBound]
        /// H_O's rank when it is known exactly (piecewise-linear networks).
        let exactOuter: Int?
    }

    static func upperBounds(_ problem: Problem, loss: Loss, activation: Activation) throws -> Bounds {
        let p = problem.parameterCount
        let parameters = StructuralBounds.parameters(p)
        let architecture = problem.architecture
        let k = architecture.outputWidth, samples = problem.sampleCount
        guard activation.isPiecewiseLinear else {
            let rows = loss == .crossEntropy ? StructuralBounds.softmaxRows(samples: samples, outputs: k)
                : StructuralBounds.jacobianRows(samples: samples, outputs: k)
            return Bounds(upper: [.outer: UpperBound.tightest([rows, parameters])!, .functional: parameters, .loss: parameters],
                          exactOuter: nil)
        }
        // H_O, exactly.
        let reduced = try problem.outerRankProblem(for: loss)
        let outerRank = try CertifiedRank.rank(of: try ExactHessians.build(reduced, activation: activation).source(for: .outer)).rank
        let outerStatement = UpperBound(value: outerRank, statement: loss.rawValue, basis: .provedHere)
        // Upper bounds on H_F.
        var functionalBounds = [parameters]
        let residualCap = loss == .crossEntropy ? k - 1 : k
        if activation == .linear && architecture.bias {
            // The augmented bias-free network's bounds (`bias-network:<id>`, proofs/upper-bounds.md), read with
            // r~ = rank [X, 1] and rank Omega~_g <= min(r~, K - 1) (cross-entropy) or min(r~, K).
            let augmentedRank = try CertifiedRank.rank(of: problem.augmentedData).rank
            let set = PartUpperBounds.biasNetwork(widths: architecture.widths, parameters: p, samples: samples,
                                                  augmentedDataRank: augmentedRank,
                                                  augmentedResidualRank: min(augmentedRank, residualCap))
            functionalBounds += set.functional.filter { $0.statement.hasPrefix("bias-network:") }
        } else if activation == .linear {
            // Cross-entropy: H_F is C^T H_F' C for the network with K - 1 outputs and last layer T W_L (C surjective:
            // the same rank), an MSE-form functional Hessian of residual covariance rank <= min(r, K - 1); so the
            // bounds are read on that network (proofs/upper-bounds.md, "Other losses").
            let dataRank = try CertifiedRank.rank(of: problem.x).rank
            let formulas = paperFormulas(widths: architecture.widths, dataRank: dataRank, loss: loss)
            functionalBounds += formulas.functionalUpperBounds(residualRank: min(dataRank, residualCap))
                .filter { $0.statement != "parameters" }
        }
        let functionalUpper = UpperBound.tightest(functionalBounds)!
        let sum = UpperBound(value: outerRank + functionalUpper.value, statement: "sum", basis: functionalUpper.basis)
        var lossBounds = [parameters, sum]
        if activation == .linear && !architecture.bias && architecture.depth >= 2 {
            // rank H_L <= dim(col H_O + col H_F), and col H_O = col J^T (the MSE H_O's, A_n > 0 on the complement of
            // its kernel), so the cited MSE bound on that dimension applies, read on the K - 1 network under
            // cross-entropy (proofs/upper-bounds.md, "Other losses").
            let dataRank = try CertifiedRank.rank(of: problem.x).rank
            let formulas = paperFormulas(widths: architecture.widths, dataRank: dataRank, loss: loss)
            lossBounds.append(UpperBound(value: formulas.loss.value, statement: "loss", basis: .cited))
        }
        return Bounds(upper: [.outer: outerStatement, .functional: functionalUpper,
                              .loss: UpperBound.tightest(lossBounds)!],
                      exactOuter: outerRank)
    }
}
