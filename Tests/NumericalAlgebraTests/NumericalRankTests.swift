import NumericalAlgebra
import Testing

@Suite struct NumericalRankTests {
    static func rank(_ rule: RankRule, _ s: [Double], n: Int? = nil) -> RankOutcome {
        NumericalRank.evaluate(rule, singularValues: s, rows: n ?? s.count, columns: n ?? s.count)
    }

    /// A spectrum with a 11-decade drop after the third value and a smaller one after the fourth.
    /// numpy-default: 10 * 5 * 2^-52 = 1.1e-14, so 1e-12 counts and 1e-15 does not: rank 4.
    @Test func spectrumWithKnownGaps() {
        let s = [10, 3, 1, 1e-12, 1e-15]
        #expect(Self.rank(.numpyDefault, s).rank == 4)
        #expect(Self.rank(.relative(exponent: 6), s).rank == 3)     // threshold 1e-5
        #expect(Self.rank(.relative(exponent: 12), s).rank == 3)    // threshold 1e-11
        #expect(Self.rank(.relative(exponent: 14), s).rank == 4)    // threshold 1e-13
        #expect(Self.rank(.absolute(1e-8), s).rank == 3)
        #expect(Self.rank(.absolute(1e-13), s).rank == 4)
        let gap = Self.rank(.largestGap, s)
        #expect(gap.rank == 3)
        #expect(abs(gap.marginDecades - 6) < 1e-12)                 // half of the 12-decade drop from 1 to 1e-12
        #expect(abs(log10(gap.threshold) - (-6)) < 1e-12)
    }

    /// Margins: the distance in decades from the threshold to the nearest value.
    @Test func margins() {
        let s = [1, 1e-3, 1e-9]
        // relative-1e-6: threshold 1e-6; nearest values 1e-3 and 1e-9 are both 3 decades away.
        #expect(abs(Self.rank(.relative(exponent: 6), s).marginDecades - 3) < 1e-12)
        // relative-1e-8: threshold 1e-8; 1e-9 is 1 decade away.
        #expect(abs(Self.rank(.relative(exponent: 8), s).marginDecades - 1) < 1e-12)
    }

    @Test func identityAndZero() {
        let identity = [Double](repeating: 1, count: 7)
        for rule in RankRule.standard(absolute: 1e-8) {
            #expect(Self.rank(rule, identity).rank == 7, "\(rule)")
            #expect(Self.rank(rule, [0, 0, 0]).rank == 0, "\(rule)")
        }
        #expect(Self.rank(.numpyDefault, [0, 0]).marginDecades == .infinity)
    }

    /// A well-conditioned full-rank spectrum: the gap rule must not invent a drop inside it.
    @Test func gapRuleOnFullRank() {
        #expect(Self.rank(.largestGap, [5, 4, 2, 1, 0.5]).rank == 5)
    }

    @Test func ruleNames() {
        #expect(RankRule.standard(absolute: 1e-8).map(\.description) == [
            "numpy-default", "relative-1e-6", "relative-1e-7", "relative-1e-8", "relative-1e-9", "relative-1e-10",
            "relative-1e-11", "relative-1e-12", "relative-1e-13", "absolute-1e-08", "largest-gap"])
    }
}

#if canImport(Glibc)
import Glibc
#endif
