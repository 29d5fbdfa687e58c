// The JSON form of one analysed network: the stable machine interface of `hessian-rank rank --json`, documented in
// docs/json.md. Exact integers (weights, data, primes) are decimal strings; keys are sorted; `formatVersion` comes
// first for readers to check. Bump `formatVersion` on any change a reader could notice.
import ExactAlgebra
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NetworkModel

public struct AnalysisReport: Codable, Sendable, Equatable {
    /// 2 added `activation`; 3 added `rankedMatrices` and `inputExponents`, and leaves out `generic` and
    /// `genericityDeficiencies` for ReLU; 4 replaced those two by `conditionsHold`, `conditionFailures` and
    /// `attainedByProof` (proofs/genericity.md), and added `method.primeSource` (with `method.errorBound` absent for
    /// primes given with --prime). Networks with biases (--bias, or b*.npy files) add `bias`, `inputs.biases` and
    /// `augmentedDataRank`, absent otherwise, and compare with the with-bias conjecture in `formula`; `activation` may
    /// read "leaky-relu:a/b": additions that leave every earlier output as it was, so still 4. 5 added `exactBy` (the
    /// upper bound proven at every point that each rank meets, proofs/upper-bounds.md). 6 added `method.primeCount` and,
    /// for certified ranks (thousands of primes below 2^23), lists only the largest and smallest in `method.primes`.
    public static let currentFormatVersion = 6

    public struct Inputs: Codable, Sendable, Equatable {
        /// W_1 ... W_L, each as rows of decimal strings.
        public let weights: [[[String]]]
        /// b_1 ... b_L as flat lists (networks with biases only).
        public let biases: [[String]]?
        public let x: [[String]]
        public let y: [[String]]
    }

