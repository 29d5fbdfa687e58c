// The few matrix operations a construction needs to run over Z (`IntegerMatrix`, exact), over F_p (`ModularMatrix`,
// for the ranks modulo a prime of matrices too large to hold over Z), over upper bounds of absolute values
// (`MagnitudeMatrix`, for the Hadamard bound of a matrix never built over Z), or in plain float64 (`DoubleMatrix`, the
// float path a PyTorch user's pipeline takes, whose spectra `calibrate` reads): one algorithm, four rings (the last
// only approximately one).
internal import CBLAS
internal import CFLINT

public protocol RingMatrix {
    var rowCount: Int { get }
    var columnCount: Int { get }
    /// The zero matrix of that shape over the same ring (the same prime).
    func zeros(_ rows: Int, _ columns: Int) -> Self
    func identity(_ n: Int) -> Self
    func times(_ other: Self) -> Self
    func plus(_ other: Self) -> Self
    func minus(_ other: Self) -> Self
    var transposed: Self { get }
    /// entry (i, j) += a (k, l) * b (m, n).
    mutating func addProduct(_ i: Int, _ j: Int, _ a: Self, _ k: Int, _ l: Int, _ b: Self, _ m: Int, _ n: Int)
    /// entry (i, j) += a (k, l).
    mutating func addEntry(_ i: Int, _ j: Int, from a: Self, _ k: Int, _ l: Int)
}

extension IntegerMatrix: RingMatrix {
    public func zeros(_ rows: Int, _ columns: Int) -> IntegerMatrix { IntegerMatrix(rows: rows, columns: columns) }
    public func identity(_ n: Int) -> IntegerMatrix { IntegerMatrix.identity(n) }
    public func times(_ other: IntegerMatrix) -> IntegerMatrix { self * other }
    public func plus(_ other: IntegerMatrix) -> IntegerMatrix { self + other }
    public func minus(_ other: IntegerMatrix) -> IntegerMatrix { self - other }

    public mutating func addProduct(_ i: Int, _ j: Int, _ a: IntegerMatrix, _ k: Int, _ l: Int, _ b: IntegerMatrix, _ m: Int, _ n: Int) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        fmpz_addmul(entryPointer(i, j), a.entryPointer(k, l), b.entryPointer(m, n))
    }
}

extension ModularMatrix: RingMatrix {
    public func zeros(_ rows: Int, _ columns: Int) -> ModularMatrix { ModularMatrix(rows: rows, columns: columns, prime: prime) }

    public func identity(_ n: Int) -> ModularMatrix {
        let m = zeros(n, n)
        nmod_mat_one(m.pointer)
        return m
    }

    public func times(_ other: ModularMatrix) -> ModularMatrix {
        precondition(columnCount == other.rowCount && prime == other.prime, "ModularMatrix.times: shapes or primes differ")
        let result = zeros(rowCount, other.columnCount)
        nmod_mat_mul(result.pointer, pointer, other.pointer)
        return result
    }

    public func plus(_ other: ModularMatrix) -> ModularMatrix {
        let result = zeros(rowCount, columnCount)
        nmod_mat_add(result.pointer, pointer, other.pointer)
        return result
    }

    public func minus(_ other: ModularMatrix) -> ModularMatrix {
        let result = zeros(rowCount, columnCount)
        nmod_mat_sub(result.pointer, pointer, other.pointer)
        return result
    }

    public var transposed: ModularMatrix {
        let result = zeros(columnCount, rowCount)
        nmod_mat_transpose(result.pointer, pointer)
        return result
    }

    public func addProduct(_ i: Int, _ j: Int, _ a: ModularMatrix, _ k: Int, _ l: Int, _ b: ModularMatrix, _ m: Int, _ n: Int) {
        let product = n_mulmod2_preinv(a[k, l], b[m, n], prime, a.inverse)
        withRow(i) { row in
            let sum = row[j] &+ product
            row[j] = sum >= prime ? sum - prime : sum
        }
    }

    public func addEntry(_ i: Int, _ j: Int, from a: ModularMatrix, _ k: Int, _ l: Int) {
        let value = a[k, l]
        withRow(i) { row in
            let sum = row[j] &+ value
            row[j] = sum >= prime ? sum - prime : sum
        }
    }

    /// FLINT's precomputed inverse of the prime, for products reduced without a division.
    var inverse: UInt { pointer.pointee.mod.ninv }
}

