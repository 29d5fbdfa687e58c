// Exact Hessians of bias-free piecewise-linear networks (relu, leaky-relu:a/b; linear ones too) over Z, sample by
// sample, as product blocks. Bias networks go through their augmented bias-free network (`AugmentedHessian`).
//
// Away from kinks such a network is linear on a neighbourhood of the point, with per-sample diagonal masks D (the
// slope of each unit: 0 or 1 for relu), so its Hessians are exact and rational. For leaky-relu:a/b the masks are the
// integer slopes b and a of the scaled activation b sigma and the targets are b^(L-1) y, so that every Hessian built
// here is b^(2(L-1)) times the true one: integer, same rank, same kernel (`Activation`, proofs/leaky-relu.md). With 0-based weights W_t, levels a_0 = x, z_{t+1} = W_t a_t,
// a_{t+1} = D_{t+1} z_{t+1} (D = I at the output), per sample:
//   P_t = df/dz_{t+1} (K x M_{t+1}):  P_{L-1} = I,  P_t = P_{t+1} W_{t+1} D_{t+1};
//   df/dW_t[i, j] = P_t[:, i] a_t[j], so H_O block (t, u) = sum_n (P_t^T P_u) kron (a_t a_u^T);
//   for t < u, Q_{tu} = da_u/dz_{t+1} = D_u W_{u-1} D_{u-1} ... W_{t+1} D_{t+1} (M_u x M_{t+1}), and
//   d2f/dW_u[i, j] dW_t[a, b] = P_u[:, i] Q_{tu}[j, a] a_t[b]; with g_u = P_u^T e the H_F entry is
//   sum_n g_u[i] a_t[b] Q_{tu}[j, a]: a crossed block with left g_u a_t^T and right Q_{tu}, and its transpose.
// This is the linear network's derivation (proofs/hessian-blocks.md) with the data moments replaced by per-sample
// terms, because the masks differ between samples. Cost: N (2L^2 - L) blocks, N p^2 operations per assembly. Big
// integers throughout (no overflow); checked against the Int128 direct route in the tests.
import ExactAlgebra
import NetworkModel

public struct PiecewiseLinearHessian: Sendable {
    /// A pre-activation exactly zero with a nonzero input: the network has no Hessian there.
    public struct Kink: Error, Sendable, Equatable, CustomStringConvertible {
        public let sample: Int, layer: Int, unit: Int
        public var description: String {
            "sample \(sample) sits on a ReLU kink: the pre-activation of unit \(unit) in layer \(layer) is exactly 0"
        }
    }

    public let problem: Problem
    let outerBlocks: [ProductBlock]
    let functionalBlocks: [ProductBlock]
    let jacobianBlocks: [ProductBlock]

    public init(_ problem: Problem, activation: Activation) throws(Kink) {
        guard let slopes = activation.integerSlopes else { preconditionFailure("PiecewiseLinearHessian: \(activation) is not piecewise linear") }
        precondition(!problem.architecture.bias, "PiecewiseLinearHessian: bias networks go through their augmented network")
        let arch = problem.architecture, depth = arch.depth
        // b^(L-1): the scaled network computes this multiple of f, so the targets are scaled alike.
        var targetScale = IntegerMatrix.identity(1)
        for _ in 0..<max(depth - 1, 0) { targetScale = targetScale * IntegerMatrix.diagonal([slopes.positive]) }
        var outer: [ProductBlock] = [], functional: [ProductBlock] = [], jacobian: [ProductBlock] = []
        for n in 0..<problem.sampleCount {
            // Forward: a_t and the masks D_t (as diagonal matrices), t = 0 ... L.
            var a = [problem.x.rows(n..<(n + 1)).transposed]
            var masks = [IntegerMatrix.identity(arch.inputWidth)]
            for t in 0..<depth {
                let z = problem.weights[t] * a[t]
                var mask = [Int](repeating: 1, count: z.rowCount)
                if t < depth - 1 {
                    mask = [Int](repeating: slopes.positive, count: z.rowCount)
                    let inputIsZero = a[t].isZero
                    for i in 0..<z.rowCount {
                        let sign = z.sign(i, 0)
                        if sign == 0 && !inputIsZero && activation.hasKinks { throw Kink(sample: n + 1, layer: t + 1, unit: i + 1) }
                        if sign <= 0 { mask[i] = slopes.negative }
                    }
                }
                let d = IntegerMatrix.diagonal(mask)
                masks.append(d)
                a.append(d * z)
            }
            let residual = a[depth] - problem.y.rows(n..<(n + 1)).transposed * targetScale
            // Back: P_t = df/dz_{t+1}.
            var p = [IntegerMatrix](repeating: .identity(arch.outputWidth), count: depth)
            for t in stride(from: depth - 2, through: 0, by: -1) { p[t] = p[t + 1] * problem.weights[t + 1] * masks[t + 1] }
            for t in 0..<depth {
                // J rows (n, c), columns (t, i, j): P_t[c, i] a_t[j].
                jacobian.append(ProductBlock(rowOffset: n * arch.outputWidth, columnOffset: arch.parameterOffset(t),
                                             left: a[t].transposed, right: p[t], pairing: .crossed))
                for u in 0..<depth {
                    outer.append(ProductBlock(rowOffset: arch.parameterOffset(t), columnOffset: arch.parameterOffset(u),
                                              left: p[t].transposed * p[u], right: a[t] * a[u].transposed, pairing: .kronecker))
                }
            }
            for t in 0..<depth {
                var q = masks[t + 1]                                  // Q_{t, t+1} = D_{t+1}
                for u in (t + 1)..<max(depth, t + 1) {
                    if u > t + 1 { q = masks[u] * problem.weights[u - 1] * q }
                    let left = (p[u].transposed * residual) * a[t].transposed   // g_u a_t^T
                    functional.append(ProductBlock(rowOffset: arch.parameterOffset(u), columnOffset: arch.parameterOffset(t),
                                                   left: left, right: q, pairing: .crossed))
                    functional.append(ProductBlock(rowOffset: arch.parameterOffset(t), columnOffset: arch.parameterOffset(u),
                                                   left: q.transposed, right: left.transposed, pairing: .crossed))
                }
            }
        }
        self.problem = problem
        outerBlocks = outer
        functionalBlocks = functional
        jacobianBlocks = jacobian
    }

    /// The stacked Jacobian (N K x p), H_O = J^T J; and what to rank per part (J for H_O, see StructuredHessian).
    public var jacobian: BlockMatrix {
        BlockMatrix(rows: problem.sampleCount * problem.architecture.outputWidth, columns: problem.parameterCount,
                    blocks: jacobianBlocks, overlap: 1)
    }

    public func rankSource(for part: HessianPart) -> BlockMatrix {
        part == .outer && jacobian.rowCount < problem.parameterCount ? jacobian : source(for: part)
    }

    /// The part as a sum of product blocks; the same-position blocks of different samples overlap.
    public func source(for part: HessianPart) -> BlockMatrix {
        let p = problem.parameterCount, n = max(problem.sampleCount, 1)
        switch part {
        case .outer: return BlockMatrix(rows: p, columns: p, blocks: outerBlocks, overlap: n)
        case .functional: return BlockMatrix(rows: p, columns: p, blocks: functionalBlocks, overlap: n)
        case .loss: return BlockMatrix(rows: p, columns: p, blocks: outerBlocks + functionalBlocks, overlap: 2 * n)
        }
    }
}
