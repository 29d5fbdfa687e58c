// One real ball in double precision, [midpoint +- radius]: it stands for every real number within `radius` of
// `midpoint` and is guaranteed to contain the true value it was computed for. Arb's balls (`Ball`) carry any precision
// and cost an allocation each; these are two doubles, for the large Hessians (thousands of parameters) where 53 bits
// suffice and speed matters.
//
// Every operation rounds to nearest (the hardware's mode; nothing here changes it) and widens the radius by what that
// rounding cost, computed exactly where possible:
//   - the rounding error of a sum s = fl(x + y) is exactly representable and found by Knuth's TwoSum, (x + y) - s;
//   - that of a product m = fl(x y) is exactly fma(x, y, -m) when |m| >= 2^-960 (no underflow in either); below, it is
//     bounded by 2^-959 (the exact product is below m (1 + 2^-52) + 2^-1074 < 2^-959);
//   - a nonnegative sum or product is rounded up by comparing with that error: fl(x + y), or its nextUp when the error
//     is positive, is >= x + y (`sumUp`, `productUp`); radii are built only from such steps, so each computed radius
//     is at least the exact expression it stands for:
//       a + b:  m = fl(a.m + b.m),  r >= a.r + b.r + |err(m)|
//       a * b:  m = fl(a.m * b.m),  r >= |a.m| b.r + a.r |b.m| + a.r b.r + |err(m)|
//     (the true product x y with |x - a.m| <= a.r, |y - b.m| <= b.r differs from a.m b.m by at most the first three
//     terms). Exact inputs whose sum or product is exact keep radius 0: integer Hessians stay exact.
// A NaN or infinite midpoint or radius propagates; such a ball excludes nothing (`excludesZero` is false).
internal import CArb

public struct Midrad: Sendable, Equatable, CustomStringConvertible {
    public let midpoint: Double
    /// Nonnegative (or NaN/infinite for a value that is unknown).
    public let radius: Double

    @inlinable
    public init(midpoint: Double, radius: Double) {
        precondition(!(radius < 0), "Midrad: negative radius")
        self.midpoint = midpoint
        self.radius = radius
    }

    /// Exactly x (radius 0).
    @inlinable
    public init(exactly x: Double) { self.init(midpoint: x, radius: 0) }

    public static let zero = Midrad(exactly: 0)

    /// A double ball containing Arb's ball: the midpoint rounded to nearest, the radius rounded up and covering that
    /// rounding.
    public init(_ ball: Ball) {
        var mid = 0.0, rad = 0.0
        CArb_get_midrad(ball.pointer, &mid, &rad)
        self.init(midpoint: mid, radius: rad.isNaN ? .infinity : rad)
    }

    /// The same ball as Arb's (the radius rounded up to Arb's magnitude), for the transcendental functions.
    public var ball: Ball {
        let result = Ball()
        CArb_set_midrad(result.pointer, midpoint, radius)
        return result
    }

    /// Whether every value in the ball is nonzero: a proof that the true value is.
    @inlinable
    public var excludesZero: Bool { midpoint.magnitude > radius }
    public var isFinite: Bool { midpoint.isFinite && radius.isFinite }
    /// Whether the ball contains x (both ends included).
    public func contains(_ x: Double) -> Bool { (x - midpoint).magnitude <= radius }

    /// Whether this ball and Arb's have a point in common (exact comparison): two enclosures of one true value must.
    public func overlaps(_ ball: Ball) -> Bool { CArb_overlaps_midrad(ball.pointer, midpoint, radius) != 0 }

    public var description: String { "[\(midpoint) +- \(radius)]" }

    /// x + y rounded up (for x, y >= 0, or infinite).
    @inlinable @inline(__always)
    static func sumUp(_ x: Double, _ y: Double) -> Double {
        let s = x + y
        return sumError(x, y, s) > 0 ? s.nextUp : s
    }

    /// (x + y) - fl(x + y), exactly (TwoSum); NaN when the sum is not finite.
    @inlinable @inline(__always)
    static func sumError(_ x: Double, _ y: Double, _ s: Double) -> Double {
        let t = s - x
        return (x - (s - t)) + (y - t)
    }

    /// x y rounded up (for x, y >= 0, or infinite).
    @inlinable @inline(__always)
    static func productUp(_ x: Double, _ y: Double) -> Double {
        let m = x * y
        guard m.isFinite else { return m }
        if m < 0x1p-960 { return x == 0 || y == 0 ? 0 : 0x1p-959 }
        return (-m).addingProduct(x, y) > 0 ? m.nextUp : m
    }

    @inlinable
    public static func + (a: Midrad, b: Midrad) -> Midrad {
        let m = a.midpoint + b.midpoint
        guard m.isFinite else { return Midrad(midpoint: m, radius: .infinity) }
        return Midrad(midpoint: m, radius: sumUp(sumUp(a.radius, b.radius), sumError(a.midpoint, b.midpoint, m).magnitude))
    }

    @inlinable
    public static prefix func - (a: Midrad) -> Midrad { Midrad(midpoint: -a.midpoint, radius: a.radius) }

    @inlinable
    public static func - (a: Midrad, b: Midrad) -> Midrad { a + (-b) }

    @inlinable
    public static func * (a: Midrad, b: Midrad) -> Midrad {
        let m = a.midpoint * b.midpoint
        guard m.isFinite else { return Midrad(midpoint: m, radius: .infinity) }
        let rounding = m.magnitude >= 0x1p-960 ? (-m).addingProduct(a.midpoint, b.midpoint).magnitude
            : (a.midpoint == 0 || b.midpoint == 0 ? 0 : 0x1p-959)
        if a.radius == 0 && b.radius == 0 { return Midrad(midpoint: m, radius: rounding) }
        let spread = sumUp(productUp(a.midpoint.magnitude, b.radius), productUp(a.radius, b.midpoint.magnitude))
        return Midrad(midpoint: m, radius: sumUp(sumUp(spread, productUp(a.radius, b.radius)), rounding))
    }

    @inlinable
    public static func += (a: inout Midrad, b: Midrad) { a = a + b }
}
