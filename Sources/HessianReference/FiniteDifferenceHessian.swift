// A third route, for small cases in tests: the Hessians from exact finite differences of network evaluations, with
// no derivative rule at all.
//
// f(theta; x) = W_L ... W_1 x has degree at most 1 in each single parameter, so exactly
//   df/dtheta_u = f(theta + e_u) - f(theta),
//   d2f/dtheta_u dtheta_v = f(theta + e_u + e_v) - f(theta + e_u) - f(theta + e_v) + f(theta)
// (for u = v the same expression is 0, as it should be). The loss l has degree <= 2 in each parameter, so its central
// differences [l(++) - l(+-) - l(-+) + l(--)] / 4 and l(+) - 2 l + l(-) are exact too; with 2l an integer they are
// exact divisions by 8 and 2. The second gives the Hessian of the loss itself, not as H_O + H_F: comparing the two
// checks the decomposition (proofs/hessian-decomposition.md). Cost O(N p^3): small cases only.

public enum FiniteDifferenceHessian {
    public struct Result: Sendable, Equatable {
        public let outer: [Int128]
        public let functional: [Int128]
        /// The Hessian of the loss, from differences of the loss.
        public let lossFromLoss: [Int128]
    }

    /// A parameter perturbation: layer t, entry (i, j), by delta.
    struct Step { let layer: Int, row: Int, column: Int, delta: Int128 }

    public static func compute(_ network: ReferenceNetwork) throws(ReferenceFailure) -> Result {
        let p = network.parameterCount
        let steps = (0..<network.depth).flatMap { t in
            (0..<network.widths[t + 1]).flatMap { i in (0..<network.widths[t]).map { j in Step(layer: t, row: i, column: j, delta: 1) } }
        }
        var outer = [Int128](repeating: 0, count: p * p)
        var functional = outer
        for (x, y) in zip(network.samples, network.targets) {
            let f0 = try evaluate(network, x, [])
            var residual = f0
            for c in 0..<f0.count { residual[c] = try Checked.sub(f0[c], y[c]) }
            let f1 = try steps.map { (s) throws(ReferenceFailure) in try evaluate(network, x, [s]) }
            for u in 0..<p {
                for v in u..<p {
                    let fuv = try evaluate(network, x, [steps[u], steps[v]])
                    var jj: Int128 = 0, rd: Int128 = 0
                    for c in 0..<f0.count {
                        let ju = try Checked.sub(f1[u][c], f0[c]), jv = try Checked.sub(f1[v][c], f0[c])
                        jj = try Checked.add(jj, Checked.mul(ju, jv))
                        let second = try Checked.add(Checked.sub(Checked.sub(fuv[c], f1[u][c]), f1[v][c]), f0[c])
                        rd = try Checked.add(rd, Checked.mul(residual[c], second))
                    }
                    outer[u * p + v] = try Checked.add(outer[u * p + v], jj)
                    functional[u * p + v] = try Checked.add(functional[u * p + v], rd)
                }
            }
        }
        for u in 0..<p { for v in 0..<u { outer[u * p + v] = outer[v * p + u]; functional[u * p + v] = functional[v * p + u] } }
        return Result(outer: outer, functional: functional, lossFromLoss: try lossHessian(network, steps))
    }

    static func lossHessian(_ network: ReferenceNetwork, _ steps: [Step]) throws(ReferenceFailure) -> [Int128] {
        let p = steps.count
        func twiceLoss(_ perturbation: [Step]) throws(ReferenceFailure) -> Int128 {
            var total: Int128 = 0
            for (x, y) in zip(network.samples, network.targets) {
                let f = try evaluate(network, x, perturbation)
                for c in 0..<f.count {
                    let e = try Checked.sub(f[c], y[c])
                    total = try Checked.add(total, Checked.mul(e, e))
                }
            }
            return total
        }
        func flipped(_ s: Step) -> Step { Step(layer: s.layer, row: s.row, column: s.column, delta: -s.delta) }
        let base = try twiceLoss([])
        var result = [Int128](repeating: 0, count: p * p)
        for u in 0..<p {
            let diagonal = try Checked.sub(Checked.add(twiceLoss([steps[u]]), twiceLoss([flipped(steps[u])])), Checked.mul(2, base))
            result[u * p + u] = exactQuotient(diagonal, 2)
            for v in (u + 1)..<max(p, u + 1) {
                let (su, sv) = (steps[u], steps[v])
                let mixed = try Checked.sub(Checked.add(twiceLoss([su, sv]), twiceLoss([flipped(su), flipped(sv)])),
                                            Checked.add(twiceLoss([su, flipped(sv)]), twiceLoss([flipped(su), sv])))
                result[u * p + v] = exactQuotient(mixed, 8)
                result[v * p + u] = result[u * p + v]
            }
        }
        return result
    }

    /// f(theta + sum of steps; x), layer by layer: h <- (W_t + sum delta E_ij) h.
    static func evaluate(_ network: ReferenceNetwork, _ x: [Int128], _ perturbation: [Step]) throws(ReferenceFailure) -> [Int128] {
        var h = x
        for (t, w) in network.weights.enumerated() {
            var next = try Checked.apply(w, h)
            for s in perturbation where s.layer == t {
                next[s.row] = try Checked.add(next[s.row], Checked.mul(s.delta, h[s.column]))
            }
            h = next
        }
        return h
    }

    /// a / b, which must be exact: a remainder would mean the polynomial-degree argument above failed, a bug.
    static func exactQuotient(_ a: Int128, _ b: Int128) -> Int128 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        precondition(r == 0, "FiniteDifferenceHessian: a difference of the loss was not divisible by \(b)")
        return q
    }
}
