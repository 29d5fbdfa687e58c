// Tests pin their primes to a seed, so that a failure reproduces; the tool itself draws them from the system's
// entropy (`PrimeChoice`).
import ExactAlgebra

enum SeededPrime {
    /// A prime in [2^62, 2^63) that is a fixed function of `seed`.
    static func prime(_ seed: UInt64) -> UInt {
        var stream = SplitMix64(seed: seed, stream: 4)
        return Primes.random(using: &stream)
    }
}
