import ExactAlgebra
import HessianCore
import Testing

@Suite struct DyadicTests {
    /// 0.5 = 1/2, -1.25 = -5/4, 3 = 12/4, 2^-40 = 1/2^40: the common exponent is 40.
    @Test func exactIntegersOverACommonPowerOfTwo() throws {
        let (matrix, exponent) = try Dyadic.integers([[0.5, -1.25], [3, 0x1p-40], [0, 1]])
        #expect(exponent == 40)
        let scale = 1 << 40
        #expect(matrix == IntegerMatrix([[scale / 2, -5 * scale / 4], [3 * scale, 1], [0, scale]]))
    }

    @Test func integersNeedNoScaling() throws {
        let (matrix, exponent) = try Dyadic.integers([[1, -2048], [7, 0]])
        #expect(exponent == 0 && matrix == IntegerMatrix([[1, -2048], [7, 0]]))
    }

    @Test func refusals() {
        #expect(throws: InputError.self) { try Dyadic.integers([[1, .nan]]) }
        #expect(throws: InputError.self) { try Dyadic.integers([[.infinity]]) }
    }

    /// Magnitudes 120 binary orders apart: 2^60 and 2^-60 over 2^60 are 2^120 and 1, as big integers.
    @Test func wideSpreadIsExact() throws {
        let (matrix, exponent) = try Dyadic.integers([[0x1p60, -0x1p-60], [3 * 0x1p-61, 0]])
        #expect(exponent == 61)
        // 2^121 = 2658455991569831745807614120560689152; -2^-60 * 2^61 = -2; 3 * 2^-61 * 2^61 = 3.
        #expect(matrix == IntegerMatrix(decimalRows: [["2658455991569831745807614120560689152", "-2"], ["3", "0"]]))
    }

    /// The extremes of float64: the smallest subnormal 2^-1074 and the largest finite (2^53 - 1) 2^971.
    @Test func wholeDoubleRange() throws {
        let (matrix, exponent) = try Dyadic.integers([[.leastNonzeroMagnitude, -.greatestFiniteMagnitude]])
        #expect(exponent == 1074)
        #expect(matrix.decimal(0, 0) == "1" && matrix.sign(0, 1) == -1 && matrix.bits(0, 1) == 53 + 971 + 1074)
    }

    /// A weight 2^-70 times smaller than its neighbours (once refused): the exact problem is the integer network with
    /// W_1 scaled by 2^70 and the targets scaled to match, built here by hand.
    @Test func exactProblemWithWideWeights() throws {
        let problem = try Problem.exact(weights: [[[1, 0x1p-70], [2, -1]], [[3, 1]]], x: [[1, 2], [3, -1]], y: [[1], [2]])
        let expected = try Problem(architecture: Architecture(widths: [2, 2, 1]),
                                   // 2^70 W_1 = [[2^70, 1], [2^71, -2^70]].
                                   weights: [IntegerMatrix(decimalRows: [["1180591620717411303424", "1"],
                                                                         ["2361183241434822606848", "-1180591620717411303424"]])!,
                                             IntegerMatrix([[3, 1]])],
                                   x: IntegerMatrix([[1, 2], [3, -1]]),
                                   y: IntegerMatrix([[1], [2]]).multiplied(byPowerOfTwo: 70))
        #expect(problem.weights == expected.weights && problem.x == expected.x && problem.y == expected.y)
    }
}
