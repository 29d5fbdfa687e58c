import ExactAlgebra
import Testing

@Suite struct PrimesTests {
    /// The largest primes below 2^63 are 2^63 - 25, 2^63 - 165, 2^63 - 259 (checked with sympy when written).
    @Test func largestPrimesBelowTwoToThe63() {
        let top = UInt(1) << 63
        #expect(Primes.largest(3) == [top - 25, top - 165, top - 259])
    }

    @Test func randomPrimesLieInRangeAndAreSeeded() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let first = (0..<20).map { _ in Primes.random(using: &a) }
        #expect(first == (0..<20).map { _ in Primes.random(using: &b) })
        #expect(first.allSatisfy { $0 >= Primes.lowerEnd && $0 < Primes.upperEnd && Primes.isPrime($0) })
        #expect(Set(first).count == 20)
    }

    /// Primes from the system's entropy: in range, prime, and not a function of anything the program was given.
    @Test func entropyPrimesLieInRangeAndDiffer() {
        let drawn = (0..<8).map { _ in Primes.fromSystemEntropy() }
        #expect(drawn.allSatisfy(Primes.isInRange))
        #expect(Set(drawn).count == 8, "8 draws from about 1e17 primes repeat with probability below 1e-15")
        #expect(PrimeChoice.random(count: 3).draw().count == 3)
        #expect(PrimeChoice.given([drawn[0]]).draw() == [drawn[0]])
        #expect(!Primes.isInRange(Primes.lowerEnd - 1) && !Primes.isInRange(Primes.largest(1)[0] + 2))
    }

    @Test func smallPrimalityAgreesWithTrialDivision() {
        func trial(_ n: UInt) -> Bool { n >= 2 && !(2..<n).contains { $0 * $0 <= n && n % $0 == 0 } }
        for n in UInt(0)...500 { #expect(Primes.isPrime(n) == trial(n), "n = \(n)") }
    }
}
