// Certified lower bounds on the rank of a real matrix known only as balls (`BallMatrix`), for matrices whose entries
// are transcendental.
//
// A pivoting pass chooses rows and columns: complete pivoting on the midpoints, in floating point of the working
// precision, gives a pivot order and a candidate rank (the pivots within 2^(bits / 2) of the largest). Then ball
// arithmetic proves a k x k minor nonsingular: Arb's LU (`BallMatrix.isProvenNonsingular`) must find a pivot ball
// excluding 0 in every column. A proven k x k minor gives rank >= k for the true matrix, whatever rounding happened
// before: every ball contains its true entry. The pivoting pass only chooses which minor to try; a wrong choice can
// make the bound weaker, never wrong. The precision escalates (64 ... 1024 bits) while the answer falls short of a
// caller's goal, and at the cap bisection finds the largest proven leading minor.
//
// Nothing here can prove a rank upper bound: a minor that is exactly zero has a ball containing 0 at every precision.
// Upper bounds come from proven statements (proofs/upper-bounds.md).

public enum BallRank {
    public struct LowerBound: Sendable, Equatable {
        /// Proven: the true matrix has rank at least this.
        public let rank: Int
        /// The proven nonsingular minor's rows and columns (rank of each).
        public let rows: [Int]
        public let columns: [Int]
        /// The working precision in bits at which the minor was proven (that of the first evaluation for rank 0).
        public let precision: Int
        /// What the first (64-bit) pivoting pass alone suggested: not proven.
        public let candidate: Int
    }

    /// Working precisions tried in turn, in bits: 64 up to the cap of 1024.
    public static let defaultPrecisions = [64, 128, 256, 512, 1024]

    /// A certified lower bound on the rank of the matrix that `evaluate(bits)` returns as balls at working precision
    /// `bits` (each call may recompute the entries at that precision).
    ///
    /// At each working precision in turn (64 bits first): the matrix is evaluated; complete pivoting on its
    /// midpoints, at that precision, orders the rows and columns; the candidate is the number of pivots within a factor
    /// 2^(bits / 2) of the largest. If a `goal` (an upper bound the caller knows, e.g. from a proven statement) is
    /// given, the leading goal x goal minor is tried first; then the candidate. Without a goal the first proven
    /// candidate is the answer; with one the precision escalates until the goal is proven, and at the cap the largest
    /// proven leading minor below it is found by bisection. Higher precision matters twice: tighter balls, and pivots
    /// far below the largest (a softmax probability e^-300) that a 53-bit pass cannot tell from rounding.
    public static func lowerBound(precisions: [Int] = defaultPrecisions, goal: Int? = nil,
                                  _ evaluate: (Int) -> BallMatrix) -> LowerBound {
        precondition(!precisions.isEmpty && precisions.allSatisfy { $0 >= 2 }, "BallRank: need working precisions")
        var best: LowerBound?
        var reported: Int?
        for (index, bits) in precisions.enumerated() {
            let matrix = evaluate(bits)
            let (rows, columns, exponents) = matrix.midpointPivotOrder(precision: bits)
            let top = exponents.max() ?? 0
            let candidate = exponents.filter { $0 > top - bits / 2 }.count
            if reported == nil { reported = candidate }
            func bound(_ k: Int) -> LowerBound {
                LowerBound(rank: k, rows: Array(rows.prefix(k)), columns: Array(columns.prefix(k)), precision: bits,
                           candidate: reported!)
            }
            // Nothing to prove and nothing asked beyond it (a zero matrix without a goal): no further precision.
            if candidate == 0 && goal == nil { return bound(0) }
            func proves(_ k: Int) -> Bool {
                k == 0 || matrix.submatrix(rows: Array(rows.prefix(k)), columns: Array(columns.prefix(k)))
                    .isProvenNonsingular(precision: bits)
            }
            let known = best?.rank ?? 0
            let target = min(goal ?? candidate, rows.count)
            if goal != nil && target > known && proves(target) { return bound(target) }
            if candidate > known && candidate <= target && proves(candidate) { best = bound(candidate) }
            if let b = best, goal == nil || b.rank >= target { return b }
            if index == precisions.count - 1 {
                // At the cap: the largest proven leading minor of this order below the target, by bisection.
                var (low, high) = (0, max(target, candidate) - 1)
                while low < high {
                    let middle = (low + high + 1) / 2
                    if proves(middle) { low = middle } else { high = middle - 1 }
                }
                if low > (best?.rank ?? -1) { best = bound(low) }
            }
        }
        return best!
    }
}
