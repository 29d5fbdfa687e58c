// Networks with a bias in every layer: the with-bias conjecture's check
// (`RankFormulas.BiasNetworkConjecture`) in generic mode, on the shared pipeline (`Analyzer`). The Hessians are those
// of the augmented bias-free network restricted to this network's parameters (`Problem.augmented`, `AugmentedHessian`).
import ExactAlgebra
import HessianConstructions
import NetworkModel
import RankFormulas

/// One bias network, analysed in generic mode: the ranks of H_L, H_O, H_F at a uniform point of F_p beside the
/// conjecture.
public struct BiasAnalysis: Sendable {
    public let analysis: Analysis
    /// Whether the first input was set to 1 in every sample (so rank [X, 1] = rank X).
    public let constantFeature: Bool
    /// The data rank asked for (`--data-rank`), if any: X = U V with inner size r.
    public let requestedDataRank: Int?

    public init(analysis: Analysis, constantFeature: Bool, requestedDataRank: Int?) {
        self.analysis = analysis
        self.constantFeature = constantFeature
        self.requestedDataRank = requestedDataRank
    }

    public var problem: Problem { analysis.problem }
    public var seed: UInt64 { analysis.seed }
    public var prime: UInt { analysis.primes[0] }
    /// r = rank X and r~ = rank [X, 1], over F_p.
    public var dataRank: Int { analysis.dataRank }
    public var augmentedDataRank: Int { analysis.augmentedDataRank! }
    public var conjecture: BiasNetworkConjecture { analysis.biasConjecture! }
    /// In the order loss, outer, functional.
    public var ranks: [Int] { analysis.parts.map(\.rank.rank) }
    /// Schwartz-Zippel: each rank falls below the generic rank over F_p with probability at most this. Not covered:
    /// r or r~ over F_p below their values over Q (which changes the conjecture compared with), or a prime for which
    /// the generic ranks over F_p and Q differ (finitely many).
    public var errorBound: Double { analysis.errorBound ?? 1 }

    public var formulas: [FormulaValue] { [conjecture.loss, conjecture.outer, conjecture.functional] }

    /// The largest r~ = rank [X, 1] that this draw's data can have over Q: at most N and d + 1; at most r + 1 for data
    /// U V of inner size r; at most d when the first input is the constant 1 (then 1 is a column of X already).
    public var largestAugmentedDataRank: Int {
        let d = problem.architecture.inputWidth
        var bound = min(problem.sampleCount, d + 1)
        if let r = requestedDataRank { bound = min(bound, r + 1) }
        if constantFeature { bound = min(bound, d) }
        return bound
    }

    /// Per part (loss, outer, functional), the tightest upper bound on the generic rank over Q: the bounds of a linear
    /// network with biases (`PartUpperBounds.biasNetwork`) read with the largest r~ the draw allows and rank Omega~ <=
    /// min(r~, K). The bounds hold at every point and do not decrease when r~ or rank Omega~ grows
    /// (proofs/upper-bounds.md, "Generic mode"), so they bound the rank at a generic point, that is the generic rank.
    public var genericUpperBounds: [UpperBound] {
        let r = largestAugmentedDataRank
        let set = PartUpperBounds.biasNetwork(widths: problem.architecture.widths, parameters: problem.parameterCount,
                                              samples: problem.sampleCount, augmentedDataRank: r,
                                              augmentedResidualRank: min(r, problem.architecture.outputWidth))
        return [set.loss, set.outer, set.functional].map { UpperBound.tightest($0)! }
    }

    /// Per part, the bound its rank meets, if any. The rank over F_p at the drawn point is a certain lower bound on the
    /// generic rank over Q; where it meets an upper bound on that generic rank, the generic rank over Q is that number
    /// for certain, whatever the prime and the seed.
    public var certifiedBy: [UpperBound?] {
        zip(ranks, genericUpperBounds).map { rank, bound in bound.value == rank ? bound : nil }
    }

    /// Draws a bias network uniformly over F_p (weights, biases, data, targets from `seed`; the prime is the caller's,
    /// drawn from the system's entropy or given) and ranks its Hessians there. With `constantFeature`, the first input
    /// is 1 in every sample, so that rank [X, 1] = rank X (the conjecture's other case) with N > rank X. Entries have
    /// degree at most 2L + 2 in the drawn values (as for the bias-free network: the fixed 0s and 1s are constants), so
    /// a minor of the p x p matrix has degree at most (2L + 2) p.
    public static func analyze(_ architecture: Architecture, samples: Int, dataRank: Int? = nil,
                               constantFeature: Bool = false, prime: UInt, seed: UInt64) throws(InputError) -> BiasAnalysis {
        var problem = try Generator.drawField(architecture.withBias(true), samples: samples, dataRank: dataRank,
                                              prime: prime, seed: seed)
        if constantFeature {
            var x = problem.x
            for n in 0..<samples { x[n, 0] = 1 }
            problem = try Problem(architecture: problem.architecture, weights: problem.weights, biases: problem.biases,
                                  x: x, y: problem.y)
        }
        let options = RankOptions(primes: .given([prime]), fieldPrime: prime)
        do {
            return BiasAnalysis(analysis: try Analyzer.analyze(problem, seed: seed, options: options),
                                constantFeature: constantFeature, requestedDataRank: dataRank)
        } catch {
            // Over F_p a linear network has no kink, and nothing is certified.
            preconditionFailure("BiasAnalysis: \(error)")
        }
    }
}
