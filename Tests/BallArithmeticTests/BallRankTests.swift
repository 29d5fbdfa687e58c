import BallArithmetic
import ExactAlgebra
import Testing

/// Certified lower bounds on ranks from ball arithmetic, on matrices whose rank is known by construction.
@Suite struct BallRankTests {
    /// B C with B 7 x 3 and C 3 x 6 small integers, B and C of rank 3 (identity blocks on top): rank exactly 3; as
    /// exact balls the bound is 3 at the first precision, and the rank over Q (FLINT, an independent method) agrees.
    @Test func exactMatrixOfKnownRank() {
        let b: [[Int]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [2, -1, 3], [0, 4, -2], [5, 5, 1], [-3, 0, 2]]
        let c: [[Int]] = [[1, 0, 0, 2, -1, 3], [0, 1, 0, 1, 1, -2], [0, 0, 1, -4, 0, 5]]
        let product = b.map { row in (0..<6).map { j in (0..<3).reduce(0) { $0 + row[$1] * c[$1][j] } } }
        let bound = BallRank.lowerBound { _ in BallMatrix(exactly: product.map { $0.map(Double.init) }) }
        #expect(bound.rank == 3 && bound.candidate == 3 && bound.precision == 64)
        #expect(bound.rows.count == 3 && Set(bound.rows).count == 3 && Set(bound.columns).count == 3)
        #expect(CertifiedRankCheck.rank(product) == 3)
    }

    /// A 6 x 6 identity is full rank; the zero matrix has rank 0 (nothing to prove).
    @Test func edges() {
        let identity = (0..<6).map { i in (0..<6).map { Double(i == $0 ? 1 : 0) } }
        #expect(BallRank.lowerBound { _ in BallMatrix(exactly: identity) }.rank == 6)
        #expect(BallRank.lowerBound { _ in BallMatrix(rows: 4, columns: 5) }.rank == 0)
        #expect(BallRank.lowerBound { _ in BallMatrix(rows: 0, columns: 3) }.rank == 0)
    }

    /// U V (8 x 9, inner size 3) at working precision `bits`: U of tanh((i + 1)(j + 2) / 7), V of exp(-(i + 1)(j + 1) / 5).
    static func rankThreeProduct(_ bits: Int) -> BallMatrix {
        let u = BallMatrix(rows: 8, columns: 3, precision: bits) { i, j, e in
            e.set(numerator: (i + 1) * (j + 2), denominator: 7); e.tanh()
        }
        let v = BallMatrix(rows: 3, columns: 9, precision: bits) { i, j, e in
            e.set(numerator: -(i + 1) * (j + 1), denominator: 5); e.exp()
        }
        return u.multiplied(by: v, precision: bits)
    }

    /// U V with U (8 x 3) of tanh((i + 1)(j + 2) / 7) and V (3 x 9) of exp(-(i + 1)(j + 1) / 5), as ball products:
    /// the true matrix has rank at most 3 by construction, so a proven 3 x 3 minor makes it exactly 3; no 4 x 4 minor
    /// can be proven (every one is exactly 0, and its ball contains 0), although floating point sees noise there.
    @Test func transcendentalMatrixOfRankThree() {
        #expect(BallRank.lowerBound(Self.rankThreeProduct).rank == 3)
    }

    /// exp(x_i y_j) with x_i = i and y_j = j / 6 (i, j = 0 ... 15, distinct) is a totally positive kernel, so the
    /// 16 x 16 matrix is nonsingular (Karlin, Total Positivity, 1968): rank 16, with the trivial upper bound 16 as the
    /// goal. It is so badly conditioned that the 64-bit pivoting pass counts only a few pivots within 2^32 of the
    /// largest (a float tolerance would report about as few). At 64 bits alone the balls prove more than those by
    /// bisection toward the goal, but not all 16; escalating the precision proves all 16.
    @Test func escalationProvesAnIllConditionedMatrix() {
        let n = 16
        func evaluate(_ bits: Int) -> BallMatrix {
            BallMatrix(rows: n, columns: n, precision: bits) { i, j, e in e.set(numerator: i * j, denominator: 6); e.exp() }
        }
        let low = BallRank.lowerBound(precisions: [64], goal: n, evaluate)
        #expect(low.candidate < n && low.rank > low.candidate && low.rank < n)
        let escalated = BallRank.lowerBound(goal: n, evaluate)
        #expect(escalated.rank == n && escalated.precision > 64)
        // Without a goal only the first candidate is proven.
        #expect(BallRank.lowerBound(evaluate).rank == low.candidate)
    }

    /// The transcendental rank-3 matrix with a goal above its rank: whatever the float pass saw, no minor above 3 can
    /// be proven at any precision (each 4 x 4 minor is exactly 0, and its ball contains 0), so the bound stays 3.
    @Test func aGoalAboveTheRankIsNeverProven() {
        #expect(BallRank.lowerBound(goal: 8, Self.rankThreeProduct).rank == 3)
    }

    /// The 10 x 10 corner of that matrix, padded with zeros to 12 x 12: rank 10 exactly (nonsingular corner, zero
    /// border). With goal 12 the 12 x 12 minor is never proven (its ball determinant contains 0), and the bisection
    /// at the cap finds the 10 x 10 one, above the float candidate.
    @Test func bisectionBetweenCandidateAndGoal() {
        let bound = BallRank.lowerBound(goal: 12) { bits in
            BallMatrix(rows: 12, columns: 12, precision: bits) { i, j, e in
                if i < 10 && j < 10 { e.set(numerator: i * j, denominator: 2); e.exp() } else { e.set(0) }
            }
        }
        #expect(bound.candidate < 10)
        #expect(bound.rank == 10)
    }
}

/// The rank over Q of a small integer matrix by FLINT (multimodular, certified): the independent check.
enum CertifiedRankCheck {
    static func rank(_ rows: [[Int]]) -> Int { (try? CertifiedRank.rank(of: IntegerMatrix(rows)).rank) ?? -1 }
}
