// H_L, H_O and H_F in Double for a network with any of the activations, with or without biases, sample by sample.
//
// Forward: a_0 = x, z_m = W_m a_{m-1} + b_m, a_m = sigma(z_m) for hidden layers, f = z_L (linear output). Residual
// e = f(x) - y. H_O = sum_n J_n^T J_n with J_n from back-propagated Jacobians. H_F = sum_n sum_c e_c Hessian(f_c) is
// built directly, column by column, as the derivative of the gradient of s = e^T f (e held fixed) along each
// parameter direction E_u (forward-over-reverse with dual numbers):
//   forward tangents   zdot_{k} = E_ij a_{k-1} (u = W_k[i, j]),  adot_m = sigma'(z_m) zdot_m,  zdot_{m+1} = W_{m+1} adot_m;
//   reverse            zbar_m = abar_m * sigma'(z_m),  abar_{m-1} = W_m^T zbar_m,  abar_L = e;
//   its tangent        zbardot_m = abardot_m * sigma'(z_m) + abar_m * sigma''(z_m) * zdot_m,
//                      d(grad W_m) = zbardot_m a_{m-1}^T + zbar_m adot_{m-1}^T,
//                      abardot_{m-1} = W_m^T zbardot_m + [m = k] E_ij^T zbar_m,  abardot_L = 0.
// A bias is a weight column fed by a constant 1: z_m = [W_m, b_m] [a_{m-1}; 1]. The constant input has no tangent and
// nothing flows back into it, so for u = b_k[i] the forward tangent starts at zdot_k = e_i (1 in place of a_{k-1}[j]),
// the gradient of b_m is zbar_m (J: df/db_m[i] = the back-propagated Jacobian of z_m[i]) with tangent
// d(grad b_m) = zbardot_m + zbar_m * 0, and the term [m = k] E_ij^T zbar_m of abardot_{k-1} is absent (it would
// flow into the constant). Parameters are in PyTorch's order: per layer W_m row-major, then b_m (`Architecture`).
// Building H_F directly, not as H_L - H_O, keeps round-off from turning into rank near a minimum. Cost O(N p^2).

import BallArithmetic
import ExactAlgebra
import NetworkModel

public struct FloatNetwork: Sendable {
    public let widths: [Int]
    public let activation: Activation
    /// weights[t]: widths[t+1] x widths[t], row-major.
    public let weights: [[Double]]
    /// b_1 ... b_L (biases[t] has widths[t+1] entries), or empty for a network without biases.
    public let biases: [[Double]]
    /// One sample per row (N x d), one target per row (N x K).
    public let x: [[Double]]
    public let y: [[Double]]

    public init(widths: [Int], activation: Activation, weights: [[Double]], biases: [[Double]] = [], x: [[Double]],
                y: [[Double]]) {
        precondition(weights.count == widths.count - 1, "FloatNetwork: one weight matrix per layer")
        for (t, w) in weights.enumerated() { precondition(w.count == widths[t + 1] * widths[t], "FloatNetwork: W\(t + 1) shape") }
        precondition(biases.isEmpty || biases.count == weights.count, "FloatNetwork: one bias vector per layer, or none")
        for (t, b) in biases.enumerated() { precondition(b.count == widths[t + 1], "FloatNetwork: b\(t + 1) shape") }
        precondition(x.count == y.count && x.allSatisfy { $0.count == widths[0] } && y.allSatisfy { $0.count == widths[widths.count - 1] },
                     "FloatNetwork: data shapes")
        self.widths = widths
        self.activation = activation
        self.weights = weights
        self.biases = biases
        self.x = x
        self.y = y
    }

    public var depth: Int { widths.count - 1 }
    public var hasBias: Bool { !biases.isEmpty }
    /// The inputs of layer t, the constant 1 of the bias included.
    func inputCount(_ t: Int) -> Int { hasBias ? widths[t] + 1 : widths[t] }
    public var parameterCount: Int { offset(depth) }
    /// Where layer t's parameters (W_t, then b_t) start in theta.
    func offset(_ t: Int) -> Int { (0..<t).reduce(0) { $0 + widths[$1 + 1] * inputCount($1) } }

