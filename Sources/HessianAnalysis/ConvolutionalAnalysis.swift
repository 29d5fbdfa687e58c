// One linear convolutional network at one integer point: the ranks of its three Hessians over Q (modulo random primes,
// all three parts from one pass per prime, or certified) beside the bounds that hold at that point
// (`PointUpperBounds.bounds`: p, N K, the unrolled network's, and for one hidden convolution conv-outer and
// conv-functional, proofs/convolution.md). A rank that meets one of them is exact, whatever the primes. What `rank
// --layers`, `sweep --study channels` and `verify --conv` report.
import ExactAlgebra
import HessianConstructions
import NetworkModel
import RankFormulas

public struct ConvolutionalAnalysis: Sendable {
    /// One part: its rank, every bound at the point and the tightest, and whether the rank is exact.
    public struct Part: Sendable {
        public let part: HessianPart
        public let result: RankResult
        public let bounds: [UpperBound]

        public var rank: Int { result.rank }
        public var tightest: UpperBound { UpperBound.tightest(bounds)! }
        /// Exact over Q: certified, or meeting a bound proven at every point.
        public var exact: Bool { result.certified || result.rank == tightest.value }
        /// The bound the rank meets (then exact without certification), or nil.
        public var exactBy: UpperBound? { result.rank == tightest.value ? tightest : nil }
        /// Whether some bound is below the rank: impossible for a correct construction and correct bounds.
        public var exceedsABound: Bool { bounds.contains { result.rank > $0.value } }
    }

    public let problem: ConvolutionalProblem
    /// The exact ranks the bounds read at the point (rank X, rank Omega, rank G); nil with biases.
    public let point: PointUpperBounds.ConvolutionPointRanks?
    /// loss, outer, functional (`HessianPart.allCases`' order).
    public let parts: [Part]

    /// Ranks `problem` modulo `primes` (one pass per prime for the three parts), or certified with `certify`
    /// (throws `CertifiedRank.TooLarge` beyond its prime budget); `parts` limits the work to the parts asked for when
    /// certifying (modulo primes all three come from one pass).
    public init(_ problem: ConvolutionalProblem, primes: PrimeChoice, certify: Bool,
                parts wanted: Set<HessianPart> = Set(HessianPart.allCases)) throws {
        let results: [RankResult?]
        if certify {
            let exact = ParametrizedLinearHessian(problem)
            results = try HessianPart.allCases.map { wanted.contains($0) ? try CertifiedRank.rank(of: exact.rankSource(for: $0)) : nil }
        } else {
            results = ParametrizedHessians.ranks(problem, primes: primes).map { $0 }
        }
        let point = problem.architecture.hasBias ? nil : try PointUpperBounds.pointRanks(problem)
        let bounds = try PointUpperBounds.bounds(problem, ranks: point)
        self.problem = problem
        self.point = point
        parts = zip(HessianPart.allCases, results).compactMap { part, result in
            result.map { Part(part: part, result: $0, bounds: bounds[part]!) }
        }
    }

    /// The part `part`, when it was ranked.
    public func part(_ part: HessianPart) -> Part? { parts.first { $0.part == part } }

    /// The largest probability that a rank that is not exact fell below the rank over Q; nil when none can.
    public var errorBound: Double? { RankResult.worstBound(parts.filter { !$0.exact }.map(\.result.errorBound)) }

    /// The primes of the ranks modulo primes (none when certified).
    public var primes: [UInt] { parts.first { !$0.result.certified }?.result.primes ?? [] }
}
