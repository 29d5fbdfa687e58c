// Certified rank intervals of H_O, H_F and H_L under cross-entropy and log-cosh, whose Hessians have transcendental
// entries (softmax, tanh): never a tolerance, always [a proven lower bound, a proven upper bound], exact where they
// meet.
//
// - H_O: exact. Its rank is the MSE H_O rank of an integer problem (`Problem.outerRankProblem(for:)`, proved in
//   proofs/statements/cross-entropy.md and log-cosh.md), certified by the multimodular argument (`CertifiedRank`).
// - H_F, H_L: lower bounds from ball arithmetic (`BallHessian`, `BallRank`), upper bounds from proven statements
//   (proofs/upper-bounds.md, "Other losses"): for a linear bias-free network, H_F = F(Omega_g) with Omega_g =
//   sum_n g_n x_n^T, whose rows lie in the row space of X, so every bound on the MSE H_F (a function of the same
//   Omega family) applies: 0 at L = 1, 2 M_1 rank Omega_g <= 2 M_1 s_g at L = 2 (s_g = min(r, K - 1) for
//   cross-entropy, whose g_n sum to 0, min(r, K) for log-cosh), the paper's bound at L >= 3 (cited); H_L <= rank
//   H_O + the bound of H_F; p for every part and network.
// A linear network with biases gets its augmented network's bounds on H_F (a principal submatrix, bias-network.md);
// for ReLU networks only p bounds H_F and H_L. Small networks only (dense ball matrices).
import BallArithmetic
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
    /// The working precision (bits) of the ball LU that proved `lower`; nil when the lower bound is exact (H_O).
    public let precision: Int?
    public var isExact: Bool { lower == upper.value }
}

public enum LossIntervals {
    /// The paper's closed forms for a linear bias-free network under `loss`: the MSE formulas, with K - 1 classes for
    /// cross-entropy. Its statements for these losses, not proved here: a comparison, never a bound.
    public static func paperFormulas(widths: [Int], dataRank: Int, loss: Loss) -> LinearNetworkFormulas {
        let classes = widths[widths.count - 1] - (loss == .crossEntropy ? 1 : 0)
        return LinearNetworkFormulas(widths: Array(widths.dropLast()) + [classes], dataRank: dataRank)
    }

    /// The three intervals (loss, outer, functional) of `problem` under `loss` (cross-entropy or log-cosh) with hidden
    /// `activation` (linear or relu).
    public static func analyze(_ problem: Problem, loss: Loss, activation: Activation = .linear,
                               precisions: [Int] = BallRank.defaultPrecisions) throws -> [RankInterval] {
        guard loss != .mse else { throw InputError("LossIntervals: mse has exact Hessians; use Analyzer") }
        let p = problem.parameterCount
        let parameters = StructuralBounds.parameters(p)
        // H_O, exactly.
        let reduced = try problem.outerRankProblem(for: loss)
        let outerRank = try CertifiedRank.rank(of: try ExactHessians.build(reduced, activation: activation).source(for: .outer)).rank
        let outerStatement = UpperBound(value: outerRank, statement: loss.rawValue, basis: .provedHere)
        // Upper bounds on H_F.
        var functionalBounds = [parameters]
        let architecture = problem.architecture
        let k = architecture.outputWidth
        let residualCap = loss == .crossEntropy ? k - 1 : k
        if activation == .linear && architecture.bias {
            // The augmented bias-free network's bounds (`bias-network:<id>`, proofs/upper-bounds.md), read with
            // r~ = rank [X, 1] and rank Omega~_g <= min(r~, K - 1) (cross-entropy) or min(r~, K).
            let augmentedRank = try CertifiedRank.rank(of: problem.augmentedData).rank
            let set = PartUpperBounds.biasNetwork(widths: architecture.widths, parameters: p, samples: problem.sampleCount,
                                                  augmentedDataRank: augmentedRank,
                                                  augmentedResidualRank: min(augmentedRank, residualCap))
            functionalBounds += set.functional.filter { $0.statement.hasPrefix("bias-network:") }
        } else if activation == .linear {
            let dataRank = try CertifiedRank.rank(of: problem.x).rank
            let residualRank = min(dataRank, residualCap)
            let formulas = LinearNetworkFormulas(widths: architecture.widths, dataRank: dataRank)
            switch architecture.depth {
            case 1: functionalBounds.append(UpperBound(value: 0, statement: "one-layer", basis: .provedHere))
            case 2: functionalBounds.append(UpperBound(value: 2 * architecture.widths[1] * residualRank,
                                                       statement: "functional-L2", basis: .provedHere))
            default: functionalBounds.append(UpperBound(value: formulas.functional.value, statement: "functional-bound",
                                                        basis: .cited))
            }
        }
        let functionalUpper = UpperBound.tightest(functionalBounds)!
        let sum = UpperBound(value: outerRank + functionalUpper.value, statement: "sum", basis: functionalUpper.basis)
        let lossUpper = UpperBound.tightest([parameters, sum])!
        // The ball Hessians at each precision, built once and shared by both parts; the first build here, so that
        // what BallHessian refuses is thrown rather than met inside the closure.
        var built = [precisions[0]: try BallHessian.build(problem, loss: loss, activation: activation, precision: precisions[0])]
        func ballLowerBound(_ part: HessianPart, goal: Int) -> BallRank.LowerBound {
            BallRank.lowerBound(precisions: precisions, goal: goal) { bits in
                if let parts = built[bits] { return parts.matrix(part) }
                let parts = try! BallHessian.build(problem, loss: loss, activation: activation, precision: bits)
                built[bits] = parts
                return parts.matrix(part)
            }
        }
        let functional = ballLowerBound(.functional, goal: functionalUpper.value)
        let lossBound = ballLowerBound(.loss, goal: lossUpper.value)
        return [
            RankInterval(part: .loss, lower: lossBound.rank, upper: lossUpper, precision: lossBound.precision),
            RankInterval(part: .outer, lower: outerRank, upper: outerStatement, precision: nil),
            RankInterval(part: .functional, lower: functional.rank, upper: functionalUpper, precision: functional.precision),
        ]
    }
}
