// A dense matrix over F_p for a prime p < 2^23, stored as doubles, with a rank by blocked elimination whose trailing
// updates are BLAS matrix products (`cblas_dgemm`): several times faster than FLINT's `nmod_mat_lu` modulo a 63-bit
// prime, which is why certification (`CertifiedRank`) uses many small primes instead of fewer large ones.
//
// Exactness. Every stored entry is an integer in the balanced range |a| <= h = floor(p / 2). An update
// C -= A B of inner dimension k, with every entry of A, B and C in that range, has every partial sum (in any order
// the BLAS chooses, with or without fused multiply-adds) an integer of magnitude at most h + k h^2. Doubles hold every
// integer up to 2^53 exactly, so the product is exact as long as
//     h + k h^2 + p <= 2^53
// (the extra p keeps the reduction below exact, see `reduce`). With p < 2^23, h <= 2^22 - 1 and
// k <= `maximumInnerDimension` = 512 = 2^9 this is 2^53 - 2^32 + 2^9 + 3 (2^22) - 2 < 2^53. Longer products are cut
// into pieces of inner dimension 512 with a reduction after each (delayed reduction). The scalar steps (pivot rows,
// multipliers, the small triangular solves) multiply two reduced entries (< 2^44) and add at most 512 such products
// before reducing, within the same bound.
//
// Reduction of an integer x with |x| <= 2^53 - p: q = round(x / p) with 1/p precomputed, r = x - q p. q p is within p
// of x, hence an integer of magnitude < 2^53, exact; so r is exact and x = r (mod p). The rounding of x (1/p) can put q
// off by one, so one correction brings r into [-h, h].
//
// Elimination: recursive right-looking LU with row pivoting on column halves (Toledo's recursive LU), rank revealing
// by skipping columns: a column with no nonzero entry among the rows not yet used as pivots is dependent and gets no
// pivot. In place, row r0 + i of the i-th pivot holds U from its pivot column on, and each row below holds its
// multiplier L in every earlier pivot column (as `nmod_mat_lu` does). After the left half [c0, cm) of a column range
// has given k pivots (rows r0..<r0+k, pivot columns c_1 < ... < c_k), the right half is updated by
//     U12 = L11^-1 A12        (L11: the k x k unit lower triangle at the pivot rows and columns, solved recursively)
//     A22 = A22 - L21 U12     (dgemm, inner dimension k, cut as above)
// and the right half is eliminated in turn. Row swaps exchange whole rows, so every later column sees them.
// Below `baseWidth` columns the elimination is plain loops. The rank is the number of pivots.
internal import CBLAS
internal import CFLINT

public final class SmallPrimeMatrix {
    /// Every prime must lie below this bound (see the exactness argument above).
    public static let primeBound: UInt = 1 << 23
    /// The largest inner dimension of one product before its result is reduced.
    static let maximumInnerDimension = 512
    /// Column ranges at most this wide are eliminated by plain loops.
    static let baseWidth = 16

    let storage: UnsafeMutablePointer<Double>
    public let rowCount: Int
    public let columnCount: Int
    public let prime: UInt
    let p: Double
    let half: Double
    let inverse: Double

