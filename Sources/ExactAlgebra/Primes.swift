// Word-size primes for modular ranks: random ones for the Monte Carlo rank, fixed ones for certification.
//
// The Monte Carlo error bound is a probability over the choice of prime, so that choice must be independent of the
// matrix. A prime derived from a seed the user can see is not: data can be chosen after the prime is known (a 2 x 2
// data matrix whose determinant is that prime makes every rank through it fall). So the primes of a Monte Carlo rank
// come from the operating system's entropy on every run (`fromSystemEntropy`); seeded draws remain for tests.
//
// Every prime here lies in [2^62, 2^63), so each has at least 62 bits; the error bounds in `ModularRank.swift` rely on
// that. Primality is `n_is_prime`, which FLINT documents as a proven test for every 64-bit integer (BPSW, verified
// to have no 64-bit counterexample).
internal import CFLINT
#if canImport(Glibc)
import Glibc
#endif

public enum Primes {
    public static let lowerEnd: UInt = 1 << 62
    public static let upperEnd: UInt = 1 << 63
    /// Every prime used has at least this many bits (it is at least 2^62).
    public static let minimumBits = 62.0

    public static func isPrime(_ n: UInt) -> Bool { n_is_prime(n) != 0 }

    /// A prime drawn uniformly from the primes in [2^62, 2^63): draw a uniform integer in the range, keep it if it is
    /// prime, else draw again. (Taking the next prime after a random point would favour primes after long gaps.)
    public static func random(using generator: inout SplitMix64) -> UInt {
        uniformPrime { generator.uniform(below: UInt64(lowerEnd)) }
    }

    /// A prime drawn uniformly from the primes in [2^62, 2^63) with the operating system's entropy (the standard
    /// library's `SystemRandomNumberGenerator`: getrandom(2) on Linux), independent of every seed and input.
    public static func fromSystemEntropy() -> UInt {
        var system = SystemRandomNumberGenerator()
        return uniformPrime { UInt64.random(in: 0..<UInt64(lowerEnd), using: &system) }
    }

    /// Whether `n` is one of the primes the Monte Carlo rank draws from: a prime in [2^62, 2^63).
    public static func isInRange(_ n: UInt) -> Bool { n >= lowerEnd && n < upperEnd && isPrime(n) }

    /// Rejection sampling over the odd numbers in [2^62, 2^63), from uniform offsets in 0..<2^62.
    private static func uniformPrime(offset: () -> UInt64) -> UInt {
        while true {
            let candidate = lowerEnd + UInt(offset()) | 1
            if isPrime(candidate) { return candidate }
        }
    }

    /// The `count` largest primes below 2^63, in decreasing order: the deterministic primes of certification.
    public static func largest(_ count: Int) -> [UInt] {
        var primes: [UInt] = []
        var candidate = upperEnd - 1
        while primes.count < count {
            if isPrime(candidate) { primes.append(candidate) }
            candidate -= 2
        }
        return primes
    }

    /// A lower bound on the number of primes in [2^62, 2^63), from Dusart's bounds (2010), valid for x >= 599:
    ///   x / ln x * (1 + 1 / ln x) <= pi(x) <= x / ln x * (1 + 1.2762 / ln x).
    /// So the count is at least lower(2^63) - upper(2^62), about 1.05e17.
    public static var countInRangeLowerBound: Double {
        let x1 = Double(upperEnd), x0 = Double(lowerEnd)
        let lower = x1 / log(x1) * (1 + 1 / log(x1))
        let upper = x0 / log(x0) * (1 + 1.2762 / log(x0))
        return (lower - upper).rounded(.down)
    }
}

