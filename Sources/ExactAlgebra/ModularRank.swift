// Rank over Q by rank modulo random word-size primes (Monte Carlo, one-sided).
//
// Why it is honest (proofs/exact-rank-method.md has the argument):
// - rank_p(A) <= rank_Q(A) for every prime p: a minor nonzero mod p is nonzero over Z. So every answer is a
//   certain lower bound, and the maximum over several primes is too.
// - rank_p(A) < rho = rank_Q(A) only if p divides a fixed nonzero rho x rho minor D. |D| is at most the product of
//   the norms of its rows, hence at most the product of the norms of all nonzero rows of A (each is >= 1), whose log2
//   we call B. D has at most B / 62 prime factors >= 2^62. A prime drawn uniformly from the >= 1.05e17 primes in
//   [2^62, 2^63) is bad with probability at most (B / 62) / 1.05e17; t independent primes are all bad with
//   probability at most that to the power t.
// We bound over all nonzero rows, not the rho largest, because rho is the unknown.

#if canImport(Glibc)
import Glibc
#endif

public enum ModularRank {
    /// The rank over Q as the maximum rank modulo `primeCount` random primes drawn from `generator`.
    public static func rank(of source: some ExactRankSource, primeCount: Int = 1,
                            using generator: inout SplitMix64) -> RankResult {
        precondition(primeCount >= 1, "ModularRank: need at least one prime")
        return rank(of: source, primes: (0..<primeCount).map { _ in Primes.random(using: &generator) })
    }

    /// The rank over Q as the maximum rank modulo the given primes, which the caller drew uniformly at random from
    /// [2^62, 2^63) (`Primes.random`): the error bound assumes that.
    public static func rank(of source: some ExactRankSource, primes: [UInt]) -> RankResult {
        precondition(!primes.isEmpty && primes.allSatisfy { $0 >= Primes.lowerEnd && $0 < Primes.upperEnd && Primes.isPrime($0) },
                     "ModularRank: the primes must lie in [2^62, 2^63)")
        var timer = TimedModularRank()
        let rank = primes.map { timer.rank(of: source, modulo: $0) }.max() ?? 0
        return RankResult(rank: rank, method: .monteCarloModular, primes: primes,
                          errorBound: errorBound(rowNormLog2Bounds: source.rowNormLog2Bounds(), primeCount: primes.count),
                          reductionSeconds: timer.reductionSeconds, eliminationSeconds: timer.eliminationSeconds)
    }

    /// The probability bound stated above, for a matrix with these row-norm bounds.
    public static func errorBound(rowNormLog2Bounds bounds: [Double?], primeCount: Int) -> Double {
        let log2Hadamard = bounds.reduce(0.0) { $0 + max($1 ?? 0, 0) }
        let badPrimes = (log2Hadamard / Primes.minimumBits).rounded(.up)
        let perPrime = min(1, badPrimes / Primes.countInRangeLowerBound)
        return pow(perPrime, Double(primeCount))
    }
}

