// `verify --conv`: the statements about one hidden convolution (proofs/convolution.md), checked exactly on a built-in
// grid of linear CNNs: a convolution without bias (1-D and 2-D, one to three input channels, valid and same padding,
// stride 1 and 2) and a dense head, at integer points with full-rank data (N = C_0 d + 2).
// Per network and part, the rank over Q (modulo random primes, exact where it meets a bound proven at every point,
// or certified) against the built-in statement:
// - H_F: `conv-functional`, rank H_F = 2 m rank G at every point (an identity, proved): equal, or a failure;
// - H_O: `conv-outer`, rank H_O <= min(K r, q (K d' + kappa - q)) at every point (proved); equality observed for 1-D
//   convolutions with valid padding and stride 1 (the grid's 1-D valid networks check that observation, a shortfall
//   there is redrawn like verify's before it counts), not claimed elsewhere (2-D: 2 x 5 x 5, two 3 x 3 filters, K = 1
//   falls short, 48 < 50);
// - H_L: at most the sum of the two (`sum`), no equality claimed.
// A rank above a proven bound is a counterexample to the statement (or a bug): certain, since the modular rank is a
// lower bound on the rank over Q.
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import RankFormulas

public enum ConvolutionVerification {
    /// One network of the grid.
    public typealias Case = ConvolutionalNetworkCase

    /// The grid: 48 1-D valid networks (C_0 = 1, 2; d = 6, 9; m = 1...3; k = 2, 3; K = 1, 2), 32 2-D valid ones
    /// (C_0 = 1, 2; 4 x 4 and 5 x 5; m = 1, 2; k = 2, 3; K = 1, 2) and 10 with same padding or stride 2 (K = 1, 2);
    /// N = C_0 d + 2; case i drawn from seed + i.
    public static func cases(seed: UInt64) -> [Case] {
        var shapes: [(input: String, convolution: String, outputs: Int)] = []
        for c0 in 1...2 { for d in [6, 9] { for m in 1...3 { for k in 2...3 { for outputs in 1...2 {
            shapes.append(("\(c0)x\(d)", "conv:\(m):\(k)", outputs))
        } } } } }
        for c0 in 1...2 { for h in 4...5 { for m in 1...2 { for k in 2...3 { for outputs in 1...2 {
            shapes.append(("\(c0)x\(h)x\(h)", "conv:\(m):\(k)", outputs))
        } } } } }
        for (input, convolution) in [("1x8", "conv:2:3:same"), ("2x9", "conv:2:3:s2"), ("1x6x6", "conv:2:3:same"),
                                     ("2x6x6", "conv:3:2:s2"), ("3x7", "conv:2:4:same")] {
            for outputs in 1...2 { shapes.append((input, convolution, outputs)) }
        }
        return shapes.enumerated().map { index, shape in
            // The shapes above are valid by construction.
            let architecture = try! ConvolutionalArchitecture(input: shape.input, layers: "\(shape.convolution),dense:\(shape.outputs)")
            return Case(architecture: architecture, samples: architecture.input.count + 2, seed: seed &+ UInt64(index))
        }
    }

    /// How a rank compares with its statement.
    public enum Outcome: String, Sendable, Codable {
        /// Equal to the statement's value.
        case equal
        /// Below a bound whose equality is not claimed here.
        case within
        /// Below a value claimed equal (the identity, or the 1-D observation after its redraws): a failure.
        case below = "BELOW"
        /// Above a bound proven at every point: a counterexample, certain.
        case above = "ABOVE"

        public var fails: Bool { self == .below || self == .above }
    }

    /// One part of one network.
    public struct Part: Sendable {
        public let part: HessianPart
        public let rank: Int
        /// The statement's id and value at this point.
        public let statement: String
        public let value: Int
        /// Whether equality is claimed (H_F always; H_O where the observation applies).
        public let equalityClaimed: Bool
        public let outcome: Outcome
        /// Whether the rank is exact over Q: certified, or meeting a bound proven at every point.
        public let exact: Bool
        public let result: RankResult
    }

