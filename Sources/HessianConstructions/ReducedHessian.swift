// The Hessians of a linear network restricted to a subspace that contains their column spaces: matrices several
// times smaller than p x p with exactly the same rank over Q (the argument is in proofs/reduced-hessian.md).
//
// Lemma. If H is a real symmetric p x p matrix and Q a real p x s matrix with col(H) in col(Q), then
// rank(Q^T H Q) = rank(H). (If Q^T H Q v = 0, then H Q v lies in col(Q) and is orthogonal to col(Q), so H Q v = 0:
// rank(Q^T H Q) = rank(H Q) = rank(Q^T H); and Q^T is one-to-one on col(Q), which contains col(H).)
// It needs an ordered field: it holds over Q and R, not over F_p. Over Z the reduced rank is therefore H's rank over
// Q. In generic mode (`--field prime`) the reduced rank at the random point is still a certain lower bound on the
// generic rank of H over Q (rank(Q^T H Q) <= rank H over any field, and the two generic ranks over Q are equal: apply
// the lemma at a rational point where H has its generic rank), with a Schwartz-Zippel bound for the reduced matrix.
//
// The subspace. Write a direction as V = (V_0, ..., V_{L-1}), V_t of shape M_{t+1} x M_t, with A_t = W^{L:t+2} and
// B_t = W^{t:1} as in `StructuredHessian`. Layer t of H V is a sum of terms of three shapes (proofs/hessian-blocks.md):
//   H_O:                    A_t^T E X B_t^T                  columns in col(A_t^T), rows in col(B_t X^T)
//   H_F, blocks (t, u > t): C^T V_u^T A_u^T Omega B_t^T      rows in col(B_t Omega^T)
//   H_F, blocks (t, u < t): A_t^T Omega B_u^T V_u^T C^T      columns in col(A_t^T)
// So layer t's part of col(H) lies in the span of x y^T over a few "pieces" (x from the columns of one matrix, y from
// the columns of another): col(A_t^T) x R^{M_t} (the "output" piece), R^{M_{t+1}} x col(B_t Omega^T) (the
// "residual" piece) and, for H_O, col(A_t^T) x col(B_t X^T). A piece whose factor has as many columns as rows uses the
// identity instead, and a layer whose pieces would not be smaller than the layer uses the layer itself.
//
// On the paper's width sweep (d = 64, hidden [w, w], K = 10, N = 100) with w >= 20 this takes H_L from
// p = w^2 + 74 w to 640 + 40 w (7,280 to 2,880 at w = 56), H_F to 40 w, and H_O's Jacobian from N K x p to
// N K x (640 + 20 w).
//
// The reduced matrix is again a sum of product blocks: with pieces (X, Y) of layer t and (X', Y') of layer u, entry
// ((a, b), (a', b')) of Q^T H Q is
//   H_O:        (X^T A_t^T A_u X')[a, a'] (Y^T B_t Sxx B_u^T Y')[b, b']     a Kronecker block
//   H_F, t < u: (Y^T G X')[b, a'] (Y'^T C X)[b', a]                       a crossed block
// with C = W_{u-1} ... W_{t+1} and G = B_t Omega^T A_u, the factors of the full Hessian's blocks. Assembly costs
// O(s^2), and the rank methods, the error bound and the certified ranks apply to it unchanged.
import ExactAlgebra
import NetworkModel

public struct ReducedHessian: Sendable {
    /// One piece of a layer's spanning set: the matrices x y^T, x a column of `left` (M_{t+1} x m), y a column of
    /// `right` (M_t x n), numbered (a, b) -> offset + a n + b.
    public struct Piece: Sendable {
        public let layer: Int
        public let left: IntegerMatrix
        public let right: IntegerMatrix
        public let offset: Int
        public var count: Int { left.columnCount * right.columnCount }
    }

    public let hessian: StructuredHessian
    /// The pieces spanning each part's column space, in layer order.
    public let pieces: [HessianPart: [Piece]]
    /// Generic mode: the prime `hessian` was reduced modulo; every product below is reduced too.
    let modulus: UInt?

    /// With `modulus`, `hessian` must have been built with the same modulus.
    public init(_ hessian: StructuredHessian, modulus: UInt? = nil) {
        self.hessian = hessian
        self.modulus = modulus
        var pieces: [HessianPart: [Piece]] = [:]
        for part in HessianPart.allCases { pieces[part] = Self.pieces(for: part, of: hessian, modulus: modulus) }
        self.pieces = pieces
    }

