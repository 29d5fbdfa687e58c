// Construction (b): H_O, H_F and H_L sample by sample from exact first and second derivatives of f, by automatic
// differentiation written out for this network, with no use of Sxx, Syx, Omega or any block formula.
//
// Network (the scaled one of ReferenceActivation.swift; for linear and ReLU networks it is the network itself):
// g_0 = x, g_m = D_m (W_m g_{m-1} + c_m b_m), f = g_L, where D_m is the diagonal of integer slopes of the active
// pieces (b or a for leaky-ReLU a/b, 1 or 0 for ReLU, 1 for a linear network and for the output layer; 0 for a masked
// unit), c_m = b^(m-1) is the bias constant, and the bias term is absent in a bias-free network. Away from kinks D_m is
// locally constant, so the activation's second derivative is zero and everything below is exact; a pre-activation
// that is exactly zero is refused (`ReferenceFailure.kink`). The residual is e = f(x) - b^(L-1) y.
//
// For one sample and one parameter u, forward mode gives the tangent t = df/dtheta_u, with t_m = 0 below layer k:
// - u = W_k[i, j]: t_m = D_m (W_m t_{m-1} + [m = k] E_ij g_{m-1});
// - u = b_k[i]:    t_m = D_m (W_m t_{m-1} + [m = k] c_k e_i).
// Column u of the Jacobian J is t_L.
// Reverse mode through that tangent computation gives row u of sum_c e_c Hessian(f_c), the gradient of s = e^T t_L
// with e held fixed. The tangent computation reads W_m (in W_m t_{m-1} and, through g, in every g_m) and b_m (through
// g_m only: the term c_k e_i of a bias tangent is a constant). With adjoints tbar_L = e, hbar_L = 0 and, for
// m = L ... 1, the adjoints through D_m, tbar'_m = D_m tbar_m and hbar'_m = D_m hbar_m (D_m is diagonal):
//     d s / d W_m = tbar'_m t_{m-1}^T + hbar'_m g_{m-1}^T,
//     d s / d b_m = c_m hbar'_m,
//     tbar_{m-1} = W_m^T tbar'_m,
//     hbar_{m-1} = W_m^T hbar'_m + [m = k, u = W_k[i, j]] E_ij^T tbar'_m.
// Summing over samples: H_O = sum_n J_n^T J_n, H_F = sum_n (those rows), H_L = H_O + H_F
// (proofs/hessian-decomposition.md). For a leaky slope a/b these are b^(2(L-1)) times the true Hessians. Cost
// O(N p^2) per part. All arithmetic is exact (Int128, overflow detected).

public enum DirectHessian {
    /// The three Hessians as dense p x p row-major Int128 matrices (for a leaky slope a/b, b^(2(L-1)) times the true
    /// ones: `ReferenceActivation.hessianScale`).
    public struct Result: Sendable, Equatable {
        public let parameterCount: Int
        public let loss: [Int128]
        public let outer: [Int128]
        public let functional: [Int128]
    }

    /// A parameter in theta order: layer k (0-based), row i, and column j of W_k, or nil for the bias b_k[i].
    struct Parameter { let layer: Int, row: Int, column: Int? }

    static func parameters(_ network: ReferenceNetwork) -> [Parameter] {
        (0..<network.depth).flatMap { t in
            let weights = (0..<network.widths[t + 1]).flatMap { i in (0..<network.widths[t]).map { j in Parameter(layer: t, row: i, column: j) } }
            let biases = network.hasBias ? (0..<network.widths[t + 1]).map { i in Parameter(layer: t, row: i, column: nil) } : []
            return weights + biases
        }
    }

