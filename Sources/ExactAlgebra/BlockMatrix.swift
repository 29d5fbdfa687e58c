// An integer matrix given as a sum of product blocks: the exact-rank source for Hessians.
//
// Row-norm bound. Let row x be the sum of the contributions v_b of the blocks b that meet it, and let at most c
// blocks cover any single entry (`overlap`). By Cauchy-Schwarz on each entry, ||sum_b v_b||^2 <= c sum_b ||v_b||^2,
// and each ||v_b||^2 is exact (`ProductBlock.rowSquaredNorms`). If that sum has n bits, log2 ||x|| < (n + log2 c) / 2.
// With c = 1 (disjoint blocks) the bound is the exact norm rounded up to a power of two.
#if canImport(Glibc)
import Glibc
#endif

public struct BlockMatrix: ExactRankSource {
    public let rowCount: Int
    public let columnCount: Int
    public let blocks: [ProductBlock]
    /// The largest number of blocks that cover one entry.
    public let overlap: Int

    public init(rows: Int, columns: Int, blocks: [ProductBlock], overlap: Int) {
        precondition(overlap >= 1, "BlockMatrix: overlap is at least 1")
        self.rowCount = rows
        self.columnCount = columns
        self.blocks = blocks
        self.overlap = overlap
    }

    public func reduced(modulo prime: UInt) -> ModularMatrix {
        let result = ModularMatrix(rows: rowCount, columns: columnCount, prime: prime)
        for block in blocks { result.add(block) }
        return result
    }

    /// The matrix over Z; memory grows with rows x columns x entry size, so use it for small matrices.
    public var exact: IntegerMatrix {
        var result = IntegerMatrix(rows: rowCount, columns: columnCount)
        for block in blocks { result.add(block) }
        return result
    }

    public func rowNormLog2Bounds() -> [Double?] {
        var sums = IntegerMatrix(rows: rowCount, columns: 1)
        for block in blocks {
            let norms = block.rowSquaredNorms
            for i in 0..<norms.rowCount {
                for j in 0..<norms.columnCount {
                    sums.addEntry(block.rowOffset + i * norms.columnCount + j, 0, from: norms, i, j)
                }
            }
        }
        let log2Overlap = log2(Double(overlap))
        return (0..<rowCount).map { row in
            let bits = sums.bits(row, 0)
            return bits == 0 ? nil : (Double(bits) + log2Overlap) / 2
        }
    }
}
