// The exact Hessians of a linear network whose layers are affine in their parameters, W_t = C_t + sum_i theta_i E_i:
// convolutions (Toeplitz matrices with shared kernel weights), dense layers, and biases carried by a constant 1
// (`ConvolutionalProblem.unrolledMatrices`). Under MSE, with f(x) = W_L ... W_1 x, a_{t,n} the input of layer t for
// sample n, B_t = W_L ... W_{t+1} and r_n = f(x_n) - y_n (proofs/convolution.md):
//
//   J_n[:, (t, i)] = B_t E_{t,i} a_{t,n}                                       (the Jacobian of sample n)
//   H_O = sum_n J_n^T J_n
//   H_F[(l, j), (k, i)] = sum_n r_n^T B_l E_{l,j} W_{l-1} ... W_{k+1} E_{k,i} a_{k,n}     (k < l; 0 for k = l)
//   H_L = H_O + H_F
//
// Each second derivative of f in theta is a product with two of the E's, since each layer is affine in its own
// parameters; a conv layer's E_{t,i} is the 0/1 matrix of the unrolled entries equal to theta_i, so these are the
// Hessians of the unrolled dense network summed over the entries each parameter stands for, H_theta = S^T H_W S, without
// forming H_W. Everything is exact over Z (FLINT); the sizes are those of the unrolled layers.
import ExactAlgebra
import NetworkModel

public struct ParametrizedLinearHessian: Sendable {
    public let problem: ConvolutionalProblem
    public let outer: IntegerMatrix
    public let functional: IntegerMatrix
    public let loss: IntegerMatrix

    public init(_ problem: ConvolutionalProblem) {
        let a = problem.architecture, depth = a.depth, k = a.outputWidth, n = problem.sampleCount, p = problem.parameterCount
        let w = problem.unrolledMatrices
        // inputs[t]: the input of layer t for every sample, as columns.
        var inputs = [problem.inputColumns]
        for t in 0..<(depth - 1) { inputs.append(w[t] * inputs[t]) }
        let residuals = w[depth - 1] * inputs[depth - 1] - problem.y.transposed
        // after[t] = W_L ... W_{t+1} (K x rows of W_t).
        var after = Array(repeating: IntegerMatrix.identity(k), count: depth)
        for t in stride(from: depth - 2, through: 0, by: -1) { after[t] = after[t + 1] * w[t + 1] }
        let entries = (0..<depth).map { a.parametrization($0) }
        let offsets = (0..<depth).map { a.parameterOffset($0) }

        /// E_{t,i} a_{t,n} for every parameter i of layer t, as the columns of a (rows of W_t) x p_t matrix.
        func directions(_ t: Int, _ sample: Int) -> IntegerMatrix {
            var v = IntegerMatrix(rows: w[t].rowCount, columns: entries[t].count)
            for (i, positions) in entries[t].enumerated() {
                for e in positions { v.addEntry(e.row, i, from: inputs[t], e.column, sample) }
            }
            return v
        }
        let v = (0..<depth).map { t in (0..<n).map { directions(t, $0) } }

        var jacobian = IntegerMatrix(rows: n * k, columns: p)
        for sample in 0..<n {
            for t in 0..<depth {
                let block = after[t] * v[t][sample]
                for row in 0..<k {
                    for column in 0..<block.columnCount { jacobian.addEntry(sample * k + row, offsets[t] + column, from: block, row, column) }
                }
            }
        }
        outer = jacobian.transposed * jacobian

        var functional = IntegerMatrix(rows: p, columns: p)
        for l in 1..<max(depth, 1) {
            // B_l^T r_n for every sample (rows of W_l x N).
            let backward = after[l].transposed * residuals
            var between = IntegerMatrix.identity(w[l].columnCount)
            for kLayer in stride(from: l - 1, through: 0, by: -1) {
                // between = W_{l-1} ... W_{kLayer+1} (columns of W_l x rows of W_kLayer).
                var block = IntegerMatrix(rows: entries[l].count, columns: entries[kLayer].count)
                for sample in 0..<n {
                    // Column j: E_{l,j}^T B_l^T r_n.
                    var g = IntegerMatrix(rows: w[l].columnCount, columns: entries[l].count)
                    for (j, positions) in entries[l].enumerated() {
                        for e in positions { g.addEntry(e.column, j, from: backward, e.row, sample) }
                    }
                    block = block + g.transposed * between * v[kLayer][sample]
                }
                for i in 0..<block.rowCount {
                    for j in 0..<block.columnCount {
                        functional.addEntry(offsets[l] + i, offsets[kLayer] + j, from: block, i, j)
                        functional.addEntry(offsets[kLayer] + j, offsets[l] + i, from: block, i, j)
                    }
                }
                between = between * w[kLayer]
            }
        }
        self.problem = problem
        self.functional = functional
        self.loss = outer + functional
    }

    public func matrix(_ part: HessianPart) -> IntegerMatrix {
        switch part {
        case .loss: loss
        case .outer: outer
        case .functional: functional
        }
    }
}

extension ParametrizedLinearHessian: ExactHessian {
    public func dimension(of part: HessianPart) -> Int { problem.parameterCount }
    public func source(for part: HessianPart) -> IntegerMatrix { matrix(part) }
    public func rankSource(for part: HessianPart) -> IntegerMatrix { matrix(part) }
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix { matrix(part) }
}
