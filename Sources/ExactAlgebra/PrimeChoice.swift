// Where the primes of a Monte Carlo rank come from, and so what its answer may claim.
//
// A rank modulo any prime is a proven lower bound on the rank over Q. The probability that it falls short is bounded
// (`ModularRank.errorBound`) only over a prime drawn at random, independently of the matrix: the bound then holds for
// every input, including one chosen by someone who has read earlier outputs. Primes a user gives (to replay a run
// exactly) carry no such bound: the ranks stay lower bounds, and no probability is claimed.

public enum PrimeChoice: Sendable, Equatable {
    /// `count` primes drawn uniformly from [2^62, 2^63) with the operating system's entropy, anew at each `draw()`.
    case random(count: Int)
    /// Primes given by the user, each in [2^62, 2^63) (`Primes.isInRange`): reproducible, with no probability bound.
    case given([UInt])

    /// The primes to use: fresh ones for `.random`, the given ones otherwise.
    public func draw() -> [UInt] {
        switch self {
        case .random(let count): (0..<count).map { _ in Primes.fromSystemEntropy() }
        case .given(let primes): primes
        }
    }

    /// Whether the error bound applies: only to primes this run drew itself.
    public var isRandom: Bool {
        if case .random = self { return true }
        return false
    }
}
