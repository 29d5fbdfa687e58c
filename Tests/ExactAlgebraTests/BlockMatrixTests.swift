import ExactAlgebra
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BlockMatrixTests {
    let left = IntegerMatrix([[1, -2], [3, 4]])       // 2 x 2
    let right = IntegerMatrix([[5, 6, -7]])           // 1 x 3

    /// Both pairings, entry by entry against the convention written in ProductBlock.swift.
    @Test func pairingsByHand() {
        let k = BlockMatrix(rows: 2, columns: 6, blocks: [ProductBlock(rowOffset: 0, columnOffset: 0, left: left, right: right, pairing: .kronecker)], overlap: 1).exact
        // row i*1 + j, column a*3 + b, value left[i, a] * right[j, b]
        #expect(k == IntegerMatrix([[5, 6, -7, -10, -12, 14], [15, 18, -21, 20, 24, -28]]))
        let c = BlockMatrix(rows: 2, columns: 6, blocks: [ProductBlock(rowOffset: 0, columnOffset: 0, left: left, right: right, pairing: .crossed)], overlap: 1).exact
        // row i*1 + j, column a*2 + b, value left[i, b] * right[j, a]
        #expect(c == IntegerMatrix([[5, -10, 6, -12, -7, 14], [15, 20, 18, 24, -21, -28]]))
    }

    /// Modular assembly equals reduction of the exact assembly, with overlapping blocks and offsets.
    @Test func modularAssemblyMatchesExact() {
        let blocks = [
            ProductBlock(rowOffset: 1, columnOffset: 0, left: left, right: right, pairing: .kronecker),
            ProductBlock(rowOffset: 0, columnOffset: 1, left: left, right: right, pairing: .crossed),
        ]
        let source = BlockMatrix(rows: 3, columns: 7, blocks: blocks, overlap: 2)
        let exact = source.exact
        let p: UInt = (1 << 63) - 25
        let modular = source.reduced(modulo: p)
        let reference = ModularMatrix(exact, prime: p)
        for i in 0..<3 { for j in 0..<7 { #expect(modular[i, j] == reference[i, j], "(\(i), \(j))") } }
    }

    /// The row-norm bounds are upper bounds on the true log2 norms, within one bit plus the overlap allowance.
    @Test func rowNormBoundsAreValid() {
        let blocks = [
            ProductBlock(rowOffset: 0, columnOffset: 0, left: left, right: right, pairing: .kronecker),
            ProductBlock(rowOffset: 0, columnOffset: 0, left: left, right: right, pairing: .crossed),
        ]
        let source = BlockMatrix(rows: 2, columns: 6, blocks: blocks, overlap: 2)
        let exact = source.exact
        for (i, bound) in source.rowNormLog2Bounds().enumerated() {
            let norm = (0..<6).reduce(0.0) { $0 + Double(exact[i, $1]) * Double(exact[i, $1]) }.squareRoot()
            let b = try! #require(bound)
            #expect(log2(norm) <= b && b <= log2(norm) + 1.5, "row \(i): norm \(norm), bound 2^\(b)")
        }
    }
}
