// A dense matrix over the prime field F_p for a word-size prime p, stored as a FLINT `nmod_mat_t`.
//
// This is the workhorse of the exact path: a rank modulo a random ~63-bit prime is a certain lower bound on the rank
// over Q and equals it except with a probability we can bound (see `ModularRank.swift`). It is a final class, not a
// value: the matrices are large (8 p^2 bytes) and are filled, reduced and dropped inside one task. It is deliberately
// not Sendable; build one per task from Sendable inputs.
internal import CFLINT

public final class ModularMatrix {
    let pointer: UnsafeMutablePointer<nmod_mat_struct>
    public let rowCount: Int
    public let columnCount: Int
    public let prime: UInt

    /// The zero matrix over F_prime.
    public init(rows: Int, columns: Int, prime: UInt) {
        precondition(rows >= 0 && columns >= 0, "ModularMatrix: negative shape")
        // Below 2^63 so that a sum of two residues cannot overflow (`addmod`).
        precondition(prime >= 2 && prime < 1 << 63, "ModularMatrix: the modulus must lie in [2, 2^63)")
        pointer = .allocate(capacity: 1)
        nmod_mat_init(pointer, rows, columns, prime)
        rowCount = rows
        columnCount = columns
        self.prime = prime
    }

    /// The residues of an exact integer matrix (`fmpz_mat_get_nmod_mat`).
    public convenience init(_ matrix: IntegerMatrix, prime: UInt) {
        self.init(rows: matrix.rowCount, columns: matrix.columnCount, prime: prime)
        matrix.withUnsafePointer { fmpz_mat_get_nmod_mat(pointer, $0) }
    }

    deinit {
        nmod_mat_clear(pointer)
        pointer.deallocate()
    }

    /// Lends row i as a mutable buffer of residues in [0, prime). Writers must keep every entry below `prime`.
    public func withRow<R>(_ i: Int, _ body: (UnsafeMutableBufferPointer<UInt>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < rowCount, "ModularMatrix: row \(i) outside 0..<\(rowCount)")
        guard columnCount > 0, let row = CFLINT_nmod_mat_row(pointer, i) else {
            return try body(UnsafeMutableBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeMutableBufferPointer(start: row, count: columnCount))
    }

    public subscript(i: Int, j: Int) -> UInt {
        get {
            precondition(j >= 0 && j < columnCount, "ModularMatrix: column \(j) outside 0..<\(columnCount)")
            return withRow(i) { $0[j] }
        }
        set {
            precondition(j >= 0 && j < columnCount, "ModularMatrix: column \(j) outside 0..<\(columnCount)")
            withRow(i) { $0[j] = newValue % prime }
        }
    }

    /// The rank over F_prime, by LU decomposition in place (`nmod_mat_lu`): the matrix is overwritten. Calling LU
    /// directly saves the full copy that `nmod_mat_rank` makes, which at p = 7,280 is 424 MB.
    public func rankOverwriting() -> Int {
        if rowCount == 0 || columnCount == 0 { return 0 }
        let permutation = UnsafeMutablePointer<Int>.allocate(capacity: rowCount)
        defer { permutation.deallocate() }
        return nmod_mat_lu(permutation, pointer, 0)
    }

    /// The rank over F_prime, leaving this matrix unchanged.
    public func rank() -> Int {
        let copy = ModularMatrix(rows: rowCount, columns: columnCount, prime: prime)
        nmod_mat_set(copy.pointer, pointer)
        return copy.rankOverwriting()
    }
}
