// A real matrix of balls [m +- r] (Arb's `arb_mat_t`): every entry is guaranteed to contain the true real value it
// stands for. This is how HessianRank handles matrices whose entries are transcendental (exp, tanh of rationals): no
// exact value exists, but a ball that provably contains it does, at any working precision.
//
// Ball arithmetic can prove a matrix nonsingular (an LU whose every pivot ball excludes 0), never singular: a ball
// around an exact 0 always contains 0. So it gives certain lower bounds on a rank (`BallRank`), never upper bounds.
//
// A final class owning its C memory: `arb_mat_init` in `init`, `arb_mat_clear` in `deinit`. Not Sendable; build one
// per task.
internal import CArb

public final class BallMatrix {
    let pointer: UnsafeMutablePointer<arb_mat_struct>
    public let rowCount: Int
    public let columnCount: Int

    /// The zero matrix (exact balls of radius 0).
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "BallMatrix: negative shape")
        pointer = .allocate(capacity: 1)
        arb_mat_init(pointer, rows, columns)
        rowCount = rows
        columnCount = columns
    }

    /// A matrix whose balls are computed entry by entry: `body` sets the ball of (i, j) at working precision `bits`
    /// (through the `BallEntry` it is handed).
    public convenience init(rows: Int, columns: Int, precision bits: Int, _ body: (Int, Int, BallEntry) -> Void) {
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { body(i, j, BallEntry(pointer: arb_mat_entry_ptr(pointer, i, j), precision: bits)) }
        }
    }

    /// Exact balls (radius 0) of doubles, given as rows.
    public convenience init(exactly rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "BallMatrix: rows of unequal length")
        self.init(rows: rows.count, columns: columns, precision: 64) { i, j, entry in entry.set(rows[i][j]) }
    }

    deinit {
        arb_mat_clear(pointer)
        pointer.deallocate()
    }

    /// The midpoint of (i, j), rounded to the nearest double, and an upper bound on its radius.
    public subscript(i: Int, j: Int) -> (midpoint: Double, radius: Double) {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "BallMatrix: index outside the matrix")
        let entry = arb_mat_entry_ptr(pointer, i, j)
        return (CArb_midpoint(entry), CArb_radius(entry))
    }

    /// The submatrix on `rows` and `columns` (indices in range, in the order given), entries copied exactly.
    public func submatrix(rows: [Int], columns: [Int]) -> BallMatrix {
        precondition(rows.allSatisfy { $0 >= 0 && $0 < rowCount } && columns.allSatisfy { $0 >= 0 && $0 < columnCount },
                     "BallMatrix: submatrix index outside the matrix")
        let result = BallMatrix(rows: rows.count, columns: columns.count)
        for (a, i) in rows.enumerated() {
            for (b, j) in columns.enumerated() {
                arb_set(arb_mat_entry_ptr(result.pointer, a, b), arb_mat_entry_ptr(pointer, i, j))
            }
        }
        return result
    }

    /// The product, ball arithmetic at `bits` of working precision.
    public func multiplied(by other: BallMatrix, precision bits: Int) -> BallMatrix {
        precondition(columnCount == other.rowCount, "BallMatrix: shapes do not chain")
        let result = BallMatrix(rows: rowCount, columns: other.columnCount)
        arb_mat_mul(result.pointer, pointer, other.pointer, bits)
        return result
    }

    /// Whether this square matrix is proven nonsingular at `bits` of working precision: Arb's LU with partial
    /// pivoting (`arb_mat_lu`) finds a pivot ball excluding 0 in every column, so the exact LU exists and the
    /// determinant of every matrix inside the balls, the true one included, is nonzero. false proves nothing.
    public func isProvenNonsingular(precision bits: Int) -> Bool {
        precondition(rowCount == columnCount, "BallMatrix: isProvenNonsingular needs a square matrix")
        if rowCount == 0 { return true }
        let lu = BallMatrix(rows: rowCount, columns: columnCount)
        let permutation = UnsafeMutablePointer<Int>.allocate(capacity: rowCount)
        defer { permutation.deallocate() }
        return arb_mat_lu(permutation, lu.pointer, pointer, bits) != 0
    }
}

/// One entry of a `BallMatrix` being filled, with the working precision for the functions that round.
public struct BallEntry {
    let pointer: UnsafeMutablePointer<arb_struct>
    public let precision: Int

    /// Exactly the double x (radius 0).
    public func set(_ x: Double) { arb_set_d(pointer, x) }

    /// Exactly the integer n.
    public func set(_ n: Int) { arb_set_si(pointer, n) }

    /// A ball containing numerator / denominator.
    public func set(numerator: Int, denominator: Int) {
        precondition(denominator != 0, "BallEntry: zero denominator")
        arb_set_si(pointer, numerator)
        arb_div_si(pointer, pointer, denominator, precision)
    }

    /// A ball containing tanh of the value this entry holds.
    public func tanh() { arb_tanh(pointer, pointer, precision) }

    /// A ball containing exp of the value this entry holds.
    public func exp() { arb_exp(pointer, pointer, precision) }
}

extension BallMatrix {
    /// Gaussian elimination with complete pivoting on the midpoints, in binary floating point of `bits` bits (Arb's
    /// arithmetic with every radius dropped: an approximation, used only to choose which minor to prove). Returns the
    /// original row and column of each nonzero pivot, in order, and each pivot's binary exponent (its magnitude lies in
    /// [2^(e-1), 2^e)): exponents, not doubles, because pivots like e^-1000 are far below double range.
    func midpointPivotOrder(precision bits: Int) -> (rows: [Int], columns: [Int], exponents: [Int]) {
        let m = rowCount, n = columnCount
        let work = BallMatrix(rows: m, columns: n)
        arb_mat_get_mid(work.pointer, pointer)
        func entry(_ i: Int, _ j: Int) -> UnsafeMutablePointer<arb_struct> { arb_mat_entry_ptr(work.pointer, i, j) }
        var rowIndex = Array(0..<m), columnIndex = Array(0..<n)
        var exponents: [Int] = []
        let factor = Ball()
        for t in 0..<min(m, n) {
            var (bestRow, bestColumn) = (t, t)
            for i in t..<m {
                for j in t..<n where CArb_cmpabs_mid(entry(i, j), entry(bestRow, bestColumn)) > 0 { (bestRow, bestColumn) = (i, j) }
            }
            if CArb_mid_is_zero(entry(bestRow, bestColumn)) != 0 { break }
            if bestRow != t {
                for j in 0..<n { arb_swap(entry(t, j), entry(bestRow, j)) }
                rowIndex.swapAt(t, bestRow)
            }
            if bestColumn != t {
                for i in 0..<m { arb_swap(entry(i, t), entry(i, bestColumn)) }
                columnIndex.swapAt(t, bestColumn)
            }
            exponents.append(CArb_mid_exponent(entry(t, t)))
            for i in (t + 1)..<m where CArb_mid_is_zero(entry(i, t)) == 0 {
                arb_div(factor.pointer, entry(i, t), entry(t, t), bits)
                CArb_drop_radius(factor.pointer)
                for j in t..<n where CArb_mid_is_zero(entry(t, j)) == 0 {
                    arb_submul(entry(i, j), factor.pointer, entry(t, j), bits)
                    CArb_drop_radius(entry(i, j))
                }
            }
        }
        return (Array(rowIndex.prefix(exponents.count)), Array(columnIndex.prefix(exponents.count)), exponents)
    }
}
