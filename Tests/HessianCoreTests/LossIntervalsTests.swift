import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

/// Certified rank intervals under cross-entropy and log-cosh: H_O exact, H_F and H_L between a ball-arithmetic lower
/// bound and a proven upper bound, with values worked out by hand where the interval closes.
@Suite struct LossIntervalsTests {
    static func interval(_ intervals: [RankInterval], _ part: HessianPart) -> RankInterval {
        intervals.first { $0.part == part }!
    }

    /// One layer (4,3, N = 5): f is linear in the parameters, so H_F = 0 (`one-layer`) and H_L = H_O. The cross-entropy
    /// H_O has the rank of the 4,2 MSE network's: r (K - 1) = 2 r with r = rank X; the ball lower bound of H_L meets
    /// H_O + 0, so all three intervals close.
    @Test func oneLayerCrossEntropyCloses() throws {
        let problem = try BallHessianTests.problem([4, 3], samples: 5, seed: 81)
        let r = try CertifiedRank.rank(of: problem.x).rank
        let intervals = try LossIntervals.analyze(problem, loss: .crossEntropy)
        #expect(Self.interval(intervals, .outer).lower == 2 * r && Self.interval(intervals, .outer).isExact)
        #expect(Self.interval(intervals, .functional).upper == UpperBound(value: 0, statement: "one-layer", basis: .provedHere))
        #expect(Self.interval(intervals, .functional).isExact)
        let loss = Self.interval(intervals, .loss)
        #expect(loss.lower == 2 * r && loss.upper.value == 2 * r && loss.upper.statement == "sum")
    }

    /// Two layers (5,3,4, N = 7, r = rank X): H_F = 2 M_1 rank Omega_g at every point and rank Omega_g <=
    /// min(r, K - 1) = 3 for cross-entropy, so H_F <= 2 3 3 = 18 (`functional-L2`); the balls prove 18.
    @Test func twoLayerCrossEntropyFunctionalCloses() throws {
        let problem = try BallHessianTests.problem([5, 3, 4], samples: 7, seed: 73)
        let r = try CertifiedRank.rank(of: problem.x).rank
        #expect(r == 5)
        let intervals = try LossIntervals.analyze(problem, loss: .crossEntropy)
        let functional = Self.interval(intervals, .functional)
        #expect(functional.upper == UpperBound(value: 18, statement: "functional-L2", basis: .provedHere))
        #expect(functional.lower == 18)
        let outer = Self.interval(intervals, .outer)
        #expect(outer.isExact && outer.upper.statement == "cross-entropy")
        let loss = Self.interval(intervals, .loss)
        #expect(loss.lower <= loss.upper.value && loss.upper.value == min(problem.parameterCount, outer.lower + 18))
        #expect(loss.lower >= max(outer.lower, functional.lower))
    }

    /// Three layers under log-cosh (3,2,2,2, N = 4): every interval is sound (lower <= upper), H_O exact, and the
    /// functional part is bounded by the paper's bound, cited.
    @Test func threeLayerLogCoshIsSound() throws {
        let problem = try BallHessianTests.problem([3, 2, 2, 2], samples: 4, seed: 82)
        let intervals = try LossIntervals.analyze(problem, loss: .logCosh)
        #expect(intervals.allSatisfy { $0.lower <= $0.upper.value })
        #expect(Self.interval(intervals, .outer).isExact)
        #expect(Self.interval(intervals, .functional).upper.basis == .cited || Self.interval(intervals, .functional).upper.statement == "parameters")
    }

    @Test func mseIsRefused() throws {
        let problem = try BallHessianTests.problem([3, 2], samples: 3, seed: 83)
        #expect(throws: InputError.self) { try LossIntervals.analyze(problem, loss: .mse) }
    }
}
