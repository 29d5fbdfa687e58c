// Double balls as FloatHessian's scalar: arithmetic from `Midrad`, transcendental values from Arb at 128 bits (a ball
// around the argument in, a ball around sigma(z) or the loss's derivatives out), so every entry of the resulting
// Hessians encloses the true one. At a kink of a piecewise-linear activation (a ball around z that contains 0, or z
// exactly 0) the derivatives are unknown: NaN balls, which prove nothing downstream.
import BallArithmetic
import NetworkModel

extension Midrad: HessianScalar {
    /// The working precision of the transcendental functions (the result is then rounded to a double ball).
    static let functionPrecision = 128

    public var isExactlyZero: Bool { midpoint == 0 && radius == 0 }
    public static func exactly(_ x: Double) -> Midrad { Midrad(exactly: x) }

    static let unknown = Midrad(midpoint: .nan, radius: .infinity)

    public static func activation(_ z: Midrad, _ activation: Activation) -> (value: Midrad, first: Midrad, second: Midrad) {
        switch activation {
        case .linear:
            return (z, Midrad(exactly: 1), .zero)
        case .relu, .leakyReLU:
            guard z.excludesZero else { return (unknown, unknown, unknown) }
            if z.midpoint > 0 { return (z, Midrad(exactly: 1), .zero) }
            guard case .leakyReLU(let a) = activation else { return (.zero, .zero, .zero) }
            let slope = Midrad(Ball(a.numerator).divided(by: Ball(a.denominator), precision: functionPrecision))
            return (slope * z, slope, .zero)
        case .elu:
            guard z.excludesZero else { return (unknown, unknown, unknown) }
            if z.midpoint > 0 { return (z, Midrad(exactly: 1), .zero) }
            let e = Midrad(z.ball.exp(precision: functionPrecision))
            return (e - Midrad(exactly: 1), e, e)
        case .tanh, .sigmoid:
            let (s, s1, s2) = SmoothBallHessian.activation(z.ball, activation, functionPrecision)
            return (Midrad(s), Midrad(s1), Midrad(s2))
        }
    }

    public static func lossDerivatives(output f: [Midrad], targets y: [Double], loss: Loss) -> (a: [[Midrad]], g: [Midrad]) {
        let (a, g) = BallHessian.lossDerivatives(output: f.map(\.ball), targets: y, loss: loss, precision: functionPrecision)
        let k = f.count
        return ((0..<k).map { c in (0..<k).map { d in Midrad(a.entry(c, d)) } }, g.map { Midrad($0) })
    }

    /// H_O as one enclosed BLAS product J^T (A J), J stacking every sample's K x p Jacobian (`MidradMatrix`): a few
    /// dgemm calls instead of N p^2 K / 2 scalar ball operations.
    public static func outerPart(jacobians: [[[Midrad]]], weighted: [[[Midrad]]], parameterCount p: Int) -> [Midrad] {
        func stacked(_ columns: [[[Midrad]]]) -> MidradMatrix {
            // Row (n, c), column u: columns[n][u][c].
            var balls: [Midrad] = []
            for sample in columns {
                let k = sample.first?.count ?? 0
                for c in 0..<k { for u in 0..<p { balls.append(sample[u][c]) } }
            }
            return MidradMatrix(rows: balls.count / max(p, 1), columns: p, balls: balls)
        }
        let product = stacked(jacobians).transposed.multiplied(by: stacked(weighted))
        return (0..<(p * p)).map { product.ball($0 / p, $0 % p) }
    }
}
