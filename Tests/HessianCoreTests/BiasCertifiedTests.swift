import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

/// `bias` in generic mode: a rank over F_p that meets an upper bound proven at every point (read with the largest
/// rank [X, 1] the draw allows) fixes the generic rank over Q for certain; a rank that only equals the with-bias
/// conjecture does not.
@Suite struct BiasCertifiedTests {
    static let prime = SeededPrime.prime(7)

    /// 3,2 with biases, N = 6 (p = 8): one layer, so H_L = H_O has rank r~ K <= 4 2 = 8 = p (`bias-network:one-layer`,
    /// r~ <= min(N, d + 1) = 4) and H_F = 0: all three certified.
    @Test func oneLayerIsCertifiedEverywhere() throws {
        let a = try BiasAnalysis.analyze(Architecture(widths: [3, 2]), samples: 6, prime: Self.prime, seed: 1)
        #expect(a.ranks == [8, 8, 0])
        #expect(a.largestAugmentedDataRank == 4)
        #expect(a.certifiedBy.map { $0 != nil } == [true, true, true])
    }

    /// 4,3,2 with biases, N = 7 (p = 23): the augmented network [5, 4, 2] with r~ <= min(7, 5) = 5 has q = 2, so
    /// H_O <= 2 (5 + 2 - 2) = 10 (`bias-network:outer`), met; H_L <= q (r~ + K) + 2 q 4 - 2 q^2 = 22
    /// (`bias-network:loss`) and H_F <= 2 4 min(5, 2) = 16 (`bias-network:functional-L2`) lie above the ranks 20 and
    /// 12, which equal the conjecture and stay lower bounds.
    @Test func onlyTheOuterPartMeetsItsBound() throws {
        let a = try BiasAnalysis.analyze(Architecture(widths: [4, 3, 2]), samples: 7, prime: Self.prime, seed: 1)
        #expect(a.ranks == [20, 10, 12])
        #expect(a.genericUpperBounds.map(\.value) == [22, 10, 16])
        #expect(a.certifiedBy == [nil, UpperBound(value: 10, statement: "bias-network:outer", basis: .provedHere), nil])
    }

    /// The largest r~ follows the draw: data of rank 2 give r~ <= 3; a constant first input gives r~ <= d.
    @Test func largestAugmentedDataRank() throws {
        let low = try BiasAnalysis.analyze(Architecture(widths: [4, 4]), samples: 6, dataRank: 2, prime: Self.prime, seed: 1)
        #expect(low.largestAugmentedDataRank == 3)
        let constant = try BiasAnalysis.analyze(Architecture(widths: [4, 4]), samples: 9, constantFeature: true,
                                                prime: Self.prime, seed: 1)
        #expect(constant.largestAugmentedDataRank == 4)
    }
}