    public static func compute(_ network: ReferenceNetwork, activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> Result {
        let p = network.parameterCount
        let constants = try activation.biasConstants(depth: network.depth)
        let targets = try network.scaledTargets(constants: constants)
        var outer = [Int128](repeating: 0, count: p * p)
        var functional = outer
        for (n, y) in targets.enumerated() {
            // The residual e = f(x) - b^(L-1) y weights the output Hessians.
            let sample = try derivatives(network, activation: activation, constants: constants, sample: n) { (output) throws(ReferenceFailure) in
                var residual = output
                for c in 0..<residual.count { residual[c] = try Checked.sub(residual[c], y[c]) }
                return [residual]
            }
            let residual = sample.weightings[0]
            for index in 0..<(p * p) where sample.weighted[0][index] != 0 {
                functional[index] = try Checked.add(functional[index], sample.weighted[0][index])
            }
            let columns = sample.jacobianColumns
            for u in 0..<p {
                for v in u..<p {
                    var dot: Int128 = 0
                    for c in 0..<residual.count { dot = try Checked.add(dot, Checked.mul(columns[u][c], columns[v][c])) }
                    outer[u * p + v] = try Checked.add(outer[u * p + v], dot)
                }
            }
        }
        for u in 0..<p { for v in 0..<u { outer[u * p + v] = outer[v * p + u] } }
        var loss = outer
        for index in 0..<loss.count { loss[index] = try Checked.add(outer[index], functional[index]) }
        return Result(parameterCount: p, loss: loss, outer: outer, functional: functional)
    }

    /// One sample's exact derivatives of f: the Jacobian and the Hessian of each output.
    public struct SampleDerivatives: Sendable, Equatable {
        /// f(x_n), the K outputs (of the scaled network for a leaky slope).
        public let output: [Int128]
        /// J_n, K x p, as rows.
        public let jacobian: [[Int128]]
        /// Hessian(f_c) at x_n for each output c, p x p row-major (for a leaky slope a/b, scaled as in `compute`).
        public let outputHessians: [[Int128]]
    }

    /// Per sample, J_n and every Hessian(f_c)(x_n): what the Hessians of any loss are built from, H_O = sum_n
    /// J_n^T A_n J_n and H_F = sum_n sum_c g_nc Hessian(f_c)(x_n), with A_n and g_n the loss's second and first
    /// derivatives in the outputs (used for the losses whose A_n and g_n are not rational). Cost O(N K p^2).
    public static func sampleDerivatives(_ network: ReferenceNetwork,
                                         activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> [SampleDerivatives] {
        let constants = try activation.biasConstants(depth: network.depth)
        let outputs = network.widths[network.depth]
        let units = (0..<outputs).map { c in (0..<outputs).map { Int128($0 == c ? 1 : 0) } }
        return try network.samples.indices.map { (n) throws(ReferenceFailure) in
            let sample = try derivatives(network, activation: activation, constants: constants, sample: n) { _ in units }
            let jacobian = (0..<outputs).map { c in sample.jacobianColumns.map { $0[c] } }
            return SampleDerivatives(output: sample.output, jacobian: jacobian, outputHessians: sample.weighted)
        }
    }

    /// For sample n: f(x_n), the Jacobian's columns, and for each weighting e (K-vectors chosen from f(x_n) by
    /// `weightings`), sum_c e_c Hessian(f_c)(x_n) as a p x p row-major matrix, by the forward and reverse passes
    /// described at the top.
    static func derivatives(_ network: ReferenceNetwork, activation: ReferenceActivation, constants: [Int128], sample n: Int,
                            weightings chooseWeightings: ([Int128]) throws(ReferenceFailure) -> [[Int128]])
        throws(ReferenceFailure) -> (output: [Int128], weightings: [[Int128]], jacobianColumns: [[Int128]], weighted: [[Int128]]) {
        let p = network.parameterCount
        let depth = network.depth
        let (h, slopes) = try network.forward(network.samples[n], activation: activation, constants: constants, sample: n + 1)
        let weightings = try chooseWeightings(h[depth])
        var weighted = weightings.map { _ in [Int128](repeating: 0, count: p * p) }
        var jacobianColumns: [[Int128]] = []
        jacobianColumns.reserveCapacity(p)
        for (u, parameter) in parameters(network).enumerated() {
            let (k, i) = (parameter.layer, parameter.row)
            // Forward: tangents t_m for m = 0 ... L (zero below layer k).
            var tangents = (0...depth).map { [Int128](repeating: 0, count: network.widths[$0]) }
            let seed = parameter.column.map { h[k][$0] } ?? constants[k]
            tangents[k + 1][i] = try Checked.mul(slopes[k + 1][i], seed)
            for m in (k + 1)..<max(depth, k + 1) {
                tangents[m + 1] = try Checked.apply(network.weights[m], tangents[m])
                try scale(&tangents[m + 1], by: slopes[m + 1])
            }
            jacobianColumns.append(tangents[depth])
            // Reverse through the tangent computation, for s = e . t_L, once per weighting e.
            for (w, e) in weightings.enumerated() {
                var tbar = e
                var hbar = [Int128](repeating: 0, count: network.widths[depth])
                for m in stride(from: depth - 1, through: 0, by: -1) {
                    try scale(&tbar, by: slopes[m + 1])
                    try scale(&hbar, by: slopes[m + 1])
                    let offset = network.offset(m)
                    let columns = network.widths[m]
                    for a in 0..<network.widths[m + 1] where tbar[a] != 0 || hbar[a] != 0 {
                        for b in 0..<columns {
                            let value = try Checked.add(Checked.mul(tbar[a], tangents[m][b]), Checked.mul(hbar[a], h[m][b]))
                            if value != 0 {
                                let index = u * p + offset + a * columns + b
                                weighted[w][index] = try Checked.add(weighted[w][index], value)
                            }
                        }
                        if network.hasBias && hbar[a] != 0 {
                            let index = u * p + offset + network.widths[m + 1] * columns + a
                            weighted[w][index] = try Checked.add(weighted[w][index], Checked.mul(constants[m], hbar[a]))
                        }
                    }
                    var nextHbar = try Checked.applyTransposed(network.weights[m], hbar)
                    if m == k, let j = parameter.column { nextHbar[j] = try Checked.add(nextHbar[j], tbar[i]) }
                    tbar = try Checked.applyTransposed(network.weights[m], tbar)
                    hbar = nextHbar
                }
            }
        }
        return (h[depth], weightings, jacobianColumns, weighted)
    }

    /// v <- D v for the diagonal D given as `slopes`.
    static func scale(_ v: inout [Int128], by slopes: [Int128]) throws(ReferenceFailure) {
        for a in 0..<v.count where slopes[a] != 1 && v[a] != 0 { v[a] = try Checked.mul(slopes[a], v[a]) }
    }
}
