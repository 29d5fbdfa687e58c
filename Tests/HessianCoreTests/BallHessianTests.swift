import BallArithmetic
import ExactAlgebra
import HessianCore
import HessianReference
import RankFormulas
import Testing

/// Ball Hessians under losses with transcendental derivatives: the assembly is exact where it should be, and the
/// certified lower bounds agree with ranks known from exact routes.
@Suite struct BallHessianTests {
    /// A network with weights, biases and data drawn from {-1, 0, 1} (so the outputs stay small and the softmax and
    /// tanh do not saturate far below any working precision) and one-hot targets (class n mod K for sample n).
    static func problem(_ widths: [Int], bias: Bool = false, samples: Int, seed: UInt64) throws -> Problem {
        var stream = SplitMix64(seed: seed, stream: 106)
        func draw(_ rows: Int, _ columns: Int) -> IntegerMatrix {
            IntegerMatrix((0..<rows).map { _ in (0..<columns).map { _ in stream.uniform(in: -1...1) } })
        }
        let weights = (0..<(widths.count - 1)).map { draw(widths[$0 + 1], widths[$0]) }
        let biases = bias ? (0..<(widths.count - 1)).map { draw(widths[$0 + 1], 1) } : []
        let k = widths.last!
        let y = IntegerMatrix((0..<samples).map { n in (0..<k).map { $0 == n % k ? 1 : 0 } })
        return try Problem(architecture: Architecture(widths: widths, bias: bias), weights: weights, biases: biases,
                           x: draw(samples, widths[0]), y: y)
    }

    static func lowerBound(_ problem: Problem, _ loss: Loss, _ part: HessianPart, goal: Int? = nil) throws -> BallRank.LowerBound {
        BallRank.lowerBound(goal: goal) { bits in try! BallHessian.build(problem, loss: loss, precision: bits).matrix(part) }
    }

    /// Under mse every ball is exact (radius 0) and equals the integer Hessian of the direct route, part by part.
    @Test(arguments: [false, true])
    func mseAssemblyIsExact(bias: Bool) throws {
        let problem = try Self.problem([3, 2, 2], bias: bias, samples: 4, seed: 71)
        let parts = try BallHessian.build(problem, loss: .mse, precision: 64)
        let direct = try DirectHessian.compute(try #require(problem.referenceNetwork))
        for part in HessianPart.allCases {
            #expect(parts.matrix(part).equals(integers: direct.entries(part).map { Int($0) }), "\(part)")
        }
    }

    static func exactOuterRank(_ problem: Problem) throws -> Int {
        try CertifiedRank.rank(of: try ExactHessians.build(problem, activation: .linear).source(for: .outer)).rank
    }

    /// The certified lower bound of the cross-entropy H_O equals its rank from the exact route (the MSE H_O of the
    /// K - 1 network, `Problem.outerRankProblem`), which is an upper bound: the two methods share nothing but the
    /// network. Likewise log-cosh against the MSE H_O of the network itself.
    @Test(arguments: [([4, 3, 3], false, 5), ([3, 2, 3], true, 4), ([4, 3, 2, 3], false, 5)])
    func outerLowerBoundsMeetTheExactRanks(widths: [Int], bias: Bool, samples: Int) throws {
        let problem = try Self.problem(widths, bias: bias, samples: samples, seed: 72)
        let crossEntropy = try Self.exactOuterRank(try problem.outerRankProblem(for: .crossEntropy))
        #expect(try Self.lowerBound(problem, .crossEntropy, .outer, goal: crossEntropy).rank == crossEntropy)
        let logCosh = try Self.exactOuterRank(problem)
        #expect(try Self.lowerBound(problem, .logCosh, .outer, goal: logCosh).rank == logCosh)
        #expect(crossEntropy < logCosh)
    }

    /// L = 2: H_F depends on g only through Omega_g = sum_n g_n x_n^T, and rank H_F = 2 M_1 rank Omega_g at every
    /// point (proofs/statements/functional-two-layers.md, whose argument does not use what g is). For cross-entropy
    /// 1^T g_n = 0, so rank Omega_g <= min(r, K - 1). Two certified lower bounds, one on the p x p H_F and one on the
    /// K x d Omega_g, agree through the identity, and meet that upper bound.
    @Test func crossEntropyFunctionalPartAtTwoLayers() throws {
        let problem = try Self.problem([5, 3, 4], samples: 7, seed: 73)
        let (d, m1, k) = (5, 3, 4)
        func omega(_ bits: Int) -> BallMatrix {
            let network = problem.referenceNetwork!
            let samples = try! DirectHessian.sampleDerivatives(network)
            let result = BallMatrix(rows: k, columns: d)
            for (n, sample) in samples.enumerated() {
                let (_, g) = BallHessian.lossDerivatives(output: sample.output.map { Ball(Int($0)) },
                                                         targets: network.targets[n].map { Double($0) },
                                                         loss: .crossEntropy, precision: bits)
                let outer = BallMatrix(rows: k, columns: d)
                for c in 0..<k { for j in 0..<d { outer.set(c, j, to: g[c].multiplied(by: Ball(Int(network.samples[n][j])), precision: bits)) } }
                result.add(outer, precision: bits)
            }
            return result
        }
        let omegaRank = BallRank.lowerBound(goal: min(d, k - 1), omega).rank
        #expect(omegaRank == min(d, k - 1))
        let functional = try Self.lowerBound(problem, .crossEntropy, .functional, goal: 2 * m1 * omegaRank)
        #expect(functional.rank == 2 * m1 * omegaRank)
    }
}
