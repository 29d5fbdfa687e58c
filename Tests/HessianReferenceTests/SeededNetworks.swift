// Seeded small networks for the reference's tests. The generator is written here (SplitMix64, the same mixer as
// ExactAlgebra's, which this target does not import), so that a seed names one network on every platform; failures
// print the case and its seed.
import HessianReference

struct SeededGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An integer in -bound...bound (the modulo bias is irrelevant for tests).
    mutating func value(_ bound: Int) -> Int128 { Int128(Int(next() % UInt64(2 * bound + 1)) - bound) }
}

/// One case of the agreement tables: widths, bias or not, activation, samples.
struct ReferenceCase: CustomStringConvertible, Sendable {
    let widths: [Int]
    let bias: Bool
    let activation: ReferenceActivation
    let samples: Int

    var description: String { "widths \(widths), \(bias ? "bias" : "no bias"), \(activation), N = \(samples)" }

    /// The network drawn from `seed`: every weight, bias, sample and target in -bound...bound.
    func network(seed: UInt64, bound: Int = 3) throws -> ReferenceNetwork {
        var g = SeededGenerator(seed: seed)
        let weights = (0..<(widths.count - 1)).map { t in
            (0..<widths[t + 1]).map { _ in (0..<widths[t]).map { _ in g.value(bound) } }
        }
        let biases = bias ? (1..<widths.count).map { t in (0..<widths[t]).map { _ in g.value(bound) } } : nil
        let x = (0..<samples).map { _ in (0..<widths[0]).map { _ in g.value(bound) } }
        let y = (0..<samples).map { _ in (0..<widths[widths.count - 1]).map { _ in g.value(bound) } }
        return try ReferenceNetwork(widths: widths, weights: weights, biases: biases, samples: x, targets: y)
    }

    /// The first draw from seed, seed + 1, ... that is off every kink, with `body` applied to it; nil if the first 50
    /// all sit on a kink.
    func firstOffKink<T>(seed: UInt64, _ body: (ReferenceNetwork, UInt64) throws -> T) throws -> T? {
        for k in 0..<50 as Range<UInt64> {
            do {
                return try body(try network(seed: seed + k), seed + k)
            } catch ReferenceFailure.kink {
                continue
            }
        }
        return nil
    }

    static let activations: [ReferenceActivation] = [
        .linear, .relu, .leakyReLU(numerator: 0, denominator: 1), .leakyReLU(numerator: 1, denominator: 8),
        .leakyReLU(numerator: -1, denominator: 2), .leakyReLU(numerator: 2, denominator: 3), .leakyReLU(numerator: 3, denominator: 1),
    ]

    static let shapes: [[Int]] = [[1, 2, 1], [2, 3, 2], [3, 2, 2, 1], [2, 2, 2, 2]]

    /// Every shape, with and without bias, with every activation.
    static let table: [ReferenceCase] = shapes.flatMap { widths in
        [false, true].flatMap { bias in activations.map { ReferenceCase(widths: widths, bias: bias, activation: $0, samples: 3) } }
    }
}