    /// The index in theta of entry (i, j) of [W_t, b_t]: W_t[i, j] for j < widths[t], b_t[i] for j = widths[t].
    func parameterIndex(_ t: Int, _ i: Int, _ j: Int) -> Int {
        let columns = widths[t]
        return offset(t) + (j < columns ? i * columns + j : widths[t + 1] * columns + i)
    }

    /// The layers' weights and biases in the scalar `Scalar` (the doubles taken exactly), to apply.
    public func layers<Scalar: HessianScalar>(as _: Scalar.Type) -> ScalarLayers<Scalar> {
        ScalarLayers(widths: widths, weights: weights.map { $0.map(Scalar.exactly) }, biases: biases.map { $0.map(Scalar.exactly) })
    }
}

/// A network's weight matrices and bias vectors in a scalar (`FloatNetwork.layers(as:)`).
public struct ScalarLayers<Scalar: HessianScalar> {
    let widths: [Int]
    let weights: [[Scalar]]
    let biases: [[Scalar]]

    /// W_t v (+ b_t when `bias` and the network has biases).
    public func apply(_ t: Int, _ v: [Scalar], bias: Bool) -> [Scalar] {
        let (rows, columns) = (widths[t + 1], widths[t])
        return (0..<rows).map { i in
            (0..<columns).reduce(bias && !biases.isEmpty ? biases[t][i] : Scalar.exactly(0)) { $0 + weights[t][i * columns + $1] * v[$1] }
        }
    }

    /// W_t^T v.
    public func applyTransposed(_ t: Int, _ v: [Scalar]) -> [Scalar] {
        let (rows, columns) = (widths[t + 1], widths[t])
        var result = [Scalar](repeating: Scalar.exactly(0), count: columns)
        for i in 0..<rows where !v[i].isExactlyZero {
            for j in 0..<columns { result[j] = result[j] + weights[t][i * columns + j] * v[i] }
        }
        return result
    }
}

/// The three parts as row-major p x p arrays of a scalar (`Double` for the float path, `Midrad` balls for the
/// certified one).
public struct ScalarHessian<Scalar: HessianScalar>: Sendable {
    public let parameterCount: Int
    public let loss: [Scalar]
    public let outer: [Scalar]
    public let functional: [Scalar]

    public func entries(_ part: HessianPart) -> [Scalar] {
        switch part {
        case .loss: loss
        case .outer: outer
        case .functional: functional
        }
    }
}

public enum FloatHessian {
    public typealias Result = ScalarHessian<Double>

    /// The Double Hessians of mean squared error.
    public static func compute(_ net: FloatNetwork) -> Result { compute(net, loss: .mse, as: Double.self) }

