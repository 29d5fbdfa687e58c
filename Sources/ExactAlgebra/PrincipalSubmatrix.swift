// A principal submatrix of a rank source: the rows and columns `indices` of `base`, reduced modulo a prime by
// reducing the whole of `base` and keeping those rows and columns. Its rows are parts of rows of `base`, so the row
// norm bounds of `base`, restricted to `indices`, bound them too (the Hadamard bound stays valid, if looser). A row
// that is zero only on the kept columns keeps its base row's bound instead of nil: an over-estimate, which the error
// bound tolerates (it only counts bounds, and a larger one makes it more cautious).
public struct PrincipalSubmatrix<Base: ExactRankSource>: ExactRankSource {
    public let base: Base
    public let indices: [Int]

    public init(_ base: Base, indices: [Int]) {
        precondition(base.rowCount == base.columnCount, "PrincipalSubmatrix: the base must be square")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.rowCount } && Set(indices).count == indices.count,
                     "PrincipalSubmatrix: indices must be distinct and inside the base")
        self.base = base
        self.indices = indices
    }

    public var rowCount: Int { indices.count }
    public var columnCount: Int { indices.count }

    public func reduced(modulo prime: UInt) -> ModularMatrix {
        base.reduced(modulo: prime).submatrix(rows: indices, columns: indices)
    }

    public func rowNormLog2Bounds() -> [Double?] {
        let all = base.rowNormLog2Bounds()
        return indices.map { all[$0] }
    }
}
