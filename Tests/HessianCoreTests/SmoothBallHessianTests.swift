import BallArithmetic
import ExactAlgebra
import HessianCore
import HessianReference
import RankFormulas
import Testing

/// Ball Hessians of tanh and sigmoid networks (hyper-dual forward passes over balls): exact where the network is
/// linear, and a certified proof that a tanh network's Hessian rank exceeds the linear formula.
@Suite struct SmoothBallHessianTests {
    /// With the identity as activation the hyper-dual route must reproduce the exact integer Hessians of the direct
    /// route, every ball exact (radius 0), with and without biases.
    @Test(arguments: [false, true])
    func linearMatchesTheExactHessians(bias: Bool) throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [3, 2, 2], bias: bias), samples: 3, loss: .mse, seed: 91)
        let parts = try SmoothBallHessian.build(problem, activation: .linear, precision: 64)
        let direct = try DirectHessian.compute(try #require(problem.referenceNetwork))
        for part in HessianPart.allCases {
            #expect(parts.matrix(part).equals(integers: direct.entries(part).map { Int($0) }), "\(part)")
        }
    }

    /// 3,3,2 tanh, N = 6 (p = 15, r = 3, K = 2, q = 2). The linear formula says rank H_L = q (r + K) + 2 q M_1 - L q^2
    /// = 10 + 12 - 8 = 14 and rank H_O = q (r + K - q) = 6. The balls prove a 15 x 15 minor of the tanh H_L
    /// nonsingular, so its rank is 15 = p exactly (`parameters` bounds it), above the formula: tanh Hessians do not
    /// follow the linear formulas, proven. H_O = J^T J has rank at most N K = 12; the balls prove more than the
    /// formula's 6 (the exact value between is not claimed).
    @Test func tanhHessianExceedsTheLinearFormula() throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [3, 3, 2]), samples: 6, loss: .mse, seed: 92)
        let r = try CertifiedRank.rank(of: problem.x).rank
        #expect(r == 3)
        let formulas = LinearNetworkFormulas(widths: [3, 3, 2], dataRank: r)
        #expect(formulas.loss.value == 14 && formulas.outer.value == 6)
        func bound(_ part: HessianPart, goal: Int) -> BallRank.LowerBound {
            BallRank.lowerBound(goal: goal) { bits in try! SmoothBallHessian.build(problem, activation: .tanh, precision: bits).matrix(part) }
        }
        #expect(bound(.loss, goal: 15).rank == 15)
        let outer = bound(.outer, goal: 12).rank
        #expect(outer > formulas.outer.value && outer <= 12)
    }

    /// Sigmoid goes through the same path: its H_L is proven of full rank 15 too, above the linear formula's 14.
    @Test func sigmoidHessianIsFullRank() throws {
        let problem = try Generator.drawForLoss(Architecture(widths: [3, 3, 2]), samples: 6, loss: .mse, seed: 92)
        let lower = BallRank.lowerBound(goal: 15) { bits in
            try! SmoothBallHessian.build(problem, activation: .sigmoid, precision: bits).loss
        }
        #expect(lower.rank == 15)
    }
}