    /// One network: the seeds tried (redraws of a 1-D shortfall), the point's data rank and rank G, the parts.
    public struct Result: Sendable {
        public let verificationCase: Case
        public let seeds: [UInt64]
        public let dataRank: Int
        public let patchResidualRank: Int
        /// rank G's largest value, min(K d', kappa): met at generic points (observed).
        public let patchResidualMaximum: Int
        public let bounds: OneConvolutionBounds
        public let parts: [Part]

        public var fails: Bool { parts.contains { $0.outcome.fails } }
        public var redrawn: Bool { seeds.count > 1 }
    }

    /// Checks `verificationCase`: ranks modulo `primes` (or certified), compared with the statements; a 1-D
    /// shortfall in H_O is drawn again with seed + k 2^32, up to `redraws` times.
    public static func check(_ verificationCase: Case, primes: PrimeChoice, certify: Bool, redraws: Int) throws -> Result {
        var seeds: [UInt64] = []
        var result: Result?
        for attempt in 0...redraws {
            let seed = verificationCase.seed &+ UInt64(attempt) << 32
            seeds.append(seed)
            let checked = try checkOnce(verificationCase, seed: seed, seeds: seeds, primes: primes, certify: certify)
            result = checked
            // Only a shortfall of the observation (H_O below its claimed value) is redrawn: the identity and the bounds
            // hold at every point, so their failures are final.
            let failures = checked.parts.filter { $0.outcome.fails }
            if failures.isEmpty || !failures.allSatisfy({ $0.part == .outer && $0.outcome == .below }) { break }
        }
        return result!
    }

    static func checkOnce(_ verificationCase: Case, seed: UInt64, seeds: [UInt64], primes: PrimeChoice, certify: Bool) throws -> Result {
        let architecture = verificationCase.architecture
        let problem = try ConvolutionalProblem.draw(architecture, samples: verificationCase.samples, seed: seed)
        let shape = architecture.oneHiddenConvolution!
        let analysis = try ConvolutionalAnalysis(problem, primes: primes, certify: certify)
        let dataRank = analysis.point!.dataRank, patchRank = analysis.point!.patchResidualRank!
        let bounds = OneConvolutionBounds(channels: shape.channels, filterEntries: shape.filterEntries,
                                          positions: shape.positions, outputs: architecture.outputWidth, dataRank: dataRank)
        let proven = bounds.upperBounds(samples: problem.sampleCount, patchResidualRank: patchRank)
        var parts: [Part] = []
        for ranked in analysis.parts {
            // The statement claimed for the part: the identity, the bound (equality observed in 1-D), their sum.
            let claimed: UpperBound, equality: Bool
            switch ranked.part {
            case .functional: (claimed, equality) = (proven.functional[0], true)
            case .outer: (claimed, equality) = (proven.outer[0], verificationCase.observationApplies)
            case .loss: (claimed, equality) = (proven.loss[0], false)
            }
            let outcome: Outcome
            if ranked.exceedsABound {
                outcome = .above
            } else if ranked.rank == claimed.value {
                outcome = .equal
            } else {
                outcome = equality ? .below : .within
            }
            parts.append(Part(part: ranked.part, rank: ranked.rank, statement: claimed.statement, value: claimed.value,
                              equalityClaimed: equality, outcome: outcome, exact: ranked.exact, result: ranked.result))
        }
        return Result(verificationCase: verificationCase, seeds: seeds, dataRank: dataRank, patchResidualRank: patchRank,
                      patchResidualMaximum: min(architecture.outputWidth * shape.positions, shape.filterEntries),
                      bounds: bounds, parts: parts)
    }
}

extension ConvolutionalNetworkCase {
    /// Whether the 1-D observation of `verify --conv` (equality in `conv-outer`) is claimed: a 1-D convolution, valid
    /// padding, stride 1.
    public var observationApplies: Bool {
        guard case .convolution(let c) = architecture.layers[0] else { return false }
        return architecture.input.spatial.count == 1 && !c.samePadding && c.stride == 1
    }
}
