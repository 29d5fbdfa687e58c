// Construction (a): the Hessians from precomputed products and the data moments Sxx, Syx.
//
// With A_t = W^{L:t+2} (output side of layer t), B_t = W^{t:1} (input side), Sxx = X^T X, Syx = Y^T X and the
// residual covariance Omega = W^{L:1} Sxx - Syx (derivation in proofs/hessian-blocks.md; 0-based layers):
// - H_O block (t, u) = (A_t^T A_u) kron (B_t Sxx B_u^T), for every pair of layers;
// - H_F block (u, t), t < u: entry [(i, j), (a, b)] = C[j, a] G[b, i] with C = W_{u-1} ... W_{t+1} and
//   G = B_t Omega^T A_u, i.e. a crossed block with left G^T and right C; block (t, u) is its transpose (left C^T,
//   right G); diagonal blocks of H_F are zero because f is linear in each W_t.
// Every entry is one product of two precomputed entries, so assembly costs O(p^2) and needs no p x p matrix over Z:
// `source(for:)` hands the block description to the exact-rank methods, which reduce it modulo each prime.
import ExactAlgebra
import NetworkModel

public struct StructuredHessian: Sendable {
    public let problem: Problem
    public let products: PartialProducts
    public let sxx: IntegerMatrix
    public let syx: IntegerMatrix
    /// Omega = W^{L:1} Sxx - Syx (K x d).
    public let omega: IntegerMatrix
    let outerBlocks: [ProductBlock]
    let functionalBlocks: [ProductBlock]
    let jacobianBlocks: [ProductBlock]

    /// With `modulus`, every precomputed factor is reduced into [0, modulus): the Hessians over F_p (`--field prime`),
    /// with no big integers; their reduction modulo that prime equals the reduction of the Hessians over Z.
    public init(_ problem: Problem, products: PartialProducts? = nil, modulus: UInt? = nil) {
        /// `m` reduced into [0, modulus) in generic mode; unchanged over Z.
        func reducedIfModular(_ m: IntegerMatrix) -> IntegerMatrix { modulus.map { m.reduced(modulo: $0) } ?? m }
        let products = products ?? PartialProducts(problem, modulus: modulus)
        let arch = problem.architecture
        let xt = problem.x.transposed
        let sxx = reducedIfModular(xt * problem.x)
        let syx = reducedIfModular(problem.y.transposed * problem.x)
        let omega = reducedIfModular(products.endToEnd * sxx - syx)
        let depth = arch.depth
        let inputSides = (0..<depth).map(products.inputSide(of:))
        let outputSides = (0..<depth).map(products.outputSide(of:))

        var outer: [ProductBlock] = []
        for t in 0..<depth {
            for u in 0..<depth {
                outer.append(ProductBlock(
                    rowOffset: arch.parameterOffset(t), columnOffset: arch.parameterOffset(u),
                    left: reducedIfModular(outputSides[t].transposed * outputSides[u]),
                    right: reducedIfModular(reducedIfModular(inputSides[t] * sxx) * inputSides[u].transposed),
                    pairing: .kronecker))
            }
        }
        // The stacked Jacobian J (N K x p), row (n, c), column (t, i, j): A_t[c, i] (B_t x_n)[j], a crossed block with
        // left X B_t^T (N x M_t) and right A_t (K x M_{t+1}).
        let jacobian = (0..<depth).map { t in
            ProductBlock(rowOffset: 0, columnOffset: arch.parameterOffset(t),
                         left: reducedIfModular(problem.x * inputSides[t].transposed), right: outputSides[t],
                         pairing: .crossed)
        }
        var functional: [ProductBlock] = []
        for t in 0..<depth {
            for u in (t + 1)..<max(depth, t + 1) {
                let c = products.product(from: t + 1, through: u - 1)
                let g = reducedIfModular(reducedIfModular(inputSides[t] * omega.transposed) * outputSides[u])
                functional.append(ProductBlock(rowOffset: arch.parameterOffset(u), columnOffset: arch.parameterOffset(t),
                                               left: g.transposed, right: c, pairing: .crossed))
                functional.append(ProductBlock(rowOffset: arch.parameterOffset(t), columnOffset: arch.parameterOffset(u),
                                               left: c.transposed, right: g, pairing: .crossed))
            }
        }
        self.problem = problem
        self.products = products
        self.sxx = sxx
        self.syx = syx
        self.omega = omega
        self.outerBlocks = outer
        self.jacobianBlocks = jacobian
        self.functionalBlocks = functional
    }

    public var parameterCount: Int { problem.parameterCount }

    /// In generic mode, a bound on the degree of every entry of the Hessians and of J as a polynomial in the drawn
    /// values, when each data entry has degree at most 2 in them (X = U V for a prescribed rank): 2L + 2
    /// (proofs/exact-rank-method.md).
    public static func entryDegreeBound(depth: Int) -> Int { 2 * depth + 2 }

    /// The part as a sum of product blocks: what the rank methods consume.
    public func source(for part: HessianPart) -> BlockMatrix {
        let p = parameterCount
        switch part {
        case .outer: return BlockMatrix(rows: p, columns: p, blocks: outerBlocks, overlap: 1)
        case .functional: return BlockMatrix(rows: p, columns: p, blocks: functionalBlocks, overlap: 1)
        case .loss: return BlockMatrix(rows: p, columns: p, blocks: outerBlocks + functionalBlocks,
                                       overlap: functionalBlocks.isEmpty ? 1 : 2)
        }
    }

    /// The stacked Jacobian J = [J_1; ...; J_N] (N K x p), with H_O = J^T J.
    public var jacobian: BlockMatrix {
        BlockMatrix(rows: problem.sampleCount * problem.architecture.outputWidth, columns: parameterCount,
                    blocks: jacobianBlocks, overlap: 1)
    }

    /// What to rank for each part: the Hessian itself, except for H_O when N K < p: its rank over Q is that of J
    /// (H_O = J^T J with J real, so J^T J v = 0 gives |J v|^2 = 0), and J has N K rows instead of p, which makes the
    /// elimination cheaper (bench, w = 32: 3.1 s to 0.9 s). The mod-p rank of J is still a certain lower bound, with
    /// J's own Hadamard bound.
    public func rankSource(for part: HessianPart) -> BlockMatrix {
        part == .outer && jacobian.rowCount < parameterCount ? jacobian : source(for: part)
    }

    /// The part as an exact integer matrix (p x p over Z): for tests, certificates and small cases.
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix { source(for: part).exact }
}
