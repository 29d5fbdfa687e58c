// The seeded pseudo-random generator behind every seeded draw HessianRank makes: weights, data, targets (and the
// tests' primes; the tool's own primes come from the system's entropy, `PrimeChoice`).
//
// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a 64-bit state
// advanced by a fixed odd constant and passed through a bijective mixer. It is tiny, fast and fully specified, so a
// seed means the same stream on every platform and Swift version; the standard library's `random(in:using:)` makes
// no such promise about the numbers it derives, so `uniform(below:)` below is our own (rejection sampling).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for a named purpose, so that adding a draw in one place never shifts another stream.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: stream &* 0xD1B5_4A32_D192_ED03 ^ seed)
        state = mixer.next() ^ seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound, by rejection from the largest multiple of `bound` below 2^64.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = next()
            if x < limit { return x % bound }
        }
    }

    /// A uniform integer in the closed range.
    public mutating func uniform(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        return range.lowerBound &+ Int(truncatingIfNeeded: width == 0 ? next() : uniform(below: width))
    }
}
