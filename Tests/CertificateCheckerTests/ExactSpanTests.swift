@testable import CertificateChecker
import Testing

/// The span identity H[:, columns] X = den H[:, others], checked on X and den given directly (not by the solver), on
/// matrices whose column spaces are known by construction.
@Suite struct ExactSpanTests {
    /// Rank 1 by construction: every column is a multiple of (1, 2, 3); column 1 is 2 times column 0, column 2 is 3 times.
    static let rankOne: [Int128] = [1, 2, 3,
                                    2, 4, 6,
                                    3, 6, 9]
    /// Rank 3: the identity plus an upper triangle, determinant 1.
    static let fullRank: [Int128] = [1, 5, 7,
                                     0, 1, 4,
                                     0, 0, 1]

    static func verify(_ h: [Int128], x: [Int128], den: Int128) -> ExactSpan.Verdict {
        ExactSpan.verify(h, size: 3, columns: [0], others: [1, 2], x: OwnedMatrix(rows: 1, columns: 2) { x[$1] },
                         den: OwnedInteger(den))
    }

    /// den = 0 with X = 0 satisfies the identity for every matrix (both sides are 0), so it would "show" rank <= 1 for
    /// the rank-3 matrix; the check refuses it on both matrices, whatever X is.
    @Test func zeroDenominatorIsRefused() {
        #expect(Self.verify(Self.fullRank, x: [0, 0], den: 0) == .zeroDenominator)
        #expect(Self.verify(Self.rankOne, x: [0, 0], den: 0) == .zeroDenominator)
        #expect(Self.verify(Self.rankOne, x: [2, 3], den: 0) == .zeroDenominator)
    }

    /// The coefficients from the construction, scaled by any nonzero den, verify.
    @Test func coefficientsFromTheConstructionVerify() {
        #expect(Self.verify(Self.rankOne, x: [2, 3], den: 1) == .spanned)
        #expect(Self.verify(Self.rankOne, x: [14, 21], den: 7) == .spanned)
        #expect(Self.verify(Self.rankOne, x: [-2, -3], den: -1) == .spanned)
    }

    /// A wrong coefficient names its column; a column outside the span fails for every X.
    @Test func wrongCoefficientsNameTheColumn() {
        #expect(Self.verify(Self.rankOne, x: [2, 4], den: 1) == .outside(column: 2))
        #expect(Self.verify(Self.rankOne, x: [3, 3], den: 1) == .outside(column: 1))
        #expect(Self.verify(Self.fullRank, x: [5, 7], den: 1) == .outside(column: 1))
    }

    /// Through the solver: the rank-1 matrix is spanned by column 0; the rank-3 matrix is not.
    @Test func solverAnswersAreVerified() {
        #expect(ExactSpan.check(Self.rankOne, size: 3, rows: [0], columns: [0]) == .spanned)
        #expect(ExactSpan.check(Self.fullRank, size: 3, rows: [0], columns: [0]) == .outside(column: 1))
        #expect(ExactSpan.check(Self.fullRank, size: 3, rows: [0, 1, 2], columns: [0, 1, 2]) == .spanned)
    }
}