    /// The Hessians of `loss` in the scalar `Scalar`: with `Midrad`, every entry a ball that contains the true one
    /// (the network's doubles are taken exactly).
    @_specialize(where Scalar == Midrad)
    @_specialize(where Scalar == Double)
    public static func compute<Scalar: HessianScalar>(_ net: FloatNetwork, loss lossFunction: Loss,
                                                      as _: Scalar.Type) -> ScalarHessian<Scalar> {
        let p = net.parameterCount, depth = net.depth
        let zero = Scalar.exactly(0)
        var outer = [Scalar](repeating: zero, count: p * p)
        var functional = outer
        let layers = net.layers(as: Scalar.self)
        // Entry (t, i, j) of [W_t, b_t] per parameter, in theta's order (j = widths[t] is b_t[i]).
        var parameters = [(Int, Int, Int)](repeating: (0, 0, 0), count: p)
        for t in 0..<depth {
            for i in 0..<net.widths[t + 1] {
                for j in 0..<net.inputCount(t) { parameters[net.parameterIndex(t, i, j)] = (t, i, j) }
            }
        }
        let one = Scalar.exactly(1)
        var jacobians: [[[Scalar]]] = [], weighted: [[[Scalar]]] = []
        for (xRow, y) in zip(net.x, net.y) {
            let x = xRow.map(Scalar.exactly)
            // Forward values: a[m], z[m], sigma'(z[m]), sigma''(z[m]) for levels m = 1 ... L.
            var a = [x], first: [[Scalar]] = [[]], second: [[Scalar]] = [[]]
            for t in 0..<depth {
                let z = layers.apply(t, a[t], bias: true)
                if t == depth - 1 {
                    a.append(z); first.append(z.map { _ in one }); second.append(z.map { _ in zero })
                } else if net.activation.hasKinks && !net.hasBias && a[t].allSatisfy(\.isExactlyZero) {
                    // A layer fed only zeros (no bias): its pre-activations are 0 near this point whatever the
                    // parameters, so its units are constant there, masked, as in the direct route: no kink.
                    a.append(z.map { _ in zero }); first.append(z.map { _ in zero }); second.append(z.map { _ in zero })
                } else {
                    let s = z.map { Scalar.activation($0, net.activation) }
                    a.append(s.map(\.value)); first.append(s.map(\.first)); second.append(s.map(\.second))
                }
            }
            // [a[m]; 1] entry j: what multiplies entry (i, j) of [W_{m+1}, b_{m+1}].
            func input(_ m: Int, _ j: Int) -> Scalar { j < net.widths[m] ? a[m][j] : one }
            let (lossHessian, e) = Scalar.lossDerivatives(output: a[depth], targets: y, loss: lossFunction)
            // Reverse values: zbar[m] for m = 1 ... L.
            var zbar = [[Scalar]](repeating: [], count: depth + 1)
            var abar = e
            for m in stride(from: depth, through: 1, by: -1) {
                zbar[m] = zip(abar, first[m]).map { $0 * $1 }
                abar = layers.applyTransposed(m - 1, zbar[m])
            }
            // Jacobian columns: df/d[W_t, b_t][i, j] = dz-Jacobian column i at level t+1 times [a[t]; 1][j].
            var jacobian = [[Scalar]](repeating: [], count: p)
            var delta: [[Scalar]] = (0..<net.widths[depth]).map { c in (0..<net.widths[depth]).map { $0 == c ? one : zero } } // K x M_L
            for m in stride(from: depth, through: 1, by: -1) {
                let scaled = delta.map { row in zip(row, first[m]).map { $0 * $1 } }          // K x M_m
                for i in 0..<net.widths[m] {
                    for j in 0..<net.inputCount(m - 1) {
                        jacobian[net.parameterIndex(m - 1, i, j)] = scaled.map { $0[i] * input(m - 1, j) }
                    }
                }
                delta = scaled.map { layers.applyTransposed(m - 1, $0) }                             // K x M_{m-1}
            }
            jacobians.append(jacobian)
            // A J_u per parameter (J_u itself for mse, whose A is the identity).
            weighted.append(lossFunction == .mse ? jacobian : jacobian.map { column in
                lossHessian.map { row in zip(row, column).reduce(zero) { $0 + $1.0 * $1.1 } }
            })
            // H_F column by column.
            for (u, (k, i, j)) in parameters.enumerated() {
                var zdot = (0...depth).map { [Scalar](repeating: zero, count: net.widths[$0]) }
                var adot = zdot
                zdot[k + 1][i] = input(k, j)
                for m in (k + 1)...depth {
                    adot[m] = m == depth ? zdot[m] : zip(zdot[m], first[m]).map { $0 * $1 }
                    if m < depth { zdot[m + 1] = layers.apply(m, adot[m], bias: false) }
                }
                var abardot = [Scalar](repeating: zero, count: net.widths[depth])
                var abarLevel = e
                for m in stride(from: depth, through: 1, by: -1) {
                    var zbardot = [Scalar](repeating: zero, count: net.widths[m])
                    for q in 0..<zbardot.count {
                        zbardot[q] = abardot[q] * first[m][q] + abarLevel[q] * second[m][q] * zdot[m][q]
                    }
                    let columns = net.widths[m - 1]
                    for r in 0..<net.widths[m] {
                        for c in 0..<columns {
                            let value = zbardot[r] * a[m - 1][c] + zbar[m][r] * adot[m - 1][c]
                            if !value.isExactlyZero {
                                let index = u * p + net.parameterIndex(m - 1, r, c)
                                functional[index] = functional[index] + value
                            }
                        }
                        // The bias: its input is the constant 1, without tangent.
                        if net.hasBias && !zbardot[r].isExactlyZero {
                            let index = u * p + net.parameterIndex(m - 1, r, columns)
                            functional[index] = functional[index] + zbardot[r]
                        }
                    }
                    var next = layers.applyTransposed(m - 1, zbardot)
                    if m - 1 == k && j < columns { next[j] = next[j] + zbar[m][i] }
                    abardot = next
                    abarLevel = layers.applyTransposed(m - 1, zbar[m])
                }
            }
        }
        outer = Scalar.outerPart(jacobians: jacobians, weighted: weighted, parameterCount: p)
        let loss = zip(outer, functional).map { $0 + $1 }
        return ScalarHessian(parameterCount: p, loss: loss, outer: outer, functional: functional)
    }
}

