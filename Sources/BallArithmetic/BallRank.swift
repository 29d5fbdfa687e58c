// Certified lower bounds on the rank of a real matrix known only as balls (`BallMatrix`), for matrices whose entries
// are transcendental.
//
// A floating-point pass chooses rows and columns: complete pivoting on the midpoints gives a pivot order and a
// candidate rank k0, the number of pivots above a tolerance (what a float64 rank would report). Then ball arithmetic
// proves a k x k minor nonsingular: the matrix is evaluated again at increasing working precision and Arb's LU
// (`BallMatrix.isProvenNonsingular`) must find a pivot ball excluding 0 in every column. A proven k x k minor gives
// rank >= k for the true matrix, whatever rounding happened before: every ball contains its true entry. The float
// pass only chooses which minor to try; a wrong choice can make the bound weaker, never wrong.
//
// If the candidate minor is not proven at the highest precision, the largest proven leading minor of the pivot order
// is found by bisection at that precision; above the candidate, a caller's goal (a proven upper bound) is tried. Nothing here can prove a rank upper bound: a minor that is exactly zero
// has a ball containing 0 at every precision. Upper bounds come from proven statements (proofs/upper-bounds.md).

public enum BallRank {
    public struct LowerBound: Sendable, Equatable {
        /// Proven: the true matrix has rank at least this.
        public let rank: Int
        /// The proven nonsingular minor's rows and columns (rank of each).
        public let rows: [Int]
        public let columns: [Int]
        /// The working precision in bits at which the minor was proven (that of the first evaluation for rank 0).
        public let precision: Int
        /// What the floating-point pass alone suggested (pivots above its tolerance): not proven.
        public let candidate: Int
    }

    /// Working precisions tried in turn, in bits: 64 up to the cap of 1024.
    public static let defaultPrecisions = [64, 128, 256, 512, 1024]

    /// The relative tolerance of the floating-point pass: a pivot below this times the largest is counted as zero
    /// in the candidate (numpy's default is max(m, n) eps; this is looser on purpose, the balls decide).
    static let relativeTolerance = 1e-10

    /// A certified lower bound on the rank of the matrix that `evaluate(bits)` returns as balls at working precision
    /// `bits` (each call may recompute the entries at that precision).
    ///
    /// First the float pass's candidate k0 is proven, escalating the precision; if it is not proven at the cap, the
    /// largest proven leading minor of the pivot order is found by bisection there. Then, if `goal` (an upper bound
    /// the caller knows, e.g. from a proven statement) is above k0 and the float pass found that many nonzero pivots,
    /// the leading goal x goal minor is tried at the remaining precisions, and if it is not proven at the cap, the
    /// largest leading minor between k0 and the goal that is, by bisection there: a badly conditioned matrix can have a
    /// true rank above what a float tolerance reports, and only more precision shows it.
    public static func lowerBound(precisions: [Int] = defaultPrecisions, goal: Int? = nil,
                                  _ evaluate: (Int) -> BallMatrix) -> LowerBound {
        precondition(!precisions.isEmpty && precisions.allSatisfy { $0 >= 2 }, "BallRank: need working precisions")
        var matrix = evaluate(precisions[0])
        let (rows, columns, candidate) = pivotOrder(matrix)
        func result(_ k: Int, _ bits: Int) -> LowerBound {
            LowerBound(rank: k, rows: Array(rows.prefix(k)), columns: Array(columns.prefix(k)), precision: bits,
                       candidate: candidate)
        }
        func proves(_ k: Int, _ bits: Int) -> Bool {
            matrix.submatrix(rows: Array(rows.prefix(k)), columns: Array(columns.prefix(k))).isProvenNonsingular(precision: bits)
        }
        if candidate == 0 { return result(0, precisions[0]) }
        guard let level = precisions.indices.first(where: { index in
            if index > 0 { matrix = evaluate(precisions[index]) }
            return proves(candidate, precisions[index])
        }) else {
            // Not proven at the cap: bisection (the empty leading minor is trivially nonsingular).
            let bits = precisions[precisions.count - 1]
            var (low, high) = (0, candidate - 1)
            while low < high {
                let middle = (low + high + 1) / 2
                if proves(middle, bits) { low = middle } else { high = middle - 1 }
            }
            return result(low, bits)
        }
        let proven = result(candidate, precisions[level])
        guard let goal, min(goal, rows.count) > candidate else { return proven }
        let target = min(goal, rows.count)
        for index in level..<precisions.count {
            if index > level { matrix = evaluate(precisions[index]) }
            if proves(target, precisions[index]) { return result(target, precisions[index]) }
        }
        // The goal is not proven at the cap: the largest leading minor between the candidate and the goal that is,
        // by bisection there (the matrix now holds the cap's evaluation).
        let bits = precisions[precisions.count - 1]
        var (low, high) = (candidate, target - 1)
        while low < high {
            let middle = (low + high + 1) / 2
            if proves(middle, bits) { low = middle } else { high = middle - 1 }
        }
        return low > candidate ? result(low, bits) : proven
    }

    /// Gaussian elimination with complete pivoting on the midpoints, in doubles: every nonzero pivot's row and column,
    /// in order, and how many pivots exceed `relativeTolerance` times the first.
    static func pivotOrder(_ matrix: BallMatrix) -> (rows: [Int], columns: [Int], candidate: Int) {
        let m = matrix.rowCount, n = matrix.columnCount
        var a = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { a[i * n + j] = matrix[i, j].midpoint } }
        var rowIndex = Array(0..<m), columnIndex = Array(0..<n)
        var pivots: [Double] = []
        for t in 0..<min(m, n) {
            var (bestRow, bestColumn, best) = (t, t, 0.0)
            for i in t..<m {
                for j in t..<n where abs(a[i * n + j]) > best { (bestRow, bestColumn, best) = (i, j, abs(a[i * n + j])) }
            }
            guard best > 0, best.isFinite else { break }
            if bestRow != t {
                for j in 0..<n { a.swapAt(t * n + j, bestRow * n + j) }
                rowIndex.swapAt(t, bestRow)
            }
            if bestColumn != t {
                for i in 0..<m { a.swapAt(i * n + t, i * n + bestColumn) }
                columnIndex.swapAt(t, bestColumn)
            }
            let pivot = a[t * n + t]
            pivots.append(pivot)
            for i in (t + 1)..<m {
                let factor = a[i * n + t] / pivot
                if factor == 0 { continue }
                for j in t..<n { a[i * n + j] -= factor * a[t * n + j] }
            }
        }
        let largest = pivots.map(abs).max() ?? 0
        let candidate = pivots.filter { abs($0) > relativeTolerance * largest }.count
        return (Array(rowIndex.prefix(pivots.count)), Array(columnIndex.prefix(pivots.count)), candidate)
    }
}
