// Construction (b): H_O, H_F and H_L sample by sample from exact first and second derivatives of f, by automatic
// differentiation written out for this network, with no use of Sxx, Syx, Omega or any block formula.
//
// Network: h_0 = x, h_m = D_m W_m h_{m-1}, f = h_L, where D_m is the 0/1 diagonal of active units (ReLU; the identity
// for a linear network and for the output layer). Away from kinks D_m is locally constant, so ReLU's second derivative
// is zero and everything below is exact; a pre-activation that is exactly zero is refused (`ReferenceFailure.kink`).
// For one sample with residual e = f(x) - y and one parameter u = W_k[i, j]:
// - Forward mode gives the tangent t = df/dtheta_u: t_m = 0 below layer k, t_m = D_m (W_m t_{m-1} + [m = k] E_ij h_{m-1});
//   column u of the Jacobian J is t_L.
// - Reverse mode through that tangent computation gives row u of sum_c e_c Hessian(f_c), the gradient of s = e^T t_L
//   with e held fixed. With adjoints tbar_L = e, hbar_L = 0 and, for m = L ... 1, the masked adjoints
//   tbar'_m = D_m tbar_m and hbar'_m = D_m hbar_m:
//     d s / d W_m = tbar'_m t_{m-1}^T + hbar'_m h_{m-1}^T,
//     tbar_{m-1} = W_m^T tbar'_m,   hbar_{m-1} = W_m^T hbar'_m + [m = k] E_ij^T tbar'_m.
// Summing over samples: H_O = sum_n J_n^T J_n, H_F = sum_n (those rows), H_L = H_O + H_F
// (proofs/hessian-decomposition.md). Cost O(N p^2) per part. All arithmetic is exact (Int128, overflow detected).

public enum DirectHessian {
    /// The three Hessians as dense p x p row-major Int128 matrices.
    public struct Result: Sendable, Equatable {
        public let parameterCount: Int
        public let loss: [Int128]
        public let outer: [Int128]
        public let functional: [Int128]
    }

    public static func compute(_ network: ReferenceNetwork, activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> Result {
        let p = network.parameterCount
        let depth = network.depth
        var outer = [Int128](repeating: 0, count: p * p)
        var functional = outer
        // (layer, row, column) of every parameter, in theta order.
        let parameters = (0..<depth).flatMap { t in
            (0..<network.widths[t + 1]).flatMap { i in (0..<network.widths[t]).map { j in (t, i, j) } }
        }
        for (n, (x, y)) in zip(network.samples, network.targets).enumerated() {
            let (h, masks) = try network.forward(x, activation: activation, sample: n + 1)
            var residual = h[depth]
            for c in 0..<residual.count { residual[c] = try Checked.sub(residual[c], y[c]) }
            var jacobianColumns: [[Int128]] = []
            jacobianColumns.reserveCapacity(p)
            for (u, (k, i, j)) in parameters.enumerated() {
                // Forward: tangents t_m for m = 0 ... L (zero below layer k).
                var tangents = (0...depth).map { [Int128](repeating: 0, count: network.widths[$0]) }
                tangents[k + 1][i] = masks[k + 1][i] ? h[k][j] : 0
                for m in (k + 1)..<max(depth, k + 1) {
                    tangents[m + 1] = try Checked.apply(network.weights[m], tangents[m])
                    for a in 0..<tangents[m + 1].count where !masks[m + 1][a] { tangents[m + 1][a] = 0 }
                }
                jacobianColumns.append(tangents[depth])
                // Reverse through the tangent computation, for s = residual . t_L.
                var tbar = residual
                var hbar = [Int128](repeating: 0, count: network.widths[depth])
                for m in stride(from: depth - 1, through: 0, by: -1) {
                    for a in 0..<tbar.count where !masks[m + 1][a] { tbar[a] = 0; hbar[a] = 0 }
                    let offset = network.offset(m)
                    let columns = network.widths[m]
                    for a in 0..<network.widths[m + 1] where tbar[a] != 0 || hbar[a] != 0 {
                        for b in 0..<columns {
                            let value = try Checked.add(Checked.mul(tbar[a], tangents[m][b]), Checked.mul(hbar[a], h[m][b]))
                            if value != 0 {
                                let index = u * p + offset + a * columns + b
                                functional[index] = try Checked.add(functional[index], value)
                            }
                        }
                    }
                    var nextHbar = try Checked.applyTransposed(network.weights[m], hbar)
                    if m == k { nextHbar[j] = try Checked.add(nextHbar[j], tbar[i]) }
                    tbar = try Checked.applyTransposed(network.weights[m], tbar)
                    hbar = nextHbar
                }
            }
            for u in 0..<p {
                for v in u..<p {
                    var dot: Int128 = 0
                    for c in 0..<residual.count { dot = try Checked.add(dot, Checked.mul(jacobianColumns[u][c], jacobianColumns[v][c])) }
                    outer[u * p + v] = try Checked.add(outer[u * p + v], dot)
                }
            }
        }
        for u in 0..<p { for v in 0..<u { outer[u * p + v] = outer[v * p + u] } }
        var loss = outer
        for index in 0..<loss.count { loss[index] = try Checked.add(outer[index], functional[index]) }
        return Result(parameterCount: p, loss: loss, outer: outer, functional: functional)
    }
}
