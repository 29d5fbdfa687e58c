// Certified rank lower bounds for large matrices known as midpoint-radius doubles (`MidradMatrix`), by BLAS and LAPACK
// instead of Arb's O(n^3) ball LU: the route for Hessians with thousands of parameters.
//
// Nonsingularity (Rump's verification). For a square A = [Am +- Ar], let R be any double matrix (in practice an
// approximate inverse of Am: LAPACK's dgetrf + dgetri). The product C = R A is enclosed rigorously
// (`MidradMatrix.multiplied(by:)`, R exact), and an upper bound beta of ||I - C||_inf over every matrix inside C is
// computed by (1) of MidradMatrix's analysis: per row, the sum of up(|delta_ij - Cm_ij|) + Cr_ij, every step rounded up
// (|1 - c| is bounded by nextUp(|fl(1 - c)|), since |fl(z)| = fl(|z|) and (1) applies). If beta < 1, then for every
// A~ inside A, ||I - R A~|| <= beta < 1, so R A~ is nonsingular (a Neumann series inverts it), hence A~ is
// nonsingular: in particular the true matrix. Any R works; its quality only decides whether beta < 1. The cost is about
// 2 n^3 flops for the inverse and 4 n^3 for the two products (R has radius 0). Nothing is proven from a singular LU, a
// non-finite inverse or an infinite radius (beta is then infinite or NaN, and `beta < 1` fails).
//
// Choosing the minor. A floating-point rank-revealing pass on the midpoints chooses which minor to verify: QR with
// column pivoting (LAPACK's dgeqp3) on A orders the columns, then dgeqp3 on A[:, C]^T orders the rows of the chosen
// columns C. The candidate rank is the number of |R_ii| above |R_11| max(m, n) 2^-40 (a tolerance that only chooses,
// never proves). When a goal is given and goal + 10 is below the row count, the columns are chosen from a sketch
// Y = G A instead, with G a (goal + 10) x m matrix of seeded random signs: a set of columns independent in Y is
// independent in A (if A_S c = 0 then Y_S c = G A_S c = 0), always. Conversely Y has A's rank (up to goal + 10) unless
// G annihilates a nonzero vector of A's column space: probability 0 for a Gaussian G, and small for random signs (the
// ten extra rows are the margin); then the pivoting on Y picks as many independent columns as on A. It costs one
// product of order (goal + 10) x m x n and a pivoted QR of the sketch instead of the full matrix's. The signs come from
// a fixed seed, so results are reproducible; an unlucky sketch could only make the bound weaker.
//
// Symmetric matrices. For a real symmetric A of rank r, any r linearly independent columns C give a nonsingular
// principal submatrix A[C, C]. Proof: the columns C span the column space (dimension r), so A = A[:, C] X for some
// r x n matrix X. Transposing, A = A^T = X^T A[:, C]^T = X^T A[C, :] (A[:, C]^T = A[C, :] by symmetry); taking the
// columns C, A[:, C] = X^T A[C, C]. So r = rank A[:, C] <= rank A[C, C] <= r, and the r x r matrix A[C, C] is
// nonsingular. So with `symmetric: true` the principal minor on the pivot columns is tried, and no row pass is needed.
// (For fewer than r columns a principal minor can be singular, e.g. [[0, 1], [1, 0]]: only the bisection below the
// rank can suffer.)
//
// The search. If a goal (an upper bound the caller knows) is given, the leading goal x goal minor in pivot order is
// tried first; then the candidate; then bisection on the leading k x k minors for the largest proven k (at most about
// log2 n verifications). A proven k x k minor gives rank >= k for every matrix inside the balls, whatever rounding
// happened in the pivoting pass: it only chooses which minor to try, and a wrong choice can make the bound weaker,
// never wrong. Nothing here ever proves an upper bound: an exactly singular minor can never pass.
internal import CBLAS
internal import CLAPACK

public enum MidradRank {
    public struct LowerBound: Sendable, Equatable {
        /// Proven: every matrix inside the balls, the true one included, has rank at least this.
        public let rank: Int
        /// The proven nonsingular minor's rows and columns (`rank` of each).
        public let rows: [Int]
        public let columns: [Int]
        /// What the floating-point pivoting pass suggested: not proven.
        public let candidate: Int

        public init(rank: Int, rows: [Int], columns: [Int], candidate: Int) {
            self.rank = rank
            self.rows = rows
            self.columns = columns
            self.candidate = candidate
        }
    }

