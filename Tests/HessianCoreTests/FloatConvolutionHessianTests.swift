import ExactAlgebra
import Foundation
import HessianCore
import Testing

/// `ParametrizedHessians.float`: the exact construction's algorithm run over `DoubleMatrix` at a dyadic point. It is
/// the exact Hessian of `matchedProblem` rescaled by a diagonal of powers of two (H_float = D H~ D / 2^(2S), the
/// argument in ParametrizedLinearHessian.swift), up to float rounding; at an integer point with small values, where
/// every operation is exact, it is the exact Hessian bit for bit.
@Suite struct FloatConvolutionHessianTests {
    /// 1-D and 2-D, valid and same padding (an even kernel too), stride 2, several channels, two convolutions, biases.
    static let shapes: [(input: String, layers: String, samples: Int)] = [
        ("1x6", "conv:2:3,dense:2", 4),
        ("1x5x5", "conv:2:3:same,dense:2", 3),
        ("2x6x6", "conv:2:3:s2,dense:2", 4),
        ("1x4x4", "conv:2:2:bias,conv:1:2,dense:2:bias", 3),
        ("3x8", "conv:2:4:same,conv:2:2:s2,dense:3", 4),
        ("2x12", "conv:3:4:same:bias,conv:3:3:s2:bias,dense:5:bias", 6),
        ("1x7x7", "conv:2:3:s2:bias,conv:2:2:same:bias,dense:3:bias", 5),
        ("1x10x10", "conv:3:3,conv:3:3:s2,dense:6", 16),
        ("1x32", "conv:2:3,conv:2:3,conv:2:3,conv:2:3,dense:4", 24),
    ]
    /// The shapes whose unscaled Hessians (and every partial sum) stay below 2^50: all but the four-convolution one.
    static let small = 0..<(shapes.count - 1)

    static func problem(_ index: Int) throws -> ConvolutionalProblem {
        let shape = shapes[index]
        return try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: shape.input, layers: shape.layers),
                                             samples: shape.samples, seed: UInt64(index + 1))
    }

    /// At calibrate's scaling (W_t over 2^(4 + ceil(log2 sqrt(fan-in))), data and targets over 2^4, biases at their
    /// pre-activation's scale), each float part equals 2^(d_i + d_j - 2S) times the exact part of the matched problem,
    /// to a relative 1e-12 (of the part's largest entry). (Measured: equal exactly on all but the four-convolution
    /// network, whose parts differ by up to 2.5e-16 against a largest entry of 0.44: some of its sums need more than
    /// 53 bits.)
    @Test(arguments: 0..<shapes.count)
    func floatHessiansAreTheExactOnesScaledByPowersOfTwo(_ index: Int) throws {
        let problem = try Self.problem(index), a = problem.architecture
        let weights = (0..<a.depth).map { 4 + Int(ceil(log2(Double(a.fanIn($0)).squareRoot()))) }
        let float = ParametrizedHessians.float(problem, weightExponents: weights, dataExponent: 4, targetExponent: 4,
                                               parts: Set(HessianPart.allCases))
        let exact = ParametrizedLinearHessian(ParametrizedHessians.matchedProblem(problem, weightExponents: weights,
                                                                                 dataExponent: 4, targetExponent: 4))
        let d = ParametrizedHessians.parameterExponents(a, weightExponents: weights, dataExponent: 4)
        let s = weights.reduce(4, +), p = problem.parameterCount
        for part in HessianPart.allCases {
            let h = try #require(float[part]), reference = DoubleMatrix(exact.matrix(part))
            #expect(h.rowCount == p && h.columnCount == p)
            let (largest, error) = scaledComparison(h, reference, exponents: d, shift: s)
            #expect(largest > 0 && error <= 1e-12 * largest, "\(a.input) \(a.layersText) \(part): error \(error), largest \(largest)")
        }
    }

    /// The parameters' exponents by hand: 1x4x4 conv:2:2:bias,conv:1:2,dense:2:bias with a = [5, 6, 7] and b = 4:
    /// 8 weights over 2^5, 2 biases over 2^(5 + 4), 8 weights over 2^6, 8 over 2^7, 2 biases over 2^(5 + 6 + 7 + 4).
    @Test func parameterExponentsByHand() throws {
        let a = try ConvolutionalArchitecture(input: "1x4x4", layers: "conv:2:2:bias,conv:1:2,dense:2:bias")
        let d = ParametrizedHessians.parameterExponents(a, weightExponents: [5, 6, 7], dataExponent: 4)
        #expect(d == Array(repeating: 5, count: 8) + [9, 9] + Array(repeating: 6, count: 8) + Array(repeating: 7, count: 8) + [22, 22])
    }

    /// At the unscaled integer point (every exponent 0), with drawn values in -16...16, every entry (and here every
    /// partial sum) is an integer far below 2^53, so no operation rounds: the float Hessians are the exact ones, bit
    /// for bit.
    @Test(arguments: small)
    func atAnIntegerPointTheFloatHessianIsTheExactOne(_ index: Int) throws {
        let problem = try Self.problem(index)
        let float = ParametrizedHessians.float(problem, weightExponents: Array(repeating: 0, count: problem.architecture.depth),
                                               dataExponent: 0, targetExponent: 0, parts: Set(HessianPart.allCases))
        let exact = ParametrizedLinearHessian(problem)
        for part in HessianPart.allCases {
            let reference = exact.matrix(part)
            #expect((0..<reference.rowCount).allSatisfy { i in (0..<reference.columnCount).allSatisfy { reference.bits(i, $0) < 50 } })
            #expect(float[part] == DoubleMatrix(reference), "\(part)")
        }
    }
}

/// A float Hessian against D H~ D / 2^(2 shift), D = diag(2^d_i), built exactly from `reference` (H~ as doubles):
/// the largest magnitude of the expected entries and the largest entrywise error, over every p x p entry.
func scaledComparison(_ h: DoubleMatrix, _ reference: DoubleMatrix, exponents d: [Int], shift s: Int) -> (largest: Double, error: Double) {
    var largest = 0.0, error = 0.0
    for i in 0..<reference.rowCount {
        for j in 0..<reference.columnCount {
            let expected = Double(sign: .plus, exponent: d[i] + d[j] - 2 * s, significand: reference[i, j])
            largest = max(largest, abs(expected))
            error = max(error, abs(h[i, j] - expected))
        }
    }
    return (largest, error)
}
