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
        // H_L: the paper's bound read on the K - 1 = 3 network, q = 3: q (r + K - 1) + 2 q M_1 - L q^2 = 24 + 18 - 18
        // = 24 (cited), below the sum 15 + 18 and p = 27. (This draw has zero weights; the balls prove less.)
        let loss = Self.interval(intervals, .loss)
        #expect(loss.upper == UpperBound(value: 24, statement: "loss", basis: .cited))
        #expect(loss.lower <= 24 && loss.lower >= max(outer.lower, functional.lower))
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

    /// Three layers under cross-entropy (6,3,3,4, N = 10, r = 6): H_F is the functional Hessian of the network with
    /// K - 1 = 3 outputs and last layer T W_L (same rank), so the cited bound is read there: q = min(r, K - 1, M) = 3,
    /// s = 3, 2 q (M_1 + M_2) + 2 q s - L q^2 = 36 + 18 - 27 = 27, by hand; the balls prove 27 (at the draw of
    /// `rank --arch 6,3,3,4 --samples 10 --loss cross-entropy --seed 1`; K = 4 would give s = 4 and 36 + 24 - 27 = 33).
    @Test func threeLayerCrossEntropyFunctionalReadsKMinusOne() throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [6, 3, 3, 4]), samples: 10, loss: .crossEntropy, seed: 1)
        #expect(try CertifiedRank.rank(of: problem.x).rank == 6)
        let functional = Self.interval(try LossIntervals.analyze(problem, loss: .crossEntropy), .functional)
        #expect(functional.upper == UpperBound(value: 27, statement: "functional-bound", basis: .cited))
        #expect(functional.lower == 27)
    }

    /// tanh under mse (the network of SmoothBallHessianTests, 3,3,2, N = 6, p = 15): the double balls alone prove
    /// H_L and H_F of full rank 15, closed by `parameters`; H_O = J^T J lies in [its proven minor, N K = 12].
    @Test func tanhClosesAtFullRank() throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [3, 3, 2]), samples: 6, loss: .mse, seed: 92)
        let intervals = try LossIntervals.analyze(problem, loss: .mse, activation: .tanh)
        for part in [HessianPart.loss, .functional] {
            let interval = Self.interval(intervals, part)
            #expect(interval.isExact && interval.lower == 15 && interval.upper.statement == "parameters" && interval.precision == 53)
        }
        let outer = Self.interval(intervals, .outer)
        #expect(outer.upper == UpperBound(value: 12, statement: "jacobian-rows", basis: .provedHere) && outer.lower > 6)
    }

    /// Cross-entropy bounds H_O of a smooth network by N (K - 1) (`softmax-rows`): sigmoid 2,2,3 with N = 2 has
    /// p = 12 parameters and at most 2 (3 - 1) = 4.
    @Test func crossEntropyOuterBoundIsSoftmaxRows() throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [2, 2, 3]), samples: 2, loss: .crossEntropy, seed: 5)
        let outer = Self.interval(try LossIntervals.analyze(problem, loss: .crossEntropy, activation: .sigmoid), .outer)
        #expect(outer.upper == UpperBound(value: 4, statement: "softmax-rows", basis: .provedHere))
        #expect(outer.lower <= 4)
    }

    /// elu has no second derivative at 0: a hidden pre-activation exactly 0 is refused as a kink, with its place.
    @Test func eluAtZeroIsAKink() throws {
        // x = (1, 1), W_1 = [[1, -1]]: z = 0 for the one hidden unit.
        let problem = try Problem(architecture: Architecture(widths: [2, 1, 1]),
                                  weights: [IntegerMatrix([[1, -1]]), IntegerMatrix([[2]])],
                                  x: IntegerMatrix([[1, 1]]), y: IntegerMatrix([[1]]))
        #expect(LossIntervals.kink(problem, activation: .elu) == LossIntervals.Kink(sample: 0, layer: 1, unit: 0))
        #expect(throws: LossIntervals.Kink.self) { try LossIntervals.analyze(problem, loss: .mse, activation: .elu) }
        #expect(LossIntervals.kink(problem, activation: .tanh) == nil)
    }

    @Test func mseIsRefused() throws {
        let problem = try BallHessianTests.problem([3, 2], samples: 3, seed: 83)
        #expect(throws: InputError.self) { try LossIntervals.analyze(problem, loss: .mse) }
    }
}
