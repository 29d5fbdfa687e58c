// A deterministic, exact rank over Q from ranks modulo fixed primes (multimodular certification by Hadamard's bound).
//
// If rank_p(A) = rho for distinct primes p_1..p_t, every (rho+1)-minor of A is divisible by P = p_1 ... p_t. Each such
// minor is at most H_{rho+1} in absolute value, the product of the rho+1 largest row norms (Hadamard). If P > H_{rho+1}
// every (rho+1)-minor is zero, so rank_Q(A) <= rho; with rank_Q(A) >= rank_p(A) = rho, the rank is exactly rho.
// A prime that gives a smaller rank is unlucky and is skipped; one that gives a larger rank restarts the count.
//
// The primes are the primes below 2^23 in decreasing order, from the largest (8,388,593) down to 2^22 (about 260,000
// of them, each of at least 22 bits): small enough for the exact double-precision elimination with BLAS products
// (`SmallPrimeMatrix`), several times faster per prime than FLINT's `nmod_mat_lu` modulo a 63-bit prime, which more
// than pays for needing log2(H_{rho+1}) / 23 primes instead of / 62. The test P > H_{rho+1} sums log2 p over the
// agreeing primes, each rounded down by 1e-9 (far more than the error of `log2` in doubles), and compares with
// log2 H_{rho+1}, whose row-norm bounds are upper bounds (`ExactRankSource.rowNormLog2Bounds`). No randomness.
//
// Two primes are ranked at a time, concurrently (each task builds and frees its own matrix); their results are taken
// in prime order, so the answer and the primes reported do not depend on scheduling.
//
// Cost: about log2(H_{rho+1}) / 23 modular ranks, so it grows with rho times the entry size. Measured figures are in
// docs/speed.md. `maximumPrimes` is the size limit, checked as soon as the first two primes have given ranks (before
// any further elimination); the refusal states the primes needed and an estimate of the time.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum CertifiedRank {
    public struct TooLarge: Error, Sendable, CustomStringConvertible {
        public let primesNeeded: Int
        public let limit: Int
        /// Wall-clock seconds the certification would take, from the time of the first primes (nil if not measured).
        public let estimatedSeconds: Double?
        public var description: String {
            let time = estimatedSeconds.map { " (about \(Self.duration($0)) on two cores)" } ?? ""
            return "certification would need about \(primesNeeded) modular ranks\(time), above the limit of \(limit); "
                + "the matrix is too large or its entries too big for the multimodular certificate"
        }

        static func duration(_ seconds: Double) -> String {
            if seconds < 120 { return "\(Int(seconds.rounded())) s" }
            if seconds < 7_200 { return "\(Int((seconds / 60).rounded())) min" }
            return "\(Int((seconds / 3_600).rounded())) h"
        }
    }

    /// The cap on primes: 20,000 primes of 23 bits certify a log2 Hadamard bound of about 460,000 (the old cap of
    /// 4,000 primes of 62 bits allowed 248,000).
    public static let defaultMaximumPrimes = 20_000
    /// The smallest prime used is at least this: every prime has at least 22 bits.
    public static let smallestPrimeBound: UInt = 1 << 22

    /// The `count` largest primes below `SmallPrimeMatrix.primeBound`, in decreasing order: the primes of
    /// certification, in the order used.
    public static func smallPrimes(_ count: Int) -> [UInt] {
        var primes: [UInt] = []
        var sequence = PrimeSequence()
        while primes.count < count, let prime = sequence.next() { primes.append(prime) }
        return primes
    }

    /// The primes in decreasing order from below `SmallPrimeMatrix.primeBound` down to `smallestPrimeBound`.
    struct PrimeSequence {
        var candidate = SmallPrimeMatrix.primeBound - 1
        mutating func next() -> UInt? {
            while candidate >= smallestPrimeBound {
                defer { candidate -= 2 }
                if Primes.isPrime(candidate) { return candidate }
            }
            return nil
        }
    }

    /// log2 H_{rho+1} from row-norm bounds sorted in decreasing order, or nil if no (rho+1)-minor can be nonzero.
    static func log2Hadamard(rank rho: Int, sortedBounds: [Double], columnCount: Int) -> Double? {
        guard rho < min(sortedBounds.count, columnCount) else { return nil }
        return sortedBounds.prefix(rho + 1).reduce(0, +)
    }

    /// A lower bound on log2 p.
    static func bits(_ prime: UInt) -> Double { log2(Double(prime)) - 1e-9 }

    /// Where a certification stands, reported after each pair of primes (`rank(of:maximumPrimes:progress:)`).
    public struct Progress: Sendable, Equatable {
        /// Primes ranked so far.
        public let primesUsed: Int
        /// An estimate of the primes the certification needs in all (at least 22 bits each), for the rank so far.
        public let primesNeeded: Int
        /// The largest rank modulo any prime so far: a certain lower bound.
        public let rank: Int
    }

    /// The rank, certified. `progress`, if given, is called after each pair of primes (from this thread).
    public static func rank(of source: some ExactRankSource, maximumPrimes: Int = defaultMaximumPrimes,
                            progress: (@Sendable (Progress) -> Void)? = nil) throws(TooLarge) -> RankResult {
        let sortedBounds = source.rowNormLog2Bounds().compactMap { $0 }.sorted(by: >)
        var used: [UInt] = []
        var (reductionSeconds, eliminationSeconds) = (0.0, 0.0)
        var rho = -1
        var agreeingBits = 0.0
        var sequence = PrimeSequence()
        let clock = ContinuousClock()
        while true {
            // The next two primes (one when the sequence ends).
            let pair = [sequence.next(), sequence.next()].compactMap { $0 }
            guard !pair.isEmpty else {
                let needed = log2Hadamard(rank: rho, sortedBounds: sortedBounds, columnCount: source.columnCount) ?? 0
                throw TooLarge(primesNeeded: Int(needed / 22) + 1, limit: used.count, estimatedSeconds: nil)
            }
            let start = clock.now
            let ranks = rankConcurrently(source, pair)
            let pairSeconds = (clock.now - start).seconds
            for (prime, result) in zip(pair, ranks) {
                used.append(prime)
                reductionSeconds += result.reductionSeconds
                eliminationSeconds += result.eliminationSeconds
                if result.rank > rho {
                    (rho, agreeingBits) = (result.rank, bits(prime))
                } else if result.rank == rho {
                    agreeingBits += bits(prime)
                }
                guard let log2H = log2Hadamard(rank: rho, sortedBounds: sortedBounds, columnCount: source.columnCount),
                      agreeingBits <= log2H else {
                    return RankResult(rank: rho, method: .multimodularCertified, primes: used, errorBound: 0,
                                      reductionSeconds: reductionSeconds, eliminationSeconds: eliminationSeconds)
                }
                // Primes still needed: at least 22 bits each.
                let needed = used.count + Int(((log2H - agreeingBits) / 22).rounded(.down)) + 1
                if needed > maximumPrimes {
                    // Two primes per pair's wall-clock time.
                    throw TooLarge(primesNeeded: needed, limit: maximumPrimes, estimatedSeconds: pairSeconds * Double(needed) / 2)
                }
                if prime == pair.last { progress?(Progress(primesUsed: used.count, primesNeeded: needed, rank: rho)) }
            }
        }
    }

    struct PrimeRank: Sendable {
        let rank: Int
        let reductionSeconds: Double
        let eliminationSeconds: Double
    }

    /// The ranks modulo `primes` (one or two), one task per prime; each task reduces the source and eliminates.
    static func rankConcurrently(_ source: some ExactRankSource, _ primes: [UInt]) -> [PrimeRank] {
        let results = Mutex<[PrimeRank?]>(Array(repeating: nil, count: primes.count))
        DispatchQueue.concurrentPerform(iterations: primes.count) { index in
            let clock = ContinuousClock()
            let start = clock.now
            let matrix = source.reducedToDoubles(modulo: primes[index])
            let reduced = clock.now
            let rank = matrix.rankOverwriting()
            let result = PrimeRank(rank: rank, reductionSeconds: (reduced - start).seconds,
                                   eliminationSeconds: (clock.now - reduced).seconds)
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}
