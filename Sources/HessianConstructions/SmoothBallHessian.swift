// The Hessians of a network with a smooth hidden activation (tanh, sigmoid; also linear, as a check) under mean
// squared error, as ball matrices: entries involve tanh or exp of integers, so no exact rational Hessian exists, but
// balls that contain every true entry do.
//
// Network: g_0 = x, z_t = W_t g_(t-1) (+ b_t), g_t = sigma(z_t) for hidden layers, f = z_L. Per sample and per pair of
// parameters (u, v), a forward pass in hyper-dual numbers (value, d/du, d/dv, d2/dudv), every component a ball, gives
// f, its first derivatives and its second derivative in (u, v) exactly as balls. Then
//     H_O[u, v] = sum_n sum_c df_c/du df_c/dv,    H_F[u, v] = sum_n sum_c (f_c - y_c) d2f_c/dudv,    H_L = H_O + H_F
// (proofs/hessian-decomposition.md). O(N p^2) forward passes: for small networks (tests; a few dozen parameters).
import BallArithmetic
import ExactAlgebra
import NetworkModel

public enum SmoothBallHessian {
    /// A hyper-dual number of balls.
    struct Dual {
        let value: Ball, du: Ball, dv: Ball, duv: Ball

        static func constant(_ x: Ball) -> Dual { Dual(value: x, du: Ball(0), dv: Ball(0), duv: Ball(0)) }

        func adding(_ o: Dual, _ bits: Int) -> Dual {
            Dual(value: value.adding(o.value, precision: bits), du: du.adding(o.du, precision: bits),
                 dv: dv.adding(o.dv, precision: bits), duv: duv.adding(o.duv, precision: bits))
        }

        func multiplied(by o: Dual, _ bits: Int) -> Dual {
            let v = value.multiplied(by: o.value, precision: bits)
            let u = du.multiplied(by: o.value, precision: bits).adding(value.multiplied(by: o.du, precision: bits), precision: bits)
            let w = dv.multiplied(by: o.value, precision: bits).adding(value.multiplied(by: o.dv, precision: bits), precision: bits)
            let uw = duv.multiplied(by: o.value, precision: bits)
                .adding(du.multiplied(by: o.dv, precision: bits), precision: bits)
                .adding(dv.multiplied(by: o.du, precision: bits), precision: bits)
                .adding(value.multiplied(by: o.duv, precision: bits), precision: bits)
            return Dual(value: v, du: u, dv: w, duv: uw)
        }

        /// sigma(self) given sigma, sigma' and sigma'' at the value: the chain rule to second order.
        func mapped(_ s: Ball, _ s1: Ball, _ s2: Ball, _ bits: Int) -> Dual {
            let uw = s2.multiplied(by: du.multiplied(by: dv, precision: bits), precision: bits)
                .adding(s1.multiplied(by: duv, precision: bits), precision: bits)
            return Dual(value: s, du: s1.multiplied(by: du, precision: bits), dv: s1.multiplied(by: dv, precision: bits), duv: uw)
        }
    }

    /// sigma, sigma', sigma'' at x.
    static func activation(_ x: Ball, _ activation: Activation, _ bits: Int) -> (Ball, Ball, Ball) {
        switch activation {
        case .tanh:
            // t = tanh x; t' = 1 - t^2 = sech^2 x (no cancellation); t'' = -2 t t'.
            let t = x.tanh(precision: bits)
            let sech = x.sech(precision: bits)
            let t1 = sech.multiplied(by: sech, precision: bits)
            return (t, t1, Ball(0).subtracting(Ball(2).multiplied(by: t.multiplied(by: t1, precision: bits), precision: bits), precision: bits))
        case .sigmoid:
            // s = 1 / (1 + e^-x); s' = s (1 - s) = s e^-x / (1 + e^-x); s'' = s' (1 - 2 s).
            let e = Ball(0).subtracting(x, precision: bits).exp(precision: bits)
            let denominator = Ball(1).adding(e, precision: bits)
            let s = Ball(1).divided(by: denominator, precision: bits)
            let s1 = s.multiplied(by: e.divided(by: denominator, precision: bits), precision: bits)
            let s2 = s1.multiplied(by: Ball(1).subtracting(Ball(2).multiplied(by: s, precision: bits), precision: bits), precision: bits)
            return (s, s1, s2)
        default:
            return (x, Ball(1), Ball(0))
        }
    }

