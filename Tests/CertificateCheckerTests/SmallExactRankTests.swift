@testable import CertificateChecker
import Testing

/// The checker's own exact rank of small rectangular matrices (X, [X, 1], Omega), on matrices of known rank.
@Suite struct SmallExactRankTests {
    /// U V with U 5 x 2 and V 2 x 4 of full rank 2 (the first two columns of V are the identity): rank 2.
    @Test func productOfKnownRank() {
        let u: [[Int128]] = [[1, 0], [0, 1], [3, -2], [5, 7], [-4, 1]]
        let v: [[Int128]] = [[1, 0, 2, -3], [0, 1, 4, 6]]
        let x = u.map { row in (0..<4).map { j in row[0] * v[0][j] + row[1] * v[1][j] } }
        #expect(SmallExactRank.rank(x, columnCount: 4) == 2)
        #expect(SmallExactRank.rank(x.map { Array($0.prefix(1)) }, columnCount: 1) == 1)
    }

    /// diag(1, P) with P the checker's first prime: rank 1 modulo P, 2 over Q. The span check refuses the first
    /// prime's answer and the second prime gives 2.
    @Test func anUnluckyPrimeIsCaughtByTheSpan() {
        let p = Int128(SmallExactRank.primes[0])
        #expect(SmallExactRank.pivots([[1, 0], [0, p]], columnCount: 2, modulo: SmallExactRank.primes[0]).columns == [0])
        #expect(SmallExactRank.rank([[1, 0], [0, p]], columnCount: 2) == 2)
    }

    /// Zero and empty matrices have rank 0; a wide matrix of full row rank has its row count; a zero column between
    /// pivots is skipped.
    @Test func edges() {
        #expect(SmallExactRank.rank([[0, 0, 0], [0, 0, 0]], columnCount: 3) == 0)
        #expect(SmallExactRank.rank([], columnCount: 3) == 0)
        #expect(SmallExactRank.rank([[1, 2, 3, 4], [0, 0, 1, 1]], columnCount: 4) == 2)
        #expect(SmallExactRank.pivots([[0, 1, 2], [0, 2, 5]], columnCount: 3, modulo: 101).columns == [1, 2])
    }
}
