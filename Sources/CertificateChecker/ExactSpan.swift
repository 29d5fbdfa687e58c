// Does every column of H lie in the span of the witness columns? Exact, over Q.
//
// With A = H[rows, columns] (rho x rho, nonsingular by the lower-bound check) and B = H[rows, others], FLINT's Dixon
// solver returns X and den with A X = den B. That answer is not trusted: `verify` checks it, given X and den from
// anywhere. The identity H[:, columns] X = den H[:, others] over all p rows (FLINT `fmpz_mat_mul`, `fmpz_mat_equal`)
// shows each other column equal to H[:, columns] X[:, j] / den, a combination of the witness columns, only if den != 0:
// with den = 0 and X = 0 it holds for every matrix and proves nothing, so a zero denominator is refused, whatever X is.
// If the identity fails for column j, no combination works: the rows `rows` already force the coefficients to be
// X[:, j] / den.
internal import CFLINT

enum ExactSpan {
    enum Verdict: Equatable {
        /// Every column is in the span of the witness columns.
        case spanned
        /// This column (in 0..<p) is not: the identity fails there.
        case outside(column: Int)
        /// The denominator is 0, for which the identity holds vacuously: no column is shown to be in the span.
        case zeroDenominator
    }

    /// Solves for the span of `columns` (rank `rows.count`) and verifies the answer, for a p x p matrix.
    static func check(_ h: [Int128], size p: Int, rows: [Int], columns: [Int]) -> Verdict {
        check(h, rowCount: p, columnCount: p, rows: rows, columns: columns)
    }

    /// The same for a matrix of any shape (row-major, `rowCount` x `columnCount`): the data and Omega, whose exact
    /// ranks a proven bound is read with (`SmallExactRank`).
    static func check(_ h: [Int128], rowCount m: Int, columnCount n: Int, rows: [Int], columns: [Int]) -> Verdict {
        let inColumns = Set(columns)
        let others = (0..<n).filter { !inColumns.contains($0) }
        if others.isEmpty { return .spanned }
        if columns.isEmpty {
            // Rank 0: every column must be zero.
            return others.first { j in (0..<m).contains { i in h[i * n + j] != 0 } }.map { .outside(column: $0) } ?? .spanned
        }
        let a = OwnedMatrix(rows: rows.count, columns: columns.count) { h[rows[$0] * n + columns[$1]] }
        let b = OwnedMatrix(rows: rows.count, columns: others.count) { h[rows[$0] * n + others[$1]] }
        let x = OwnedMatrix(rows: columns.count, columns: others.count) { _, _ in 0 }
        let den = OwnedInteger(0)
        guard fmpz_mat_solve_dixon_den(x.pointer, den.pointer, a.pointer, b.pointer) != 0 else { return .outside(column: others[0]) }
        return verify(h, rowCount: m, columnCount: n, columns: columns, others: others, x: x, den: den)
    }

    /// Whether den != 0 and H[:, columns] X = den H[:, others] over all p rows, for X (columns.count x others.count)
    /// and den from any source.
    static func verify(_ h: [Int128], size p: Int, columns: [Int], others: [Int], x: OwnedMatrix, den: OwnedInteger) -> Verdict {
        verify(h, rowCount: p, columnCount: p, columns: columns, others: others, x: x, den: den)
    }

    /// The same for a matrix of any shape.
    static func verify(_ h: [Int128], rowCount m: Int, columnCount n: Int, columns: [Int], others: [Int], x: OwnedMatrix,
                       den: OwnedInteger) -> Verdict {
        precondition(fmpz_mat_nrows(x.pointer) == columns.count && fmpz_mat_ncols(x.pointer) == others.count,
                     "ExactSpan.verify: X must be columns.count x others.count")
        guard fmpz_is_zero(den.pointer) == 0 else { return .zeroDenominator }
        let basis = OwnedMatrix(rows: m, columns: columns.count) { h[$0 * n + columns[$1]] }
        let target = OwnedMatrix(rows: m, columns: others.count) { h[$0 * n + others[$1]] }
        let lhs = OwnedMatrix(rows: m, columns: others.count) { _, _ in 0 }
        fmpz_mat_mul(lhs.pointer, basis.pointer, x.pointer)
        fmpz_mat_scalar_mul_fmpz(target.pointer, target.pointer, den.pointer)
        for (k, j) in others.enumerated() {
            for i in 0..<m where fmpz_equal(fmpz_mat_entry(lhs.pointer, i, k), fmpz_mat_entry(target.pointer, i, k)) == 0 {
                return .outside(column: j)
            }
        }
        return .spanned
    }
}

/// An fmpz_mat owned by Swift, filled from Int128 entries: the checker's own minimal wrapper, so that it shares no
/// code with the producer's `IntegerMatrix`.
final class OwnedMatrix {
    let pointer: UnsafeMutablePointer<fmpz_mat_struct>

    init(rows: Int, columns: Int, entry: (Int, Int) -> Int128) {
        pointer = .allocate(capacity: 1)
        fmpz_mat_init(pointer, rows, columns)
        for i in 0..<rows {
            for j in 0..<columns {
                OwnedInteger.set(fmpz_mat_entry(pointer, i, j), entry(i, j))
            }
        }
    }

    deinit {
        fmpz_mat_clear(pointer)
        pointer.deallocate()
    }
}

/// An fmpz owned by Swift.
final class OwnedInteger {
    let pointer: UnsafeMutablePointer<fmpz>

    init(_ value: Int128) {
        pointer = .allocate(capacity: 1)
        fmpz_init(pointer)
        Self.set(pointer, value)
    }

    deinit {
        fmpz_clear(pointer)
        pointer.deallocate()
    }

    static func set(_ target: UnsafeMutablePointer<fmpz>, _ value: Int128) {
        if let small = Int(exactly: value) {
            fmpz_set_si(target, small)
        } else {
            _ = fmpz_set_str(target, String(value), 10)
        }
    }
}
