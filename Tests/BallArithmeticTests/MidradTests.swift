import BallArithmetic
import ExactAlgebra
import Foundation
import Testing

/// Double balls: every sum and product of points inside the operands lies inside the result (checked exactly against
/// Arb, whose products of doubles at 256 bits are exact), exact operations keep radius 0, and the rounding of
/// underflowing products is covered.
@Suite struct MidradTests {
    /// A seeded stream of doubles with varied exponents and signs.
    struct Stream {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func double(exponents: ClosedRange<Int>) -> Double {
            let mantissa = Double(next() >> 11) * 0x1p-53
            let exponent = generator.uniform(in: exponents)
            return (next() & 1 == 0 ? 1 : -1) * (0.5 + mantissa / 2) * pow(2, Double(exponent))
        }
    }

    /// Doubles inside a ball: its midpoint and points near its ends (kept only if exactly inside, by Arb).
    static func points(_ a: Midrad) -> [Double] {
        [a.midpoint, a.midpoint - a.radius * 0.999, a.midpoint + a.radius * 0.999].filter { a.overlaps(Ball(exactly: $0)) }
    }

    @Test(arguments: [(-8...8), (-200...(-150)), (-560...(-500)), (400...500)])
    func sumsAndProductsContainEveryPointProduct(exponents: ClosedRange<Int>) {
        var stream = Stream(state: UInt64(exponents.lowerBound + 1000))
        var compared = 0
        for _ in 0..<400 {
            let a = Midrad(midpoint: stream.double(exponents: exponents),
                           radius: stream.next() % 3 == 0 ? 0 : abs(stream.double(exponents: exponents)) * 0x1p-20)
            let b = Midrad(midpoint: stream.double(exponents: exponents),
                           radius: stream.next() % 3 == 0 ? 0 : abs(stream.double(exponents: exponents)) * 0x1p-20)
            let (sum, product) = (a + b, a * b)
            for x in Self.points(a) {
                for y in Self.points(b) {
                    // Exact in Arb: a sum or product of two doubles needs at most 2 x 53 bits plus the exponent gap,
                    // and 4096 bits hold every pair here.
                    let exactSum = Ball(exactly: x).adding(Ball(exactly: y), precision: 4096)
                    let exactProduct = Ball(exactly: x).multiplied(by: Ball(exactly: y), precision: 4096)
                    #expect(sum.overlaps(exactSum) && product.overlaps(exactProduct), "\(a) \(b) at \(x), \(y)")
                    compared += 1
                }
            }
        }
        #expect(compared > 2000)
    }

    @Test func exactOperationsKeepRadiusZero() {
        let (a, b) = (Midrad(exactly: 3), Midrad(exactly: -0.25))
        #expect((a + b) == Midrad(exactly: 2.75))
        #expect((a * b) == Midrad(exactly: -0.75))
        #expect((a - a) == Midrad(exactly: 0))
        // 1/3 is not a double: the product's rounding error, exactly.
        let third = Midrad(exactly: 1.0 / 3) * Midrad(exactly: 3)
        #expect(third.radius > 0 && third.overlaps(Ball(exactly: 1.0 / 3).multiplied(by: Ball(3), precision: 256)))
    }

    @Test func underflowIsCovered() {
        let tiny = Midrad(exactly: 0x1p-600)
        let product = tiny * tiny
        #expect(product.midpoint == 0 && product.radius > 0)
        #expect(product.overlaps(Ball(exactly: 0x1p-600).multiplied(by: Ball(exactly: 0x1p-600), precision: 64)))
        #expect(!product.excludesZero)
    }

    @Test func overflowIsUnknown() {
        let huge = Midrad(exactly: 0x1p1000) * Midrad(exactly: 0x1p1000)
        #expect(!huge.isFinite && !huge.excludesZero)
    }

    @Test func arbRoundTripEncloses() {
        let third = Ball(1).divided(by: Ball(3), precision: 200)
        let m = Midrad(third)
        #expect(m.overlaps(third) && m.radius > 0 && m.radius < 1e-16)
        #expect(Midrad(Ball(7)) == Midrad(exactly: 7))
    }
}
