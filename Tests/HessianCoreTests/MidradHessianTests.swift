import BallArithmetic
import ExactAlgebra
import HessianCore
import HessianReference
import Testing

/// FloatHessian's algorithm run on double balls (`Midrad`): exact midpoints on integer linear networks, and enclosing the same
/// true Hessians as the independent Arb routes (hyper-dual balls for tanh and sigmoid, the direct integer route with
/// the loss's ball derivatives for cross-entropy and log-cosh), with radii near double rounding.
@Suite struct MidradHessianTests {
    static func balls(_ problem: Problem, _ activation: Activation, _ loss: Loss) -> ScalarHessian<Midrad> {
        FloatHessian.compute(FloatNetwork(problem, activation: activation), loss: loss, as: Midrad.self)
    }

    @Test(arguments: [false, true])
    func linearMSEIsExact(bias: Bool) throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [3, 2, 2], bias: bias), samples: 4, loss: .mse, seed: 5)
        let parts = Self.balls(problem, .linear, .mse)
        let direct = try DirectHessian.compute(try #require(problem.referenceNetwork))
        for part in HessianPart.allCases {
            let exact = direct.entries(part).map(Double.init)
            let balls = parts.entries(part)
            // H_O comes from an enclosed BLAS product, whose a priori error bound leaves tiny radii even where the
            // midpoints are exact; H_F's scalar balls stay exact.
            let wrong = zip(balls, exact).filter { ball, value in
                ball.midpoint != value || ball.radius > 1e-12 * max(1, value.magnitude) || (part == .functional && ball.radius != 0)
            }.count
            #expect(wrong == 0, "\(part): \(wrong) entries")
        }
    }

    /// Both enclose the true Hessian, so every pair of balls must overlap; and the double balls are tight.
    static func expectAgreement(_ parts: ScalarHessian<Midrad>, _ arb: BallHessian.Parts, _ label: String) {
        let p = parts.parameterCount
        for part in HessianPart.allCases {
            let entries = parts.entries(part), matrix = arb.matrix(part)
            var disjoint = 0, widest = 0.0
            for u in 0..<p {
                for v in 0..<p {
                    let ball = entries[u * p + v]
                    if !ball.overlaps(matrix.entry(u, v)) { disjoint += 1 }
                    widest = max(widest, ball.radius / max(1, ball.midpoint.magnitude))
                }
            }
            #expect(disjoint == 0, "\(label) \(part.symbol): \(disjoint) balls miss Arb's")
            #expect(widest < 1e-12, "\(label) \(part.symbol): relative radius \(widest)")
        }
    }

    @Test(arguments: [Activation.tanh, .sigmoid])
    func smoothActivationsAgreeWithHyperDualBalls(_ activation: Activation) throws {
        for bias in [false, true] {
            let problem = try Generator.drawForLoss(Architecture(widths: [3, 3, 2], bias: bias), samples: 4, loss: .mse, seed: 17)
            Self.expectAgreement(Self.balls(problem, activation, .mse),
                                 try SmoothBallHessian.build(problem, activation: activation, precision: 256), "\(activation), bias \(bias)")
        }
    }

    @Test(arguments: [Loss.crossEntropy, .logCosh])
    func lossesAgreeWithTheDirectRoute(_ loss: Loss) throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [4, 3, 3]), samples: 5, loss: loss, seed: 23)
        Self.expectAgreement(Self.balls(problem, .linear, loss),
                             try BallHessian.build(problem, loss: loss, precision: 256), "\(loss)")
    }

    /// Where the truth is known: linear and ReLU networks under mse, whose exact ranks come from the direct integer
    /// route and FLINT. Through the double-ball path (FloatHessian on `Midrad`, `MidradRank` with the exact rank as
    /// the goal) every part's certified lower bound must reach that rank; a lower bound above it would be a bug in the
    /// enclosures. Draws on a ReLU kink are skipped (the direct route refuses them).
    @Test(arguments: SmallCase.table)
    func lowerBoundsReachTheExactRanks(_ c: SmallCase) throws {
        for activation in [Activation.linear, .relu] {
            let problem = try c.problem()
            let network = try #require(problem.referenceNetwork)
            let exact: DirectHessian.Result
            do { exact = try DirectHessian.compute(network, activation: activation.reference!) } catch .kink { continue }
            let balls = Self.balls(problem, activation, .mse)
            let p = problem.parameterCount
            for part in HessianPart.allCases {
                let rank = try CertifiedRank.rank(of: IntegerMatrix(rows: p, columns: p, int128: exact.entries(part))).rank
                let matrix = MidradMatrix(rows: p, columns: p, balls: balls.entries(part))
                let bound = MidradRank.lowerBound(matrix, goal: rank, symmetric: true)
                #expect(bound.rank == rank, "\(c), \(activation), \(part.symbol): proven \(bound.rank), exact \(rank)")
                // Above the exact rank nothing can be proven, whatever the goal.
                #expect(MidradRank.lowerBound(matrix, goal: min(p, rank + 1), symmetric: true).rank <= rank)
            }
        }
    }
}
