// Products, sums and transposes of exact integer matrices: one-line calls into FLINT behind shape checks.
internal import CFLINT

extension IntegerMatrix {
    /// The matrix product, computed exactly (`fmpz_mat_mul`).
    public static func * (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
        precondition(lhs.columnCount == rhs.rowCount,
                     "IntegerMatrix: cannot multiply \(lhs.rowCount) x \(lhs.columnCount) by \(rhs.rowCount) x \(rhs.columnCount)")
        var result = IntegerMatrix(rows: lhs.rowCount, columns: rhs.columnCount)
        lhs.withUnsafePointer { a in
            rhs.withUnsafePointer { b in result.withUnsafeMutablePointer { fmpz_mat_mul($0, a, b) } }
        }
        return result
    }

    public static func + (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
        precondition(lhs.rowCount == rhs.rowCount && lhs.columnCount == rhs.columnCount, "IntegerMatrix: shape mismatch in +")
        var result = IntegerMatrix(rows: lhs.rowCount, columns: lhs.columnCount)
        lhs.withUnsafePointer { a in
            rhs.withUnsafePointer { b in result.withUnsafeMutablePointer { fmpz_mat_add($0, a, b) } }
        }
        return result
    }

    public static func - (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
        precondition(lhs.rowCount == rhs.rowCount && lhs.columnCount == rhs.columnCount, "IntegerMatrix: shape mismatch in -")
        var result = IntegerMatrix(rows: lhs.rowCount, columns: lhs.columnCount)
        lhs.withUnsafePointer { a in
            rhs.withUnsafePointer { b in result.withUnsafeMutablePointer { fmpz_mat_sub($0, a, b) } }
        }
        return result
    }

    public var transposed: IntegerMatrix {
        var result = IntegerMatrix(rows: columnCount, columns: rowCount)
        withUnsafePointer { a in result.withUnsafeMutablePointer { fmpz_mat_transpose($0, a) } }
        return result
    }

    /// Rows `range` of this matrix, as a new matrix.
    public func rows(_ range: Range<Int>) -> IntegerMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "IntegerMatrix: row range out of bounds")
        let result = IntegerMatrix(rows: range.count, columns: columnCount)
        for (target, i) in range.enumerated() {
            for j in 0..<columnCount { fmpz_set(result.entryPointer(target, j), entryPointer(i, j)) }
        }
        return result
    }
}

extension IntegerMatrix {
    /// Every entry reduced into [0, modulus) (`fmpz_mat_scalar_mod_fmpz`): for computing over F_p with small entries.
    public func reduced(modulo modulus: UInt) -> IntegerMatrix {
        precondition(modulus >= 2, "IntegerMatrix.reduced(modulo:): modulus below 2")
        var m = fmpz()
        fmpz_init(&m)
        defer { fmpz_clear(&m) }
        fmpz_set_ui(&m, modulus)
        var result = IntegerMatrix(rows: rowCount, columns: columnCount)
        withUnsafePointer { a in result.withUnsafeMutablePointer { fmpz_mat_scalar_mod_fmpz($0, a, &m) } }
        return result
    }
}