    /// Whether the square matrix is proven nonsingular by Rump's verification (see the header). true is a proof for
    /// every matrix inside the balls; false proves nothing. The empty matrix is nonsingular.
    public static func isProvenNonsingular(_ a: MidradMatrix) -> Bool {
        precondition(a.rowCount == a.columnCount, "MidradRank: isProvenNonsingular needs a square matrix")
        let n = a.rowCount
        if n == 0 { return true }
        guard a.isFinite, let r = approximateInverse(a.midpoints, n) else { return false }
        let c = MidradMatrix(unchecked: n, n, r, Array(repeating: 0, count: n * n)).multiplied(by: a)
        return c.midpoints.withUnsafeBufferPointer { mids in
            c.radii.withUnsafeBufferPointer { rads in
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<n {
                        let mid = mids[i * n + j]
                        let distance = i == j ? abs(1 - mid).nextUp : abs(mid)
                        sum = MidradMatrix.sumUpperBound(sum, MidradMatrix.sumUpperBound(distance, rads[i * n + j]))
                    }
                    if !(sum < 1) { return false }
                }
                return true
            }
        }
    }

    /// An approximate inverse of the n x n row-major matrix, row-major: nil if the LU is singular or the inverse not
    /// finite. The row-major buffer of M is the column-major buffer of M^T, and LAPACK inverting that in column-major
    /// order leaves (M^T)^-1 = (M^-1)^T column-major, which is M^-1 row-major: no transposed copies.
    static func approximateInverse(_ matrix: [Double], _ n: Int) -> [Double]? {
        var work = matrix
        var pivots = [Int32](repeating: 0, count: n)
        guard LAPACKE_dgetrf(CLAPACK_COL_MAJOR(), Int32(n), Int32(n), &work, Int32(n), &pivots) == 0,
              LAPACKE_dgetri(CLAPACK_COL_MAJOR(), Int32(n), &work, Int32(n), &pivots) == 0,
              work.allSatisfy(\.isFinite) else { return nil }
        return work
    }

    /// A certified lower bound on the rank of every matrix inside `a` (see the header for the search). `goal` is an
    /// upper bound the caller knows (e.g. from a proven statement): its minor is tried first, and with it the columns
    /// are chosen from a sketch of goal + 10 rows. `symmetric: true` (a square matrix whose midpoints are symmetric,
    /// i.e. the true matrix is) verifies principal minors on the pivot columns.
    public static func lowerBound(_ a: MidradMatrix, goal: Int? = nil, symmetric: Bool = false) -> LowerBound {
        precondition(!symmetric || a.rowCount == a.columnCount, "MidradRank: a symmetric matrix is square")
        precondition(goal.map { $0 >= 0 } ?? true, "MidradRank: negative goal")
        let m = a.rowCount, n = a.columnCount, limit = min(m, n)
        let target = goal.map { min($0, limit) }
        let sketch = target.map { $0 + 10 }.flatMap { $0 < m ? $0 : nil }
        guard limit > 0, let (columnOrder, diagonal) = pivotColumns(a.midpoints, rows: m, columns: n, sketchRows: sketch)
        else { return LowerBound(rank: 0, rows: [], columns: [], candidate: 0) }
        let top = diagonal.first ?? 0
        let tolerance = top * Double(max(m, n)) * 0x1p-40
        let candidate = top > 0 ? diagonal.prefix { $0 > tolerance }.count : 0

        var rowOrders: [Int: [Int]] = [:]
        func rows(_ k: Int) -> [Int] {
            if symmetric { return Array(columnOrder.prefix(k)) }
            if let known = rowOrders[k] { return known }
            // The rows of A[:, C_k]: pivoted QR on the columns of its transpose (k x m).
            let chosen = a.submatrix(rows: Array(0..<m), columns: Array(columnOrder.prefix(k))).transposed
            let order = pivotColumns(chosen.midpoints, rows: k, columns: m, sketchRows: nil)?.order ?? Array(0..<m)
            rowOrders[k] = Array(order.prefix(k))
            return rowOrders[k]!
        }
        func proves(_ k: Int) -> Bool {
            k == 0 || isProvenNonsingular(a.submatrix(rows: rows(k), columns: Array(columnOrder.prefix(k))))
        }
        func bound(_ k: Int) -> LowerBound {
            LowerBound(rank: k, rows: k == 0 ? [] : rows(k), columns: Array(columnOrder.prefix(k)), candidate: candidate)
        }

        if let target, target > 0, proves(target) { return bound(target) }
        var low = 0
        let tried = min(candidate, target ?? limit)
        if tried > 0 && tried != target && proves(tried) {
            if goal == nil { return bound(tried) }
            low = tried
        }
        // Bisection on the leading minors: the largest proven order between the known one and the goal (or the
        // candidate without a goal), assuming (only for speed) that proven orders are downward closed.
        var high = (target ?? tried) - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if proves(middle) { low = middle } else { high = middle - 1 }
        }
        return bound(low)
    }

    /// Column pivoting (dgeqp3) on the m x n row-major `x`, or on the sketch G x when `sketchRows` is given (G of
    /// seeded random signs, sketchRows x m). Returns the column order (all n columns) and |R_ii| for the
    /// min(rows, n) diagonal entries of the factored matrix; nil if LAPACK fails or a value is not finite.
    static func pivotColumns(_ x: [Double], rows m: Int, columns n: Int, sketchRows: Int?)
        -> (order: [Int], diagonal: [Double])? {
        var work: [Double]
        var rows = m
        if let s = sketchRows {
            var generator = SignGenerator(seed: 0x4D49_4452_4144)
            let signs = (0..<(s * m)).map { _ in generator.nextSign() }
            work = MidradMatrix.gemm(signs, x, s, m, n)
            rows = s
        } else {
            work = x
        }
        guard work.allSatisfy(\.isFinite) else { return nil }
        var pivots = [Int32](repeating: 0, count: n)
        var tau = [Double](repeating: 0, count: min(rows, n))
        guard LAPACKE_dgeqp3(CLAPACK_ROW_MAJOR(), Int32(rows), Int32(n), &work, Int32(n), &pivots, &tau) == 0
        else { return nil }
        let diagonal = (0..<min(rows, n)).map { abs(work[$0 * n + $0]) }
        return (pivots.map { Int($0) - 1 }, diagonal)
    }
}

/// Random signs from SplitMix64 (Steele, Lea and Flood 2014), for the sketch: deterministic for a seed.
struct SignGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextSign() -> Double { next() >> 63 == 0 ? 1 : -1 }
}
