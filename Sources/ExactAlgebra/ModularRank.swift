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
// The probability is over the choice of primes only, so it holds for every matrix as long as the primes are drawn
// independently of it (`PrimeChoice.random`, from the system's entropy). For primes the caller chose, no bound is
// given (`errorBound` nil): the rank is still a proven lower bound.

#if canImport(Glibc)
import Glibc
#endif

public enum ModularRank {
    /// The rank over Q as the maximum rank modulo `choice`'s primes (drawn now, from the system's entropy, unless given).
    public static func rank(of source: some ExactRankSource, primes choice: PrimeChoice) -> RankResult {
        rank(of: source, primes: choice.draw(), drawnAtRandom: choice.isRandom)
    }

    /// The rank over Q as the maximum rank modulo `primes`, each in [2^62, 2^63). With `drawnAtRandom` the caller
    /// drew them uniformly and independently of the matrix (`PrimeChoice.random`), and the result carries the error
    /// bound; otherwise it carries none.
    public static func rank(of source: some ExactRankSource, primes: [UInt], drawnAtRandom: Bool) -> RankResult {
        precondition(!primes.isEmpty && primes.allSatisfy(Primes.isInRange), "ModularRank: the primes must lie in [2^62, 2^63)")
        var timer = TimedModularRank()
        let rank = primes.map { timer.rank(of: source, modulo: $0) }.max() ?? 0
        let bound = drawnAtRandom ? errorBound(rowNormLog2Bounds: source.rowNormLog2Bounds(), primeCount: primes.count) : nil
        return RankResult(rank: rank, method: .monteCarloModular, primes: primes, errorBound: bound,
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

