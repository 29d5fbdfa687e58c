// One real ball [m +- r] (Arb's `arb_t`) that is guaranteed to contain the real number it stands for. Every operation
// takes the working precision in bits and returns a new ball containing the exact result.
internal import CArb

public final class Ball {
    let pointer: UnsafeMutablePointer<arb_struct>

    init() {
        pointer = .allocate(capacity: 1)
        arb_init(pointer)
    }

    /// Exactly the integer n.
    public convenience init(_ n: Int) {
        self.init()
        arb_set_si(pointer, n)
    }

    /// Exactly the double x.
    public convenience init(exactly x: Double) {
        self.init()
        arb_set_d(pointer, x)
    }

    deinit {
        arb_clear(pointer)
        pointer.deallocate()
    }

    /// The midpoint as the nearest double, and an upper bound on the radius.
    public var midpoint: Double { CArb_midpoint(pointer) }
    public var radius: Double { CArb_radius(pointer) }

    /// Whether the ball lies entirely above 0 (a proof that the number is positive).
    public var isPositive: Bool { arb_is_positive(pointer) != 0 }

    func unary(_ body: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>) -> Void) -> Ball {
        let result = Ball()
        body(result.pointer, pointer)
        return result
    }

    func binary(_ other: Ball, _ body: (UnsafeMutablePointer<arb_struct>, UnsafePointer<arb_struct>, UnsafePointer<arb_struct>) -> Void) -> Ball {
        let result = Ball()
        body(result.pointer, pointer, other.pointer)
        return result
    }

    public func exp(precision bits: Int) -> Ball { unary { arb_exp($0, $1, bits) } }
    public func tanh(precision bits: Int) -> Ball { unary { arb_tanh($0, $1, bits) } }
    public func sech(precision bits: Int) -> Ball { unary { arb_sech($0, $1, bits) } }
    public func adding(_ other: Ball, precision bits: Int) -> Ball { binary(other) { arb_add($0, $1, $2, bits) } }
    public func subtracting(_ other: Ball, precision bits: Int) -> Ball { binary(other) { arb_sub($0, $1, $2, bits) } }
    public func multiplied(by other: Ball, precision bits: Int) -> Ball { binary(other) { arb_mul($0, $1, $2, bits) } }
    public func divided(by other: Ball, precision bits: Int) -> Ball { binary(other) { arb_div($0, $1, $2, bits) } }
}

extension BallMatrix {
    /// Entry (i, j) set to a copy of `ball`.
    public func set(_ i: Int, _ j: Int, to ball: Ball) {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "BallMatrix: index outside the matrix")
        arb_set(arb_mat_entry_ptr(pointer, i, j), ball.pointer)
    }

    /// Exact balls of integers, given as rows.
    public convenience init(integers rows: [[Int]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "BallMatrix: rows of unequal length")
        self.init(rows: rows.count, columns: columns)
        for (i, row) in rows.enumerated() {
            for (j, value) in row.enumerated() { arb_set_si(arb_mat_entry_ptr(pointer, i, j), value) }
        }
    }

    /// The transpose, entries copied exactly.
    public var transposed: BallMatrix {
        let result = BallMatrix(rows: columnCount, columns: rowCount)
        arb_mat_transpose(result.pointer, pointer)
        return result
    }

    /// A copy of entry (i, j).
    public func entry(_ i: Int, _ j: Int) -> Ball {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "BallMatrix: index outside the matrix")
        let result = Ball()
        arb_set(result.pointer, arb_mat_entry_ptr(pointer, i, j))
        return result
    }

    /// Entry (i, j) += ball.
    public func add(at i: Int, _ j: Int, _ ball: Ball, precision bits: Int) {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "BallMatrix: index outside the matrix")
        let entry = arb_mat_entry_ptr(pointer, i, j)
        arb_add(entry, entry, ball.pointer, bits)
    }

    /// self += other (same shape).
    public func add(_ other: BallMatrix, precision bits: Int) {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "BallMatrix: shapes differ")
        arb_mat_add(pointer, pointer, other.pointer, bits)
    }

    /// self += scale * M for an integer matrix M given row-major (`entries`, rowCount x columnCount).
    public func add(integers entries: [Int], scaledBy scale: Ball, precision bits: Int) {
        precondition(entries.count == rowCount * columnCount, "BallMatrix: the integer matrix has another shape")
        for i in 0..<rowCount {
            for j in 0..<columnCount where entries[i * columnCount + j] != 0 {
                arb_addmul_si(arb_mat_entry_ptr(pointer, i, j), scale.pointer, entries[i * columnCount + j], bits)
            }
        }
    }

    /// Whether every entry's ball is exactly the given integer (radius 0): a test of exact assembly.
    public func equals(integers entries: [Int]) -> Bool {
        guard entries.count == rowCount * columnCount else { return false }
        for i in 0..<rowCount {
            for j in 0..<columnCount {
                let entry = arb_mat_entry_ptr(pointer, i, j)
                if arb_is_exact(entry) == 0 || arb_equal_si(entry, entries[i * columnCount + j]) == 0 { return false }
            }
        }
        return true
    }
}