    /// In generic mode, a bound on the degree of every entry of a reduced Hessian (Q^T H Q or J Q) as a polynomial in
    /// the drawn values, when each data entry has degree at most 2 in them (X = U V for a prescribed rank): entries of
    /// H and of Q have degree at most 2L + 2, so those of Q^T H Q at most 6L + 6 (proofs/reduced-hessian.md).
    public static func entryDegreeBound(depth: Int) -> Int { 6 * depth + 6 }


    /// The product, reduced modulo `modulus` in generic mode.
    static func product(_ factors: IntegerMatrix..., modulus: UInt?) -> IntegerMatrix {
        factors.dropFirst().reduce(factors[0]) { partial, next in
            let result = partial * next
            return modulus.map { result.reduced(modulo: $0) } ?? result
        }
    }

    func product(_ factors: IntegerMatrix...) -> IntegerMatrix {
        factors.dropFirst().reduce(factors[0]) { Self.product($0, $1, modulus: modulus) }
    }

    /// s, the number of columns of Q for this part.
    public func dimension(of part: HessianPart) -> Int { pieces[part]!.reduce(0) { $0 + $1.count } }

    /// Q for this part (p x s): column (piece, a, b) is vec(x_a y_b^T) in the parameter order of the Hessian.
    public func spanningMatrix(for part: HessianPart) -> BlockMatrix {
        let architecture = hessian.problem.architecture
        let blocks = pieces[part]!.map {
            ProductBlock(rowOffset: architecture.parameterOffset($0.layer), columnOffset: $0.offset,
                         left: $0.left, right: $0.right, pairing: .kronecker)
        }
        return BlockMatrix(rows: hessian.parameterCount, columns: dimension(of: part), blocks: blocks, overlap: 1)
    }

    /// Q^T H Q for this part (s x s), as product blocks.
    public func source(for part: HessianPart) -> BlockMatrix {
        let pieces = pieces[part]!
        let products = hessian.products
        let depth = hessian.problem.architecture.depth
        var blocks: [ProductBlock] = []
        for p in pieces {
            for q in pieces {
                let (t, u) = (p.layer, q.layer)
                if part != .functional {
                    let outer = hessian.outerBlocks[t * depth + u]
                    blocks.append(ProductBlock(rowOffset: p.offset, columnOffset: q.offset,
                                               left: product(p.left.transposed, outer.left, q.left),
                                               right: product(p.right.transposed, outer.right, q.right),
                                               pairing: .kronecker))
                }
                if part != .outer && t < u {
                    let c = products.product(from: t + 1, through: u - 1)
                    let g = product(products.inputSide(of: t), hessian.omega.transposed, products.outputSide(of: u))
                    let ygx = product(p.right.transposed, g, q.left), ycx = product(q.right.transposed, c, p.left)
                    blocks.append(ProductBlock(rowOffset: p.offset, columnOffset: q.offset,
                                               left: ycx.transposed, right: ygx, pairing: .crossed))
                    blocks.append(ProductBlock(rowOffset: q.offset, columnOffset: p.offset,
                                               left: ygx.transposed, right: ycx, pairing: .crossed))
                }
            }
        }
        let s = dimension(of: part)
        return BlockMatrix(rows: s, columns: s, blocks: blocks, overlap: part == .loss && depth > 1 ? 2 : 1)
    }

    /// J Q for H_O (N K x s): rank(J Q) = rank(Q^T J^T J Q) = rank(H_O) over Q.
    public var reducedJacobian: BlockMatrix {
        let jacobian = hessian.jacobian
        let blocks = pieces[.outer]!.map { piece in
            let block = hessian.jacobianBlocks[piece.layer]
            return ProductBlock(rowOffset: 0, columnOffset: piece.offset, left: product(block.left, piece.right),
                                right: product(block.right, piece.left), pairing: .crossed)
        }
        return BlockMatrix(rows: jacobian.rowCount, columns: dimension(of: .outer), blocks: blocks, overlap: 1)
    }

    /// What to rank for each part: Q^T H Q, or for H_O the reduced Jacobian when it has fewer rows.
    public func rankSource(for part: HessianPart) -> BlockMatrix {
        let problem = hessian.problem
        return part == .outer && Self.ranksOuterThroughJacobian(samples: problem.sampleCount,
                                                               outputWidth: problem.architecture.outputWidth,
                                                               dimension: dimension(of: .outer))
            ? reducedJacobian : source(for: part)
    }

    /// Which spanning factors a piece uses; they depend only on the shapes, so sizes are known before any product.
    public enum Factor: Sendable {
        /// The identity: the whole space R^{M_{t+1}} or R^{M_t}.
        case identity
        /// A_t^T (M_{t+1} x K): col(A_t^T).
        case output
        /// B_t X^T (M_t x N): col(B_t X^T).
        case data
        /// B_t Omega^T (M_t x K): col(B_t Omega^T).
        case residual
    }