/// Entrywise upper bounds on absolute values: running an algorithm on the magnitudes of its inputs bounds the
/// magnitudes of its outputs (|a + b| <= |a| + |b|, |a - b| <= |a| + |b|, |a b| = |a| |b|). Each entrywise operation
/// rounds its result up by a relative 2^-40 (more than its own rounding error), and a product by its inner dimension's
/// bound on the rounding of a sum of nonnegative terms, so the bounds hold in floating point. For Hadamard bounds
/// (`rowNormLog2Bounds`); infinite where they overflow.
public struct MagnitudeMatrix: Sendable {
    public let rowCount: Int
    public let columnCount: Int
    public private(set) var entries: [Double]

    static let roundUp = 1 + 0x1p-40

    public init(rows: Int, columns: Int, entries: [Double]? = nil) {
        rowCount = rows
        columnCount = columns
        self.entries = entries ?? Array(repeating: 0, count: rows * columns)
    }

    /// |m|, entrywise (exact below 2^53; rounded up above).
    public init(_ m: IntegerMatrix) {
        self.init(rows: m.rowCount, columns: m.columnCount)
        for i in 0..<rowCount {
            for j in 0..<columnCount { entries[i * columnCount + j] = m.magnitudeUpperBound(i, j) }
        }
    }

    public subscript(i: Int, j: Int) -> Double { entries[i * columnCount + j] }

    /// For each row, log2 of an upper bound on its Euclidean norm; nil for a zero row. The sum of n squares is rounded
    /// up by (n + 2) 2^-52 relative (more than its own rounding, as in `times`), and the logarithm by 2^-40; the bounds
    /// of integer matrices are 0 or at least 1, so the logarithm is never negative.
    public func rowNormLog2Bounds() -> [Double?] {
        let factor = 1 + Double(columnCount + 2) * 0x1p-52
        return (0..<rowCount).map { i in
            let squares = (0..<columnCount).reduce(0.0) { $0 + self[i, $1] * self[i, $1] } * factor
            return squares == 0 ? nil : log2(squares) / 2 * Self.roundUp
        }
    }
}

/// The n x n identity, row-major.
private func identityEntries(_ n: Int) -> [Double] {
    var entries = [Double](repeating: 0, count: n * n)
    for i in 0..<n { entries[i * n + i] = 1 }
    return entries
}

/// The row-major product of an m x k and a k x n matrix of doubles by BLAS (`dgemm`), rounded as BLAS rounds.
private func blasProduct(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a.baseAddress,
                            Int32(k), b.baseAddress, Int32(n), 0, c.baseAddress, Int32(n))
            }
        }
    }
    return c
}

extension MagnitudeMatrix: RingMatrix {
    public func zeros(_ rows: Int, _ columns: Int) -> MagnitudeMatrix { MagnitudeMatrix(rows: rows, columns: columns) }

    public func identity(_ n: Int) -> MagnitudeMatrix { MagnitudeMatrix(rows: n, columns: n, entries: identityEntries(n)) }

    /// A BLAS product of nonnegative matrices: each computed entry, a sum of n nonnegative products, is within a
    /// relative gamma_n = n u / (1 - n u) of the exact one (u = 2^-53, no cancellation); rounding up by (n + 2) 2^-52
    /// covers it.
    public func times(_ other: MagnitudeMatrix) -> MagnitudeMatrix {
        precondition(columnCount == other.rowCount, "MagnitudeMatrix.times: shapes differ")
        let factor = 1 + Double(columnCount + 2) * 0x1p-52
        return MagnitudeMatrix(rows: rowCount, columns: other.columnCount,
                               entries: blasProduct(entries, other.entries, m: rowCount, k: columnCount, n: other.columnCount).map { $0 * factor })
    }

    public func plus(_ other: MagnitudeMatrix) -> MagnitudeMatrix {
        MagnitudeMatrix(rows: rowCount, columns: columnCount, entries: zip(entries, other.entries).map { ($0 + $1) * Self.roundUp })
    }

    public func minus(_ other: MagnitudeMatrix) -> MagnitudeMatrix { plus(other) }

    public var transposed: MagnitudeMatrix {
        var result = zeros(columnCount, rowCount)
        for i in 0..<rowCount { for j in 0..<columnCount { result.entries[j * rowCount + i] = self[i, j] } }
        return result
    }

    public mutating func addProduct(_ i: Int, _ j: Int, _ a: MagnitudeMatrix, _ k: Int, _ l: Int, _ b: MagnitudeMatrix, _ m: Int, _ n: Int) {
        entries[i * columnCount + j] = (entries[i * columnCount + j] + a[k, l] * b[m, n]) * Self.roundUp
    }

