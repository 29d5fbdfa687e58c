// Does every column of H lie in the span of the witness columns? Exact, over Q.
//
// With A = H[rows, columns] (rho x rho, nonsingular by the lower-bound check) and B = H[rows, others], FLINT's Dixon
// solver returns X and den with A X = den B. That answer is not trusted: the check is the exact integer identity
// H[:, columns] X = den H[:, others] over all p rows (FLINT `fmpz_mat_mul`, `fmpz_mat_equal`). If it holds, each
// other column equals H[:, columns] X[:, j] / den, a combination of the witness columns. If it fails for column j, no
// combination works: the rows `rows` already force the coefficients to be X[:, j] / den.
internal import CFLINT

enum ExactSpan {
    /// The first column (in 0..<p) outside the span of `columns`, or nil when there is none.
    static func firstColumnOutsideSpan(_ h: [Int128], size p: Int, rows: [Int], columns: [Int]) -> Int? {
        let inColumns = Set(columns)
        let others = (0..<p).filter { !inColumns.contains($0) }
        if others.isEmpty { return nil }
        if columns.isEmpty {
            // Rank 0: every column must be zero.
            return others.first { j in (0..<p).contains { i in h[i * p + j] != 0 } }
        }
        let a = OwnedMatrix(rows: rows.count, columns: columns.count) { h[rows[$0] * p + columns[$1]] }
        let b = OwnedMatrix(rows: rows.count, columns: others.count) { h[rows[$0] * p + others[$1]] }
        let x = OwnedMatrix(rows: columns.count, columns: others.count) { _, _ in 0 }
        var den = fmpz()
        fmpz_init(&den)
        defer { fmpz_clear(&den) }
        guard fmpz_mat_solve_dixon_den(x.pointer, &den, a.pointer, b.pointer) != 0 else { return others.first }
        let basis = OwnedMatrix(rows: p, columns: columns.count) { h[$0 * p + columns[$1]] }
        let target = OwnedMatrix(rows: p, columns: others.count) { h[$0 * p + others[$1]] }
        let lhs = OwnedMatrix(rows: p, columns: others.count) { _, _ in 0 }
        fmpz_mat_mul(lhs.pointer, basis.pointer, x.pointer)
        fmpz_mat_scalar_mul_fmpz(target.pointer, target.pointer, &den)
        for (k, j) in others.enumerated() {
            for i in 0..<p where fmpz_equal(fmpz_mat_entry(lhs.pointer, i, k), fmpz_mat_entry(target.pointer, i, k)) == 0 {
                return j
            }
        }
        return nil
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
                let value = entry(i, j)
                let target = fmpz_mat_entry(pointer, i, j)
                if let small = Int(exactly: value) {
                    fmpz_set_si(target, small)
                } else {
                    _ = fmpz_set_str(target, String(value), 10)
                }
            }
        }
    }

    deinit {
        fmpz_mat_clear(pointer)
        pointer.deallocate()
    }
}
