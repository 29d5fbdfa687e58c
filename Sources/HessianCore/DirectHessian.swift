// Construction (b): the Hessians sample by sample, from exact derivatives of f obtained by exact finite differences,
// with no use of Sxx, Syx, Omega or any block formula.
//
// Why finite differences are exact here. f(theta; x) = W_L ... W_1 x is a polynomial of degree at most 1 in each
// single parameter (each parameter sits in one W_t, and f is linear in each W_t). For such a polynomial:
// - df/dtheta_u = f(theta + e_u) - f(theta), exactly;
// - d2f/dtheta_u dtheta_v = f(theta + e_u + e_v) - f(theta + e_u) - f(theta + e_v) + f(theta), exactly, for u != v,
//   and for u = v the same expression (with theta + 2 e_u) is 0 = d2f/dtheta_u^2.
// Then H_O = sum_n J_n^T J_n and H_F = sum_n sum_c (f_c(x_n) - y_nc) d2f_c(x_n). As a third, independent route,
// H_L is also taken from the loss itself: l is a polynomial of degree <= 2 in each parameter, so the central mixed
// difference [l(++) - l(+-) - l(-+) + l(--)] / 4 and the second difference l(+) - 2 l + l(-) are exact; with
// 2l an integer these are divisions of integers by 8 and 2 that must come out exact.
//
// Arithmetic is Int128 with every overflow detected (the route throws `Overflow` rather than wrap): this is a
// reference for small cases, not the production path. Cost: O(N p^3) for H_O and H_F, O(N p^3) for H_L.
import ExactAlgebra

public enum DirectHessian {
    public struct Overflow: Error, Sendable, CustomStringConvertible {
        public var description: String { "an intermediate value of the direct Hessian exceeded 2^127" }
    }

    /// The three Hessians as dense p x p matrices of Int128, row-major.
    public struct Result: Sendable {
        public let parameterCount: Int
        public let loss: [Int128]
        public let outer: [Int128]
        public let functional: [Int128]
        /// H_L computed from second differences of the loss, not as H_O + H_F.
        public let lossFromLoss: [Int128]

        public func entries(_ part: HessianPart) -> [Int128] {
            switch part {
            case .loss: loss
            case .outer: outer
            case .functional: functional
            }
        }
    }

    /// A parameter perturbation: layer t, entry (i, j), by delta.
    struct Step { let layer: Int, row: Int, column: Int, delta: Int128 }

    public static func compute(_ problem: Problem) throws(Overflow) -> Result {
        let network = try Network(problem)
        let p = problem.parameterCount
        let steps = (0..<p).map(network.parameter)
        var outer = [Int128](repeating: 0, count: p * p)
        var functional = outer
        for n in 0..<problem.sampleCount {
            let x = network.samples[n], y = network.targets[n]
            let f0 = try network.evaluate(x, [])
            let residual = try zip(f0, y).map { (a, b) throws(Overflow) in try sub(a, b) }
            let f1 = try steps.map { (s) throws(Overflow) in try network.evaluate(x, [s]) }
            let jacobian = try f1.map { (fu) throws(Overflow) in try zip(fu, f0).map { (a, b) throws(Overflow) in try sub(a, b) } }
            for u in 0..<p {
                for v in u..<p {
                    let fuv = try network.evaluate(x, [steps[u], steps[v]])
                    var jj: Int128 = 0, rd: Int128 = 0
                    for c in 0..<fuv.count {
                        jj = try add(jj, mul(jacobian[u][c], jacobian[v][c]))
                        let second = try add(sub(sub(fuv[c], f1[u][c]), f1[v][c]), f0[c])
                        rd = try add(rd, mul(residual[c], second))
                    }
                    outer[u * p + v] = try add(outer[u * p + v], jj)
                    functional[u * p + v] = try add(functional[u * p + v], rd)
                }
            }
        }
        for u in 0..<p { for v in 0..<u { outer[u * p + v] = outer[v * p + u]; functional[u * p + v] = functional[v * p + u] } }
        let loss = try zip(outer, functional).map { (a, b) throws(Overflow) in try add(a, b) }
        return Result(parameterCount: p, loss: loss, outer: outer, functional: functional,
                      lossFromLoss: try lossHessianFromLoss(network, steps))
    }