    public mutating func addEntry(_ i: Int, _ j: Int, from a: MagnitudeMatrix, _ k: Int, _ l: Int) {
        entries[i * columnCount + j] = (entries[i * columnCount + j] + a[k, l]) * Self.roundUp
    }
}

/// Plain float64 matrices, row-major, products by BLAS (`dgemm`), every operation rounded to nearest as a float
/// pipeline would: no bounds, no exactness claimed. Run through a construction over `RingMatrix`, it gives the float
/// Hessian a float64 pipeline computes at the same point. On integers whose every partial sum stays below 2^53 in
/// magnitude every operation is exact, so it then agrees bit for bit with the construction over Z.
public struct DoubleMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    public private(set) var entries: [Double]

    public init(rows: Int, columns: Int, entries: [Double]? = nil) {
        precondition(entries == nil || entries!.count == rows * columns, "DoubleMatrix: \(rows) x \(columns) needs \(rows * columns) entries")
        rowCount = rows
        columnCount = columns
        self.entries = entries ?? Array(repeating: 0, count: rows * columns)
    }

    /// The integers as doubles: exact below 2^53 in magnitude, rounded toward zero above (FLINT's `fmpz_get_d`).
    public init(_ m: IntegerMatrix) {
        self.init(rows: m.rowCount, columns: m.columnCount)
        for i in 0..<rowCount {
            for j in 0..<columnCount { entries[i * columnCount + j] = fmpz_get_d(m.entryPointer(i, j)) }
        }
    }

    public subscript(i: Int, j: Int) -> Double {
        get { entries[i * columnCount + j] }
        set { entries[i * columnCount + j] = newValue }
    }

    /// Every entry times 2^exponent (exact, short of overflow or underflow).
    public func scaled(byPowerOfTwo exponent: Int) -> DoubleMatrix {
        DoubleMatrix(rows: rowCount, columns: columnCount, entries: entries.map { Double(sign: .plus, exponent: exponent, significand: $0) })
    }
}

extension DoubleMatrix: RingMatrix {
    public func zeros(_ rows: Int, _ columns: Int) -> DoubleMatrix { DoubleMatrix(rows: rows, columns: columns) }

    public func identity(_ n: Int) -> DoubleMatrix { DoubleMatrix(rows: n, columns: n, entries: identityEntries(n)) }

    public func times(_ other: DoubleMatrix) -> DoubleMatrix {
        precondition(columnCount == other.rowCount, "DoubleMatrix.times: shapes differ")
        return DoubleMatrix(rows: rowCount, columns: other.columnCount,
                            entries: blasProduct(entries, other.entries, m: rowCount, k: columnCount, n: other.columnCount))
    }

    public func plus(_ other: DoubleMatrix) -> DoubleMatrix {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "DoubleMatrix.plus: shapes differ")
        return DoubleMatrix(rows: rowCount, columns: columnCount, entries: zip(entries, other.entries).map { $0 + $1 })
    }

    public func minus(_ other: DoubleMatrix) -> DoubleMatrix {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "DoubleMatrix.minus: shapes differ")
        return DoubleMatrix(rows: rowCount, columns: columnCount, entries: zip(entries, other.entries).map { $0 - $1 })
    }

    public var transposed: DoubleMatrix {
        var result = zeros(columnCount, rowCount)
        for i in 0..<rowCount { for j in 0..<columnCount { result.entries[j * rowCount + i] = entries[i * columnCount + j] } }
        return result
    }

    public mutating func addProduct(_ i: Int, _ j: Int, _ a: DoubleMatrix, _ k: Int, _ l: Int, _ b: DoubleMatrix, _ m: Int, _ n: Int) {
        entries[i * columnCount + j] += a.entries[k * a.columnCount + l] * b.entries[m * b.columnCount + n]
    }

    public mutating func addEntry(_ i: Int, _ j: Int, from a: DoubleMatrix, _ k: Int, _ l: Int) {
        entries[i * columnCount + j] += a.entries[k * a.columnCount + l]
    }
}

extension IntegerMatrix {
    /// An upper bound on |entry (i, j)| as a double: exact below 2^53, from the bit length above.
    func magnitudeUpperBound(_ i: Int, _ j: Int) -> Double {
        let bits = Int(fmpz_bits(entryPointer(i, j)))
        if bits <= 53 {
            let value = fmpz_get_si(entryPointer(i, j))
            return Double(value.magnitude)
        }
        return bits >= 1024 ? .infinity : pow(2, Double(bits))
    }
}