extension HessianScalar {
    public static func outerPart(jacobians: [[[Self]]], weighted: [[[Self]]], parameterCount p: Int) -> [Self] {
        outerPartBySamples(jacobians: jacobians, weighted: weighted, parameterCount: p)
    }

    /// H_O = sum_n J_n^T (A_n J_n), symmetric, from each sample's Jacobian columns J_n[u] (K entries per parameter)
    /// and (A_n J_n)[u]: sample by sample, the upper triangle, mirrored.
    public static func outerPartBySamples(jacobians: [[[Self]]], weighted: [[[Self]]], parameterCount p: Int) -> [Self] {
        var outer = [Self](repeating: Self.exactly(0), count: p * p)
        for (jacobian, aj) in zip(jacobians, weighted) {
            for u in 0..<p {
                for v in u..<p {
                    var dot = Self.exactly(0)
                    for c in 0..<jacobian[u].count { dot = dot + jacobian[u][c] * aj[v][c] }
                    outer[u * p + v] = outer[u * p + v] + dot
                }
            }
        }
        for u in 0..<p { for v in 0..<u { outer[u * p + v] = outer[v * p + u] } }
        return outer
    }
}

extension FloatNetwork {
    /// The problem's integers as Doubles, each weight matrix scaled by 2^-weightExponents[t], the data by
    /// 2^-dataExponent, the targets by 2^-targetExponent, and b_t by 2^-(a_1 + ... + a_t + dataExponent), the scale of
    /// layer t's pre-activation (a_t = weightExponents[t]): for relu, leaky-relu and linear networks, positively
    /// homogeneous, the float network is then the integer one divided by that power of two layer by layer
    /// (`Problem.matchingOutputAndTargetScales`). Exact (powers of two) while entries stay below 2^53.
    public init(_ problem: Problem, activation: Activation, weightExponents: [Int]? = nil, dataExponent: Int = 0,
                targetExponent: Int = 0) {
        func doubles(_ m: IntegerMatrix, _ exponent: Int) -> [[Double]] {
            (0..<m.rowCount).map { i in (0..<m.columnCount).map { j in Double(m.decimal(i, j))! * pow(2, Double(-exponent)) } }
        }
        let exponents = weightExponents ?? [Int](repeating: 0, count: problem.weights.count)
        let biasExponents = exponents.indices.map { t in exponents[...t].reduce(dataExponent, +) }
        self.init(widths: problem.architecture.widths, activation: activation,
                  weights: zip(problem.weights, exponents).map { doubles($0, $1).flatMap { $0 } },
                  biases: zip(problem.biases, biasExponents).map { doubles($0, $1).flatMap { $0 } },
                  x: doubles(problem.x, dataExponent), y: doubles(problem.y, targetExponent))
    }
}

#if canImport(Glibc)
import Glibc
#endif
