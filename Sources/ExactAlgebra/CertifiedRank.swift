// A deterministic, exact rank over Q from ranks modulo fixed primes (multimodular certification by Hadamard's bound).
//
// If rank_p(A) = rho for distinct primes p_1..p_t, every (rho+1)-minor of A is divisible by P = p_1 ... p_t. Each such
// minor is at most H_{rho+1} in absolute value, the product of the rho+1 largest row norms (Hadamard). If P > H_{rho+1}
// every (rho+1)-minor is zero, so rank_Q(A) <= rho; with rank_Q(A) >= rank_p(A) = rho, the rank is exactly rho.
// Our primes are the largest below 2^63, each >= 2^62, so t primes suffice once 62 t > log2 H_{rho+1}. A prime that
// gives a smaller rank is unlucky and is skipped; one that gives a larger rank restarts the count.
//
// Cost: about log2(H_{rho+1}) / 62 modular ranks, so it grows with rho times the entry size. Measured figures are in
// the README; `maximumPrimes` is the size limit, checked as soon as the first prime has given a rank (before any
// further elimination).

public enum CertifiedRank {
    public struct TooLarge: Error, Sendable, CustomStringConvertible {
        public let primesNeeded: Int
        public let limit: Int
        public var description: String {
            "certification would need about \(primesNeeded) modular ranks (limit \(limit)); the matrix is too large "
                + "or its entries too big for the multimodular certificate"
        }
    }

    public static let defaultMaximumPrimes = 4_000

    /// Primes needed to certify rank `rho` given row-norm bounds sorted in decreasing order (0 if no (rho+1)-minor
    /// can be nonzero).
    static func primesNeeded(rank rho: Int, sortedBounds: [Double], columnCount: Int) -> Int {
        guard rho < min(sortedBounds.count, columnCount) else { return 0 }
        let log2Hadamard = sortedBounds.prefix(rho + 1).reduce(0, +)
        return Int((log2Hadamard / Primes.minimumBits).rounded(.down)) + 1
    }

    public static func rank(of source: some ExactRankSource,
                            maximumPrimes: Int = defaultMaximumPrimes) throws(TooLarge) -> RankResult {
        let sortedBounds = source.rowNormLog2Bounds().compactMap { $0 }.sorted(by: >)
        var used: [UInt] = []
        var timer = TimedModularRank()
        var rho = -1
        var agreeing = 0
        var candidate = Primes.upperEnd - 1
        while true {
            while !Primes.isPrime(candidate) { candidate -= 2 }
            let prime = candidate
            candidate -= 2
            used.append(prime)
            let rank = timer.rank(of: source, modulo: prime)
            if rank > rho { (rho, agreeing) = (rank, 1) } else if rank == rho { agreeing += 1 }
            let needed = primesNeeded(rank: rho, sortedBounds: sortedBounds, columnCount: source.columnCount)
            if agreeing >= needed {
                return RankResult(rank: rho, method: .multimodularCertified, primes: used, errorBound: 0,
                                  reductionSeconds: timer.reductionSeconds, eliminationSeconds: timer.eliminationSeconds)
            }
            if needed > maximumPrimes || used.count >= maximumPrimes {
                throw TooLarge(primesNeeded: needed, limit: maximumPrimes)
            }
        }
    }
}
