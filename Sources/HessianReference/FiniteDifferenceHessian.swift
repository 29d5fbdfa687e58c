// A third route, for small cases in tests: the Hessians from exact finite differences of network evaluations, with
// no derivative rule at all.
//
// The network is evaluated with its activation pattern frozen at the base point theta: each sample's slopes D_t (the
// integer slopes of the scaled network, ReferenceActivation.swift, and 0 for a masked unit) are read once at theta and
// then held fixed, so the frozen network
//   f(theta'; x) = W_L D_{L-1} (W_{L-1} ... D_1 (W_1 x + c_1 b_1) ... + c_{L-1} b_{L-1}) + c_L b_L
// is a polynomial in theta'. Near theta it equals the scaled network itself (no pre-activation changes sign within
// a small enough neighbourhood, and a masked unit's input stays zero), so the two have the same derivatives at theta;
// a base point on a kink is refused as by the direct route. Each parameter enters the frozen network once, linearly:
// f has degree at most 1 in each single parameter, so exactly, with step 1,
//   df/dtheta_u = f(theta + e_u) - f(theta),
//   d2f/dtheta_u dtheta_v = f(theta + e_u + e_v) - f(theta + e_u) - f(theta + e_v) + f(theta)
// (for u = v the same expression is 0, as it should be). The steps need not stay in the neighbourhood: the frozen
// polynomial is defined everywhere. The loss l has degree <= 2 in each parameter, so its central differences
// [l(++) - l(+-) - l(-+) + l(--)] / 4 and l(+) - 2 l + l(-) are exact too; with 2l an integer they are exact divisions
// by 8 and 2. The second gives the Hessian of the loss itself, not as H_O + H_F: comparing the two checks the
// decomposition (proofs/hessian-decomposition.md). Targets are b^(L-1) y, so every result is b^(2(L-1)) times the true
// Hessian, as the direct route's. Cost O(N p^3): small cases only.

public enum FiniteDifferenceHessian {
    public struct Result: Sendable, Equatable {
        public let outer: [Int128]
        public let functional: [Int128]
        /// The Hessian of the loss, from differences of the loss.
        public let lossFromLoss: [Int128]
    }

    /// A parameter perturbation: layer t, entry (i, j) of W_t, or entry i of b_t when `column` is nil, by delta.
    struct Step { let layer: Int, row: Int, column: Int?, delta: Int128 }

    /// The network with each sample's activation pattern frozen at the base point.
    struct Frozen {
        let network: ReferenceNetwork
        let constants: [Int128]
        let targets: [[Int128]]
        /// slopes[n][t] is D_t for sample n.
        let slopes: [[[Int128]]]

        init(_ network: ReferenceNetwork, activation: ReferenceActivation) throws(ReferenceFailure) {
            self.network = network
            constants = try activation.biasConstants(depth: network.depth)
            targets = try network.scaledTargets(constants: constants)
            var slopes: [[[Int128]]] = []
            for (n, x) in network.samples.enumerated() {
                slopes.append(try network.forward(x, activation: activation, constants: constants, sample: n + 1).slopes)
            }
            self.slopes = slopes
        }

        /// f(theta + sum of steps; x_n) with sample n's pattern, layer by layer:
        /// h <- D_t ((W_t + sum delta E_ij) h + c_t (b_t + sum delta e_i)).
        func evaluate(_ n: Int, _ perturbation: [Step]) throws(ReferenceFailure) -> [Int128] {
            var h = network.samples[n]
            for (t, w) in network.weights.enumerated() {
                var next = try Checked.apply(w, h)
                if let biases = network.biases {
                    for i in 0..<next.count { next[i] = try Checked.add(next[i], Checked.mul(constants[t], biases[t][i])) }
                }
                for s in perturbation where s.layer == t {
                    let input = s.column.map { h[$0] } ?? constants[t]
                    next[s.row] = try Checked.add(next[s.row], Checked.mul(s.delta, input))
                }
                for i in 0..<next.count where slopes[n][t + 1][i] != 1 { next[i] = try Checked.mul(slopes[n][t + 1][i], next[i]) }
                h = next
            }
            return h
        }
    }

    public static func compute(_ network: ReferenceNetwork, activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> Result {
        let frozen = try Frozen(network, activation: activation)
        let p = network.parameterCount
        let steps = (0..<network.depth).flatMap { t in
            let weights = (0..<network.widths[t + 1]).flatMap { i in
                (0..<network.widths[t]).map { j in Step(layer: t, row: i, column: j, delta: 1) }
            }
            let biases = network.hasBias ? (0..<network.widths[t + 1]).map { i in Step(layer: t, row: i, column: nil, delta: 1) } : []
            return weights + biases
        }
        var outer = [Int128](repeating: 0, count: p * p)
        var functional = outer
        for (n, y) in frozen.targets.enumerated() {
            let f0 = try frozen.evaluate(n, [])
            var residual = f0
            for c in 0..<f0.count { residual[c] = try Checked.sub(f0[c], y[c]) }
            let f1 = try steps.map { (s) throws(ReferenceFailure) in try frozen.evaluate(n, [s]) }
            for u in 0..<p {
                for v in u..<p {
                    let fuv = try frozen.evaluate(n, [steps[u], steps[v]])
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
        return Result(outer: outer, functional: functional, lossFromLoss: try lossHessian(frozen, steps))
    }

    static func lossHessian(_ frozen: Frozen, _ steps: [Step]) throws(ReferenceFailure) -> [Int128] {
        let p = steps.count
        func twiceLoss(_ perturbation: [Step]) throws(ReferenceFailure) -> Int128 {
            var total: Int128 = 0
            for (n, y) in frozen.targets.enumerated() {
                let f = try frozen.evaluate(n, perturbation)
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

    /// a / b, which must be exact: a remainder would mean the polynomial-degree argument above failed, a bug.
    static func exactQuotient(_ a: Int128, _ b: Int128) -> Int128 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        precondition(r == 0, "FiniteDifferenceHessian: a difference of the loss was not divisible by \(b)")
        return q
    }
}