    static func lossHessianFromLoss(_ network: Network, _ steps: [Step]) throws(Overflow) -> [Int128] {
        let p = steps.count
        func twiceLoss(_ perturbation: [Step]) throws(Overflow) -> Int128 {
            var total: Int128 = 0
            for (x, y) in zip(network.samples, network.targets) {
                let f = try network.evaluate(x, perturbation)
                for c in 0..<f.count {
                    let e = try sub(f[c], y[c])
                    total = try add(total, mul(e, e))
                }
            }
            return total
        }
        func flipped(_ s: Step) -> Step { Step(layer: s.layer, row: s.row, column: s.column, delta: -s.delta) }
        let base = try twiceLoss([])
        var result = [Int128](repeating: 0, count: p * p)
        for u in 0..<p {
            let diagonal = try sub(add(twiceLoss([steps[u]]), twiceLoss([flipped(steps[u])])), mul(2, base))
            result[u * p + u] = try exactQuotient(diagonal, 2)
            for v in (u + 1)..<max(p, u + 1) {
                let (su, sv) = (steps[u], steps[v])
                let mixed = try sub(add(twiceLoss([su, sv]), twiceLoss([flipped(su), flipped(sv)])),
                                    add(twiceLoss([su, flipped(sv)]), twiceLoss([flipped(su), sv])))
                result[u * p + v] = try exactQuotient(mixed, 8)
                result[v * p + u] = result[u * p + v]
            }
        }
        return result
    }

    /// The network and data as Int128, with a forward pass that applies parameter perturbations.
    struct Network {
        let weights: [[[Int128]]]
        let samples: [[Int128]]
        let targets: [[Int128]]
        let architecture: Architecture

        init(_ problem: Problem) throws(Overflow) {
            func convert(_ m: IntegerMatrix) throws(Overflow) -> [[Int128]] {
                var rows: [[Int128]] = []
                for i in 0..<m.rowCount {
                    var row: [Int128] = []
                    for j in 0..<m.columnCount {
                        guard let value = Int128(m.decimal(i, j)) else { throw Overflow() }
                        row.append(value)
                    }
                    rows.append(row)
                }
                return rows
            }
            weights = try problem.weights.map { (w) throws(Overflow) in try convert(w) }
            samples = try convert(problem.x)
            targets = try convert(problem.y)
            architecture = problem.architecture
        }

        /// The step for parameter index u (layer first, then row-major within the layer).
        func parameter(_ u: Int) -> Step {
            var t = 0
            while architecture.parameterOffset(t + 1) <= u { t += 1 }
            let local = u - architecture.parameterOffset(t)
            let columns = architecture.weightShape(t).columns
            return Step(layer: t, row: local / columns, column: local % columns, delta: 1)
        }

        /// f(theta + sum of steps; x), computed layer by layer: h <- (W_t + sum delta E_ij) h.
        func evaluate(_ x: [Int128], _ perturbation: [Step]) throws(Overflow) -> [Int128] {
            var h = x
            for (t, w) in weights.enumerated() {
                var next = [Int128](repeating: 0, count: w.count)
                for i in 0..<w.count {
                    var acc: Int128 = 0
                    for j in 0..<h.count { acc = try add(acc, mul(w[i][j], h[j])) }
                    next[i] = acc
                }
                for s in perturbation where s.layer == t {
                    next[s.row] = try add(next[s.row], mul(s.delta, h[s.column]))
                }
                h = next
            }
            return h
        }
    }

    static func add(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw Overflow() }
        return r
    }

    static func sub(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.subtractingReportingOverflow(b)
        if o { throw Overflow() }
        return r
    }

    static func mul(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw Overflow() }
        return r
    }

    /// a / b, which must be exact: a remainder means the polynomial-degree argument above failed, a bug.
    static func exactQuotient(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        precondition(r == 0, "DirectHessian: a finite difference of the loss was not divisible by \(b)")
        return q
    }
}
