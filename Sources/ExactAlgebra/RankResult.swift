// The answer to "what is the rank of this integer matrix over Q?", with how sure we are.

public struct RankResult: Sendable {
    public enum Method: String, Sendable {
        /// max over t random primes of the rank mod p: a certain lower bound, equal to the rank over Q except with
        /// probability at most `errorBound`.
        case monteCarloModular = "modular"
        /// ranks mod fixed primes whose product exceeds the Hadamard bound of every (rank+1)-minor: exact.
        case multimodularCertified = "multimodular-hadamard"
        /// the rank over F_p at a point drawn uniformly from F_p (generic mode): a certain lower bound on the generic
        /// rank over Q, equal to the generic rank over F_p except with probability at most `errorBound`
        /// (Schwartz-Zippel).
        case primeField = "prime-field"
    }

    /// The rank reported: always a proven lower bound on the rank over Q; exact when `certified`.
    public let rank: Int
    public let method: Method
    /// The primes used, in the order used.
    public let primes: [UInt]
    /// An upper bound on the probability that `rank` is below the rank over Q (0 when certified); nil when no
    /// probability statement applies (Monte Carlo ranks modulo primes the user chose).
    public let errorBound: Double?
    public var certified: Bool { method == .multimodularCertified }

    /// The worst of several bounds, each as `errorBound`: nil when any is nil (a rank with no probability bound makes
    /// the whole answer one with none), else the largest (0 for none).
    public static func worstBound(_ bounds: [Double?]) -> Double? {
        bounds.contains(nil) ? nil : bounds.compactMap { $0 }.max() ?? 0
    }
    /// Seconds spent reducing (assembling) the matrix modulo the primes, summed over primes.
    public let reductionSeconds: Double
    /// Seconds spent in elimination, summed over primes.
    public let eliminationSeconds: Double

    public init(rank: Int, method: Method, primes: [UInt], errorBound: Double?,
                reductionSeconds: Double = 0, eliminationSeconds: Double = 0) {
        self.rank = rank
        self.method = method
        self.primes = primes
        self.errorBound = errorBound
        self.reductionSeconds = reductionSeconds
        self.eliminationSeconds = eliminationSeconds
    }
}

/// Rank modulo one prime, timed: reduce the source, then eliminate.
struct TimedModularRank {
    var reductionSeconds = 0.0
    var eliminationSeconds = 0.0

    mutating func rank(of source: some ExactRankSource, modulo prime: UInt) -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        let matrix = source.reduced(modulo: prime)
        let reduced = clock.now
        let rank = matrix.rankOverwriting()
        reductionSeconds += (reduced - start).seconds
        eliminationSeconds += (clock.now - reduced).seconds
        return rank
    }
}

extension Duration {
    /// This duration in seconds, as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
