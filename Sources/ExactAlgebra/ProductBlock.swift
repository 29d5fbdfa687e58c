// A rectangular block whose every entry is a product of one entry of `left` and one entry of `right`.
//
// Hessians of deep linear networks are made of such blocks (proofs/hessian-blocks.md): the outer part's block (k, l)
// is a Kronecker product, the functional part's a "crossed" one. Describing a matrix as a list of blocks lets the
// same description be assembled exactly over Z, assembled modulo a prime with no big integers, and bounded (row
// norms) without ever being stored.
//
// Index convention, with i, j the block-row digits and a, b the block-column digits:
//   .kronecker:  row i * right.rows + j,  column a * right.columns + b,  value left[i, a] * right[j, b]
//   .crossed:    row i * right.rows + j,  column a * left.columns + b,   value left[i, b] * right[j, a]
public struct ProductBlock: Sendable {
    public enum Pairing: Sendable { case kronecker, crossed }

    public let rowOffset: Int
    public let columnOffset: Int
    public let left: IntegerMatrix
    public let right: IntegerMatrix
    public let pairing: Pairing

    public init(rowOffset: Int, columnOffset: Int, left: IntegerMatrix, right: IntegerMatrix, pairing: Pairing) {
        self.rowOffset = rowOffset
        self.columnOffset = columnOffset
        self.left = left
        self.right = right
        self.pairing = pairing
    }

    public var rowCount: Int { left.rowCount * right.rowCount }
    public var columnCount: Int { left.columnCount * right.columnCount }

    /// The positions (within the block) and factor positions of every entry, in row-major order of the block:
    /// calls `body(row, column, (li, lj), (ri, rj))`.
    @inline(__always)
    func forEachEntry(_ body: (Int, Int, (Int, Int), (Int, Int)) -> Void) {
        let (lr, lc, rr, rc) = (left.rowCount, left.columnCount, right.rowCount, right.columnCount)
        for i in 0..<lr {
            for j in 0..<rr {
                let row = i * rr + j
                switch pairing {
                case .kronecker:
                    for a in 0..<lc { for b in 0..<rc { body(row, a * rc + b, (i, a), (j, b)) } }
                case .crossed:
                    for a in 0..<rc { for b in 0..<lc { body(row, a * lc + b, (i, b), (j, a)) } }
                }
            }
        }
    }

    /// The squared Euclidean norm of each block row, as a (left.rows x right.rows) matrix indexed like the rows:
    /// for both pairings, row (i, j) holds the products left[i, x] * right[j, y] over all x, y, so its squared norm is
    /// (row i of left, squared norm) * (row j of right, squared norm).
    public var rowSquaredNorms: IntegerMatrix {
        left.rowSquaredNorms * right.rowSquaredNorms.transposed
    }
}
