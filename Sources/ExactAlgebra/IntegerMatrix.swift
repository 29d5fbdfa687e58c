// An exact integer matrix, owned by Swift, stored as a FLINT `fmpz_mat_t`.
//
// Value semantics: `IntegerMatrix` is a struct over a final class that owns the C object (`fmpz_mat_init` in `init`,
// `fmpz_mat_clear` in `deinit`); mutation copies first unless the storage is uniquely referenced. The C pointer is
// lent only inside `withUnsafe...` closures and never appears in the public API.
//
// FLINT does no dimension checks (a 2x3 times 2x3 product returns silently, memory-unsafe), so every operation here
// checks shapes with a precondition before calling into C.
internal import CFLINT

public struct IntegerMatrix: @unchecked Sendable {
    // @unchecked: the storage is never mutated once shared (copy-on-write below), so sharing across tasks is safe.
    final class Storage {
        let pointer: UnsafeMutablePointer<fmpz_mat_struct>

        init(rows: Int, columns: Int) {
            pointer = .allocate(capacity: 1)
            fmpz_mat_init(pointer, rows, columns)
        }

        deinit {
            fmpz_mat_clear(pointer)
            pointer.deallocate()
        }

        func copy() -> Storage {
            let result = Storage(rows: pointer.pointee.r, columns: pointer.pointee.c)
            fmpz_mat_set(result.pointer, pointer)
            return result
        }
    }

    var storage: Storage

    public let rowCount: Int
    public let columnCount: Int

    /// The zero matrix of the given shape.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "IntegerMatrix: negative shape \(rows) x \(columns)")
        storage = Storage(rows: rows, columns: columns)
        rowCount = rows
        columnCount = columns
    }

    /// A matrix from rows of machine integers; every row must have the same length.
    public init(_ rows: [[Int]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "IntegerMatrix: ragged rows")
        self.init(rows: rows.count, columns: columns)
        for (i, row) in rows.enumerated() {
            for (j, value) in row.enumerated() { self[i, j] = value }
        }
    }

    /// The n x n identity.
    public static func identity(_ n: Int) -> IntegerMatrix {
        var result = IntegerMatrix(rows: n, columns: n)
        result.withUnsafeMutablePointer { fmpz_mat_one($0) }
        return result
    }

    func withUnsafePointer<R>(_ body: (UnsafePointer<fmpz_mat_struct>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }

    mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<fmpz_mat_struct>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.pointer)
    }

    func entryPointer(_ i: Int, _ j: Int) -> UnsafeMutablePointer<fmpz> {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount,
                     "IntegerMatrix: index (\(i), \(j)) outside \(rowCount) x \(columnCount)")
        return fmpz_mat_entry(storage.pointer, i, j)
    }

    /// Entry (i, j) if it fits in an `Int`, else nil. `decimal(_:_:)` gives every entry exactly.
    public func intValue(_ i: Int, _ j: Int) -> Int? {
        let entry = entryPointer(i, j)
        return fmpz_fits_si(entry) != 0 ? fmpz_get_si(entry) : nil
    }

    /// Entry (i, j) as an `Int`; reading an entry that does not fit is a programming error (use `intValue` or
    /// `decimal` where entries can be large). Setting stores a machine integer.
    public subscript(i: Int, j: Int) -> Int {
        get {
            guard let value = intValue(i, j) else { preconditionFailure("IntegerMatrix: entry (\(i), \(j)) exceeds Int") }
            return value
        }
        set {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            fmpz_set_si(entryPointer(i, j), newValue)
        }
    }

    /// Whether every entry is zero.
    public var isZero: Bool { withUnsafePointer { fmpz_mat_is_zero($0) != 0 } }
}

extension IntegerMatrix: Equatable {
    public static func == (lhs: IntegerMatrix, rhs: IntegerMatrix) -> Bool {
        guard lhs.rowCount == rhs.rowCount, lhs.columnCount == rhs.columnCount else { return false }
        return lhs.withUnsafePointer { a in rhs.withUnsafePointer { b in fmpz_mat_equal(a, b) != 0 } }
    }
}

extension IntegerMatrix {
    /// The sign of entry (i, j): -1, 0 or 1.
    public func sign(_ i: Int, _ j: Int) -> Int { Int(fmpz_sgn(entryPointer(i, j))) }

    /// The diagonal matrix with `diagonal` on its diagonal.
    public static func diagonal(_ diagonal: [Int]) -> IntegerMatrix {
        var result = IntegerMatrix(rows: diagonal.count, columns: diagonal.count)
        for (i, value) in diagonal.enumerated() where value != 0 { result[i, i] = value }
        return result
    }
}
