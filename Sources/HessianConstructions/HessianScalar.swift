// The numbers FloatHessian's algorithm runs on: plain doubles (the float path), or double balls (`Midrad`) that
// enclose every true entry (the certified path for tanh, sigmoid, elu, and for the losses with transcendental
// derivatives). The algorithm is written once; a scalar supplies its arithmetic, the activation's derivatives and the
// loss's derivatives in the outputs.
import BallArithmetic
import NetworkModel

#if canImport(Glibc)
import Glibc
#endif

public protocol HessianScalar: Sendable {
    /// Exactly x.
    static func exactly(_ x: Double) -> Self
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    /// Exactly zero (an entry that need not be added).
    var isExactlyZero: Bool { get }
    /// sigma(z), sigma'(z), sigma''(z).
    static func activation(_ z: Self, _ activation: Activation) -> (value: Self, first: Self, second: Self)
    /// The loss's Hessian A (K x K) and gradient g (K) in the outputs f, at targets y (exact doubles).
    static func lossDerivatives(output f: [Self], targets y: [Double], loss: Loss) -> (a: [[Self]], g: [Self])
    /// H_O = sum_n J_n^T (A_n J_n) (row-major p x p) from each sample's Jacobian columns J_n[u] (K entries per
    /// parameter) and (A_n J_n)[u]. A default implementation sums sample by sample (`outerPartBySamples`).
    static func outerPart(jacobians: [[[Self]]], weighted: [[[Self]]], parameterCount p: Int) -> [Self]
}

extension Double: HessianScalar {
    public var isExactlyZero: Bool { self == 0 }
    public static func exactly(_ x: Double) -> Double { x }

    public static func activation(_ z: Double, _ activation: Activation) -> (value: Double, first: Double, second: Double) {
        activation.evaluate(z)
    }

    public static func lossDerivatives(output f: [Double], targets y: [Double], loss: Loss) -> (a: [[Double]], g: [Double]) {
        let k = f.count
        switch loss {
        case .mse:
            let identity: [[Double]] = (0..<k).map { c in (0..<k).map { d in d == c ? 1.0 : 0.0 } }
            return (identity, zip(f, y).map { $0 - $1 })
        case .crossEntropy:
            let top = f.max() ?? 0
            let exps = f.map { Glibc.exp($0 - top) }
            let sum = exps.reduce(0, +)
            let pi = exps.map { $0 / sum }
            let a: [[Double]] = (0..<k).map { c in
                (0..<k).map { d -> Double in c == d ? pi[c] * (1 - pi[c]) : -pi[c] * pi[d] }
            }
            return (a, zip(pi, y).map { $0 - $1 })
        case .logCosh:
            let residuals = zip(f, y).map { $0 - $1 }
            let a: [[Double]] = (0..<k).map { c in
                (0..<k).map { d -> Double in c == d ? 1 / Glibc.pow(Glibc.cosh(residuals[c]), 2) : 0 }
            }
            return (a, residuals.map { Glibc.tanh($0) })
        }
    }
}