    public struct PartValues<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        public let loss: Value
        public let outer: Value
        public let functional: Value
    }

    public struct Formula: Codable, Sendable, Equatable {
        public let loss: Int
        public let outer: Int
        public let functional: Int
        public let s: Int
        public let q: Int
    }

    public struct Method: Codable, Sendable, Equatable {
        /// "modular" (Monte Carlo, one-sided) or "multimodular-hadamard" (certified exact).
        public let name: String
        /// The primes used, as decimal strings; when certified, only the largest and the smallest (every prime below
        /// 2^23 between them was used, in decreasing order: `primeCount` of them).
        public let primes: [String]
        /// How many primes were used (the most of any part).
        public let primeCount: Int
        /// How the primes were chosen: "certification" (fixed primes, exact ranks), "system-entropy" (drawn by this
        /// run, independently of every input: the bound holds for every input) or "given" (by the user, to replay a
        /// run).
        public let primeSource: String
        /// Upper bound on the probability that a reported rank is below the rank over Q (modular), or below the
        /// generic rank over F_p of the matrix ranked (prime-field: over the point drawn from the seed, so it assumes
        /// the seed was chosen at random, independently of the network); 0 when certified. Absent for modular ranks
        /// modulo given primes: no probability bound applies to them.
        public let errorBound: Double?
    }

    /// The upper bound proven at every point that a rank meets (proofs/upper-bounds.md).
    public struct ExactBy: Codable, Sendable, Equatable {
        /// The statement's id in proofs/README.md, e.g. "outer", "functional-L2", "loss", "parameters".
        public let statement: String
        /// "proved here" or "cited".
        public let basis: String
        public let value: Int
    }

    public struct Timings: Codable, Sendable, Equatable {
        public let assemble: Double
        public let rank: Double
    }

    public let formatVersion: Int
    public let architecture: [Int]
    /// true when every layer has a bias (parameters per layer: W_t, then b_t); absent without biases.
    public let bias: Bool?
    /// "linear", "relu" or "leaky-relu:a/b".
    public let activation: String
    public let samples: Int
    /// Decimal string: seeds are 64-bit unsigned and JSON numbers lose precision past 2^53.
    public let seed: String
    public let parameters: Int
    public let dataRank: Int
    /// rank [X, 1], for networks with biases.
    public let augmentedDataRank: Int?
    public let inputs: Inputs
    /// The given values are inputs / 2^inputExponents, matrix by matrix (all 0 unless read from files with --weights).
    public let inputExponents: InputExponents
    public let ranks: PartValues<Int>
    public let formula: Formula
    public let verdicts: PartValues<String>
    /// Whether the diagnostics C1-C4 hold (proofs/genericity.md); absent for ReLU networks, where they would describe
    /// the linear network, not the point.
    public let conditionsHold: Bool?
    /// Each failed diagnostic, e.g. "C1: rank W^{1:1} = 1 < 2" (empty when all hold; absent for ReLU).
    public let conditionFailures: [String]?
    /// Per part: true when the formula is proven attained at this point (a condition proven sufficient holds, or
    /// L = 1), false when that proven condition fails (the point is then non-generic for that part), null when no
    /// sufficient condition is proven (H_L at L >= 2, H_F at L >= 3). Absent for ReLU.
    public let attainedByProof: PartValues<Bool?>?
    public let method: Method
    /// The shape of the matrix each rank was computed on (the reduced Hessian Q^T H Q, or J Q for H_O, unless
    /// --full-matrices): proofs/reduced-hessian.md.
    public let rankedMatrices: PartValues<MatrixShape>
    /// Per part: the upper bound proven at every point that the rank meets, making it exact whatever the primes; null
    /// where it meets none. Absent in generic mode (ranks over F_p).
    public let exactBy: PartValues<ExactBy?>?
    public let timings: Timings

    public init(_ analysis: Analysis, inputExponents: InputExponents? = nil) {
        let problem = analysis.problem
        formatVersion = Self.currentFormatVersion
        architecture = problem.architecture.widths
        bias = problem.architecture.bias ? true : nil
        activation = analysis.activation.rawValue
        samples = problem.sampleCount
        seed = String(analysis.seed)
        parameters = problem.parameterCount
        dataRank = analysis.dataRank
        augmentedDataRank = analysis.augmentedDataRank
        inputs = Inputs(weights: problem.weights.map(\.decimalRows),
                        biases: problem.decimalBiases,
                        x: problem.x.decimalRows, y: problem.y.decimalRows)
        self.inputExponents = inputExponents ?? .zero(depth: problem.architecture.depth, bias: problem.architecture.bias)
        func values<V>(_ value: (PartAnalysis) -> V) -> PartValues<V> {
            PartValues(loss: value(analysis.part(.loss)), outer: value(analysis.part(.outer)),
                       functional: value(analysis.part(.functional)))
        }
        ranks = values(\.rank.rank)
        formula = Formula(loss: analysis.part(.loss).formula.value, outer: analysis.part(.outer).formula.value,
                          functional: analysis.part(.functional).formula.value, s: analysis.formulas.s, q: analysis.formulas.q)
        verdicts = values(\.verdict.rawValue)
        conditionsHold = analysis.diagnosis?.conditionsHold
        conditionFailures = analysis.diagnosis?.failures
        attainedByProof = analysis.diagnosis.map { d in values { d.attainment($0.part).provenAttained } }
        method = Method(name: analysis.parts[0].rank.method.rawValue, primes: analysis.reportedPrimes.map { String($0) },
                        primeCount: analysis.primes.count, primeSource: analysis.primeSource,
                        errorBound: analysis.errorBound)
        rankedMatrices = values(\.rankedShape)
        exactBy = analysis.parts[0].upperBound == nil ? nil : values { part in
            part.exactBy.map { ExactBy(statement: $0.statement, basis: $0.basis.rawValue, value: $0.value) }
        }
        timings = Timings(assemble: analysis.assembleSeconds, rank: analysis.rankSeconds)
    }

    /// Sorted keys, pretty-printed, UTF-8.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}