    public struct PieceShape: Sendable, Equatable {
        public let layer: Int
        public let left: Factor
        public let right: Factor
        /// m and n: the columns of the left and right factors.
        public let leftColumns: Int
        public let rightColumns: Int
        public var count: Int { leftColumns * rightColumns }
    }

    /// The pieces of each layer for a part (the table in proofs/reduced-hessian.md). A factor with at least as many
    /// columns as rows is replaced by the identity, and a layer whose pieces are not smaller than the layer keeps the
    /// layer whole; with `keepsWholeLayers` false every layer is split (for bounds that must grow with every size,
    /// which that choice does not).
    public static func layout(for part: HessianPart, architecture: Architecture, samples: Int,
                              keepsWholeLayers: Bool = true) -> [PieceShape] {
        let depth = architecture.depth
        let outputWidth = architecture.outputWidth
        return (0..<depth).flatMap { t -> [PieceShape] in
            let (rows, columns) = architecture.weightShape(t)
            func piece(_ left: Factor, _ right: Factor) -> PieceShape {
                let m = left == .output ? outputWidth : rows
                let n = switch right {
                case .data: samples
                case .residual: outputWidth
                case .identity, .output: columns
                }
                return PieceShape(layer: t, left: left, right: right, leftColumns: m, rightColumns: n)
            }
            let output: Factor = outputWidth < rows ? .output : .identity
            let data: Factor = samples < columns ? .data : .identity
            let residual: Factor = outputWidth < columns ? .residual : .identity
            var pieces: [PieceShape] = []
            switch part {
            case .outer:
                pieces = [piece(output, data)]
            case .functional, .loss:
                if t > 0 { pieces.append(piece(output, .identity)) } else if part == .loss { pieces.append(piece(output, data)) }
                if t < depth - 1 { pieces.append(piece(.identity, residual)) }
            }
            let whole = piece(.identity, .identity)
            return keepsWholeLayers && pieces.reduce(0) { $0 + $1.count } >= whole.count ? [whole] : pieces
        }
    }

    /// H_O is ranked through J Q (N K rows) when that has fewer rows than Q^T H_O Q (s). N K is computed with an
    /// overflow check: these shapes are asked for before any size is known to fit (memory estimates), and an N K beyond
    /// Int.max is certainly not below s.
    static func ranksOuterThroughJacobian(samples: Int, outputWidth: Int, dimension s: Int) -> Bool {
        let (rows, overflow) = samples.multipliedReportingOverflow(by: outputWidth)
        return !overflow && rows < s
    }

    /// The shapes of the matrices the three parts are ranked through, in the order of `HessianPart.allCases`.
    public static func rankedShapes(architecture: Architecture, samples: Int) -> [MatrixShape] {
        HessianPart.allCases.map { rankedShape(of: $0, architecture: architecture, samples: samples) }
    }

    /// The shape of the matrix each part is ranked through (`rankSource(for:)`), from the shapes alone: for memory
    /// estimates and messages before anything is computed. Safe for every N >= 1: a piece's count is at most its
    /// layer's size and s at most p (whose square `Architecture` has checked), and N K is only formed when it is below s.
    public static func rankedShape(of part: HessianPart, architecture: Architecture, samples: Int) -> MatrixShape {
        let s = layout(for: part, architecture: architecture, samples: samples).reduce(0) { $0 + $1.count }
        return part == .outer && ranksOuterThroughJacobian(samples: samples, outputWidth: architecture.outputWidth, dimension: s)
            ? MatrixShape(rows: samples * architecture.outputWidth, columns: s) : MatrixShape(rows: s, columns: s)
    }

    static func pieces(for part: HessianPart, of hessian: StructuredHessian, modulus: UInt?) -> [Piece] {
        let problem = hessian.problem
        var offset = 0
        return layout(for: part, architecture: problem.architecture, samples: problem.sampleCount).map { shape in
            let t = shape.layer
            let (rows, columns) = problem.architecture.weightShape(t)
            let inputSide = hessian.products.inputSide(of: t)
            let left: IntegerMatrix = switch shape.left {
            case .output: hessian.products.outputSide(of: t).transposed
            case .identity, .data, .residual: .identity(rows)
            }
            let right: IntegerMatrix = switch shape.right {
            case .data: product(inputSide, problem.x.transposed, modulus: modulus)
            case .residual: product(inputSide, hessian.omega.transposed, modulus: modulus)
            case .identity, .output: .identity(columns)
            }
            defer { offset += shape.count }
            return Piece(layer: t, left: left, right: right, offset: offset)
        }
    }
}