    /// The zero matrix over F_prime, for a prime below `primeBound`.
    public init(rows: Int, columns: Int, prime: UInt) {
        precondition(rows >= 0 && columns >= 0, "SmallPrimeMatrix: negative shape")
        precondition(prime >= 2 && prime < Self.primeBound && Primes.isPrime(prime),
                     "SmallPrimeMatrix: the modulus must be a prime below 2^23")
        let h = Double(prime / 2)
        precondition(h + Double(Self.maximumInnerDimension) * h * h + Double(prime) <= 9_007_199_254_740_992,
                     "SmallPrimeMatrix: products would leave the exact range of doubles")
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        precondition(!overflow, "SmallPrimeMatrix: shape overflows")
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: 0, count: max(count, 1))
        rowCount = rows
        columnCount = columns
        self.prime = prime
        p = Double(prime)
        half = Double(prime) / 2
        inverse = 1 / Double(prime)
    }

    /// A copy of a matrix over the same field (residues in [0, p) to the balanced range).
    public convenience init(_ matrix: ModularMatrix) {
        self.init(rows: matrix.rowCount, columns: matrix.columnCount, prime: matrix.prime)
        let prime = self.prime
        for i in 0..<rowCount {
            let row = storage + i * columnCount
            matrix.withRow(i) { source in
                for j in 0..<columnCount { row[j] = Self.balanced(source[j], prime) }
            }
        }
    }

    /// The residues of an exact integer matrix (`fmpz_fdiv_ui` per entry).
    public convenience init(_ matrix: IntegerMatrix, prime: UInt) {
        self.init(rows: matrix.rowCount, columns: matrix.columnCount, prime: prime)
        for i in 0..<rowCount {
            let row = storage + i * columnCount
            for j in 0..<columnCount { row[j] = Self.balanced(fmpz_fdiv_ui(matrix.entryPointer(i, j), prime), prime) }
        }
    }

    deinit { storage.deallocate() }

    @inline(__always) static func balanced(_ residue: UInt, _ prime: UInt) -> Double {
        residue > prime / 2 ? -Double(prime - residue) : Double(residue)
    }

    /// Entry (i, j) as a residue in [0, p); setting reduces any integer.
    public subscript(i: Int, j: Int) -> UInt {
        get {
            precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "SmallPrimeMatrix: index outside the matrix")
            let x = storage[i * columnCount + j]
            return x < 0 ? prime - UInt(-x) : UInt(x)
        }
        set {
            precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "SmallPrimeMatrix: index outside the matrix")
            storage[i * columnCount + j] = Self.balanced(newValue % prime, prime)
        }
    }

    /// x modulo p in [-h, h], for an integer |x| <= 2^53 - p (see the header).
    @inline(__always) func reduce(_ x: Double) -> Double {
        // Round to nearest by the 1.5 * 2^52 shift (|x / p| < 2^51 here): no libm call, so the loops vectorise.
        let magic = 6_755_399_441_055_744.0
        let q = (x * inverse + magic) - magic
        var r = x - q * p
        r -= r > half ? p : 0
        r += r < -half ? p : 0
        return r
    }

    /// Reduces a rows x columns block with leading dimension `ld`.
    func reduce(_ block: UnsafeMutablePointer<Double>, rows: Int, columns: Int, ld: Int) {
        for i in 0..<rows {
            let row = block + i * ld
            for j in 0..<columns { row[j] = reduce(row[j]) }
        }
    }

    /// The inverse of a nonzero reduced entry, reduced.
    func inverse(of x: Double) -> Double {
        let prime = Int(self.prime)
        var (r0, r1) = (prime, (Int(x) % prime + prime) % prime)
        var (s0, s1) = (0, 1)
        while r1 != 0 {
            let q = r0 / r1
            (r0, r1) = (r1, r0 - q * r1)
            (s0, s1) = (s1, s0 - q * s1)
        }
        precondition(r0 == 1, "SmallPrimeMatrix: inverse of a non-unit")
        return reduce(Double(s0))
    }

    /// The rank over F_prime; the matrix is overwritten by its LU factors.
    public func rankOverwriting() -> Int {
        if rowCount == 0 || columnCount == 0 { return 0 }
        var pivots: [Int] = []
        pivots.reserveCapacity(min(rowCount, columnCount))
        return eliminate(rowStart: 0, columns: 0..<columnCount, pivots: &pivots)
    }

    /// The rank over F_prime, leaving this matrix unchanged.
    public func rank() -> Int {
        let copy = SmallPrimeMatrix(rows: rowCount, columns: columnCount, prime: prime)
        copy.storage.update(from: storage, count: rowCount * columnCount)
        return copy.rankOverwriting()
    }

    /// Eliminates `columns` below row `r0` (earlier columns are done and their updates applied to these columns);
    /// appends the pivot columns found and returns their number (their rows are r0, r0 + 1, ...).
    func eliminate(rowStart r0: Int, columns: Range<Int>, pivots: inout [Int]) -> Int {
        if r0 == rowCount || columns.isEmpty { return 0 }
        if columns.count <= Self.baseWidth { return eliminateByLoops(rowStart: r0, columns: columns, pivots: &pivots) }
        // Split on a multiple of the base width.
        let leftWidth = max(Self.baseWidth, (columns.count / 2) / Self.baseWidth * Self.baseWidth)
        let middle = columns.lowerBound + leftWidth
        let first = pivots.count
        let k = eliminate(rowStart: r0, columns: columns.lowerBound..<middle, pivots: &pivots)
        // With every row a pivot row there is nothing left to eliminate.
        if r0 + k == rowCount { return k }
        if k > 0 { update(rowStart: r0, pivotColumns: Array(pivots[first...]), columns: middle..<columns.upperBound) }
        return k + eliminate(rowStart: r0 + k, columns: middle..<columns.upperBound, pivots: &pivots)
    }

    /// Applies the k pivots (rows r0..<r0+k, columns `pivotColumns`) to `columns`: U12 = L11^-1 A12, A22 -= L21 U12.
    func update(rowStart r0: Int, pivotColumns: [Int], columns: Range<Int>) {
        let n = columnCount, k = pivotColumns.count, width = columns.count
        let below = rowCount - r0 - k
        let l11 = UnsafeMutablePointer<Double>.allocate(capacity: k * k)
        defer { l11.deallocate() }
        for i in 0..<k {
            let row = storage + (r0 + i) * n
            for j in 0..<k { l11[i * k + j] = j < i ? row[pivotColumns[j]] : 0 }
        }
        let a12 = storage + r0 * n + columns.lowerBound
        solveUnitLower(l11, ld: k, size: k, a12, ld: n, columns: width)
        guard below > 0 else { return }
        let l21 = UnsafeMutablePointer<Double>.allocate(capacity: below * k)
        defer { l21.deallocate() }
        for i in 0..<below {
            let row = storage + (r0 + k + i) * n
            for j in 0..<k { l21[i * k + j] = row[pivotColumns[j]] }
        }
        subtractProduct(storage + (r0 + k) * n + columns.lowerBound, ld: n, l21, ld: k, a12, ld: n,
                        rows: below, columns: width, inner: k)
    }

    /// C -= A B, reduced, for reduced A (rows x inner), B (inner x columns), C, in pieces of the largest exact inner
    /// dimension.
    func subtractProduct(_ c: UnsafeMutablePointer<Double>, ld ldc: Int, _ a: UnsafePointer<Double>, ld lda: Int,
                         _ b: UnsafePointer<Double>, ld ldb: Int, rows: Int, columns: Int, inner: Int) {
        guard rows > 0 && columns > 0 && inner > 0 else { return }
        var start = 0
        while start < inner {
            let piece = min(Self.maximumInnerDimension, inner - start)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(piece),
                        -1, a + start, Int32(lda), b + start * ldb, Int32(ldb), 1, c, Int32(ldc))
            reduce(c, rows: rows, columns: columns, ld: ldc)
            start += piece
        }
    }

    /// X = L^-1 X in place for a unit lower-triangular size x size L (its diagonal and upper part are not read).
    func solveUnitLower(_ l: UnsafePointer<Double>, ld ldl: Int, size: Int, _ x: UnsafeMutablePointer<Double>, ld ldx: Int,
                        columns: Int) {
        if size <= Self.baseWidth {
            // Row i less at most 15 products of reduced entries: within the exact range, one reduction per row.
            for i in 1..<max(size, 1) {
                let target = x + i * ldx
                for j in 0..<i {
                    let factor = l[i * ldl + j]
                    if factor == 0 { continue }
                    let source = x + j * ldx
                    for c in 0..<columns { target[c] -= factor * source[c] }
                }
                for c in 0..<columns { target[c] = reduce(target[c]) }
            }
            return
        }
        let top = size / 2, bottom = size - top
        solveUnitLower(l, ld: ldl, size: top, x, ld: ldx, columns: columns)
        subtractProduct(x + top * ldx, ld: ldx, l + top * ldl, ld: ldl, x, ld: ldx, rows: bottom, columns: columns, inner: top)
        solveUnitLower(l + top * ldl + top, ld: ldl, size: bottom, x + top * ldx, ld: ldx, columns: columns)
    }

    /// Plain Gaussian elimination of a narrow column range below row r0, updating only those columns.
    func eliminateByLoops(rowStart r0: Int, columns: Range<Int>, pivots: inout [Int]) -> Int {
        let m = rowCount, n = columnCount
        var r = r0
        for c in columns {
            if r == m { break }
            var found = -1
            for i in r..<m where storage[i * n + c] != 0 {
                found = i
                break
            }
            if found < 0 { continue }  // no pivot: column c depends on the earlier ones
            if found != r { swapRows(found, r) }
            let pivotRow = storage + r * n
            let pivotInverse = inverse(of: pivotRow[c])
            for i in (r + 1)..<m {
                let row = storage + i * n
                let x = row[c]
                if x == 0 { continue }
                let factor = reduce(x * pivotInverse)
                row[c] = factor
                for j in (c + 1)..<columns.upperBound { row[j] = reduce(row[j] - factor * pivotRow[j]) }
            }
            pivots.append(c)
            r += 1
        }
        return r - r0
    }

    func swapRows(_ a: Int, _ b: Int) {
        let n = columnCount
        let x = storage + a * n, y = storage + b * n
        for j in 0..<n { (x[j], y[j]) = (y[j], x[j]) }
    }
}
