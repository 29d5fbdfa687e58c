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
        #expect(throws: InputError.self) { try Dyadic.integers([[0x1p60, 0x1p-60]]) }
    }
}