    public static func build(_ problem: Problem, activation: Activation, precision bits: Int) throws(InputError) -> BallHessian.Parts {
        guard activation == .tanh || activation == .sigmoid || activation == .linear else {
            throw InputError("smooth ball Hessians: tanh, sigmoid or linear hidden layers; got \(activation)")
        }
        func integers(_ m: IntegerMatrix) throws(InputError) -> [[Int]] {
            var rows: [[Int]] = []
            for i in 0..<m.rowCount {
                var row: [Int] = []
                for j in 0..<m.columnCount {
                    guard let value = m.intValue(i, j) else { throw InputError("smooth ball Hessians: an entry does not fit 64 bits") }
                    row.append(value)
                }
                rows.append(row)
            }
            return rows
        }
        let architecture = problem.architecture
        let depth = architecture.depth
        let weights = try problem.weights.map { (w) throws(InputError) in try integers(w) }
        let biases = try problem.biases.map { (b) throws(InputError) in try integers(b).map { $0[0] } }
        let x = try integers(problem.x), y = try integers(problem.y)
        let p = problem.parameterCount, k = architecture.outputWidth
        // Parameter u: (layer, row, column or nil for a bias), in the model's order.
        var parameters: [(layer: Int, row: Int, column: Int?)] = []
        for t in 0..<depth {
            let (rows, columns) = architecture.weightShape(t)
            for i in 0..<rows { for j in 0..<columns { parameters.append((t, i, j)) } }
            if architecture.bias { for i in 0..<rows { parameters.append((t, i, nil)) } }
        }
        func parameter(_ t: Int, _ i: Int, _ j: Int?, _ u: Int, _ v: Int) -> Dual {
            let value = Ball(j.map { weights[t][i][$0] } ?? biases[t][i])
            let (pu, pv) = (parameters[u], parameters[v])
            let isU = pu.layer == t && pu.row == i && pu.column == j
            let isV = pv.layer == t && pv.row == i && pv.column == j
            return Dual(value: value, du: Ball(isU ? 1 : 0), dv: Ball(isV ? 1 : 0), duv: Ball(0))
        }
        let outer = BallMatrix(rows: p, columns: p), functional = BallMatrix(rows: p, columns: p)
        for n in 0..<x.count {
            // Per pair u <= v: f, df/du, df/dv, d2f/dudv.
            for u in 0..<p {
                for v in u..<p {
                    var g = x[n].map { Dual.constant(Ball($0)) }
                    for t in 0..<depth {
                        let (rows, columns) = architecture.weightShape(t)
                        var z: [Dual] = []
                        for i in 0..<rows {
                            var sum = architecture.bias ? parameter(t, i, nil, u, v) : Dual.constant(Ball(0))
                            for j in 0..<columns { sum = sum.adding(parameter(t, i, j, u, v).multiplied(by: g[j], bits), bits) }
                            z.append(sum)
                        }
                        g = t == depth - 1 ? z : z.map { d in
                            let (s, s1, s2) = Self.activation(d.value, activation, bits)
                            return d.mapped(s, s1, s2, bits)
                        }
                    }
                    var o = Ball(0), fn = Ball(0)
                    for c in 0..<k {
                        o = o.adding(g[c].du.multiplied(by: g[c].dv, precision: bits), precision: bits)
                        let residual = g[c].value.subtracting(Ball(y[n][c]), precision: bits)
                        fn = fn.adding(residual.multiplied(by: g[c].duv, precision: bits), precision: bits)
                    }
                    for (a, b) in u == v ? [(u, v)] : [(u, v), (v, u)] {
                        outer.add(at: a, b, o, precision: bits)
                        functional.add(at: a, b, fn, precision: bits)
                    }
                }
            }
        }
        let total = BallMatrix(rows: p, columns: p)
        total.add(outer, precision: bits)
        total.add(functional, precision: bits)
        return BallHessian.Parts(loss: total, outer: outer, functional: functional)
    }
}
