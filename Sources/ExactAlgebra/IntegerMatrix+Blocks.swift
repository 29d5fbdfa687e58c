// Entry-level helpers the block machinery needs, kept next to the storage they touch.
internal import CFLINT

extension IntegerMatrix {
    /// The squared Euclidean norm of each row, as a column vector (rows x 1).
    public var rowSquaredNorms: IntegerMatrix {
        let result = IntegerMatrix(rows: rowCount, columns: 1)
        for i in 0..<rowCount {
            let target = result.entryPointer(i, 0)
            for j in 0..<columnCount {
                let entry = entryPointer(i, j)
                fmpz_addmul(target, entry, entry)
            }
        }
        return result
    }

    /// The number of bits of |entry (i, j)|; 0 for a zero entry. |x| < 2^bits.
    public func bits(_ i: Int, _ j: Int) -> Int { Int(fmpz_bits(entryPointer(i, j))) }

    /// Every entry reduced into [0, prime), row-major.
    public func residues(modulo prime: UInt) -> [UInt] {
        var result: [UInt] = []
        result.reserveCapacity(rowCount * columnCount)
        for i in 0..<rowCount {
            for j in 0..<columnCount { result.append(fmpz_fdiv_ui(entryPointer(i, j), prime)) }
        }
        return result
    }

    /// Adds `block` in place, exactly: entry += left * right (`fmpz_addmul`).
    public mutating func add(_ block: ProductBlock) {
        precondition(block.rowOffset >= 0 && block.rowOffset + block.rowCount <= rowCount
                     && block.columnOffset >= 0 && block.columnOffset + block.columnCount <= columnCount,
                     "IntegerMatrix.add: block does not fit")
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        block.forEachEntry { row, column, l, r in
            fmpz_addmul(entryPointer(block.rowOffset + row, block.columnOffset + column),
                        block.left.entryPointer(l.0, l.1), block.right.entryPointer(r.0, r.1))
        }
    }
}

extension IntegerMatrix {
    /// entry (i, j) += other (k, l), exactly.
    public mutating func addEntry(_ i: Int, _ j: Int, from other: IntegerMatrix, _ k: Int, _ l: Int) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        fmpz_add(entryPointer(i, j), entryPointer(i, j), other.entryPointer(k, l))
    }
}

extension IntegerMatrix {
    /// The matrix with row-major entries mantissas[k] * 2^exponents[k] (every exponent >= 0), exactly, however large.
    public init(rows: Int, columns: Int, mantissas: [Int], exponents: [Int]) {
        precondition(mantissas.count == rows * columns && exponents.count == mantissas.count,
                     "IntegerMatrix: expected \(rows * columns) mantissas and exponents")
        precondition(exponents.allSatisfy { $0 >= 0 }, "IntegerMatrix: negative exponent")
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let k = i * columns + j, target = entryPointer(i, j)
                fmpz_set_si(target, mantissas[k])
                fmpz_mul_2exp(target, target, UInt(exponents[k]))
            }
        }
    }

    /// A matrix from row-major Int128 entries, exactly.
    public init(rows: Int, columns: Int, int128 entries: [Int128]) {
        precondition(entries.count == rows * columns, "IntegerMatrix: expected \(rows * columns) entries, got \(entries.count)")
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let value = entries[i * columns + j], target = entryPointer(i, j)
                if let small = Int(exactly: value) {
                    fmpz_set_si(target, small)
                } else {
                    // value = high * 2^64 + low, with low read as unsigned.
                    fmpz_set_si(target, Int(truncatingIfNeeded: value >> 64))
                    fmpz_mul_2exp(target, target, 64)
                    fmpz_add_ui(target, target, UInt(truncatingIfNeeded: value))
                }
            }
        }
    }

    /// This matrix times 2^k (k >= 0), exactly.
    public func multiplied(byPowerOfTwo k: Int) -> IntegerMatrix {
        precondition(k >= 0, "IntegerMatrix.multiplied(byPowerOfTwo:): negative exponent")
        var result = IntegerMatrix(rows: rowCount, columns: columnCount)
        withUnsafePointer { a in result.withUnsafeMutablePointer { fmpz_mat_scalar_mul_2exp($0, a, UInt(k)) } }
        return result
    }
}
