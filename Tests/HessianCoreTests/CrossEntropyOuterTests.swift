// The outer part of the cross-entropy Hessian, H_O = sum_n J_n^T A_n J_n with A_n = diag(p_n) - p_n p_n^T
// (proofs/statements/cross-entropy.md): its rank equals the rank of H_O of the MSE network with K - 1 outputs whose
// last layer is T W_L, T = [I_{K-1} | -1], at every point; and, at generic points, the outer formula with K - 1.
//
// `Problem.outerRankProblem(for: .crossEntropy)` builds that network; this checks it with exact rational probabilities. p_n = w_n / S_n
// with positive integers w_n and S_n = sum_c w_nc, so S_n^2 A_n = S_n diag(w_n) - w_n w_n^T =: B_n is an integer
// matrix, positive semidefinite with kernel span(1). The proof uses only that (any positive multiple of A_n, one per
// sample, gives the same rank), so sum_n J_n^T B_n J_n is ranked. J_n comes from exact forward differences of the
// network's outputs (f is linear in each weight), not from the structured construction.
import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

@Suite struct CrossEntropyOuterTests {
    /// f(X) as an N x K matrix, X (W^{L:1})^T.
    static func outputs(_ weights: [IntegerMatrix], _ x: IntegerMatrix) -> IntegerMatrix {
        x * weights.dropFirst().reduce(weights[0]) { $1 * $0 }.transposed
    }

    /// J_n (K x p) for every sample: column u is f(theta + e_u; x_n) - f(theta; x_n), exact because f has degree 1
    /// in each weight.
    static func sampleJacobians(_ problem: Problem) -> [IntegerMatrix] {
        let (n, k, p) = (problem.sampleCount, problem.architecture.outputWidth, problem.parameterCount)
        let base = outputs(problem.weights, problem.x)
        var jacobians = (0..<n).map { _ in IntegerMatrix(rows: k, columns: p) }
        for t in 0..<problem.architecture.depth {
            let (rows, columns) = problem.architecture.weightShape(t)
            for i in 0..<rows {
                for j in 0..<columns {
                    var weights = problem.weights
                    weights[t][i, j] += 1
                    let shifted = outputs(weights, problem.x) - base
                    let u = problem.architecture.parameterOffset(t) + i * columns + j
                    for sample in 0..<n { for c in 0..<k { jacobians[sample][c, u] = shifted[sample, c] } }
                }
            }
        }
        return jacobians
    }

    /// sum_n J_n^T B_n J_n with B_n = S_n diag(w_n) - w_n w_n^T, w_n drawn from 1...20 (a different p_n per sample).
    static func crossEntropyOuter(_ problem: Problem, seed: UInt64) -> IntegerMatrix {
        let k = problem.architecture.outputWidth
        var stream = SplitMix64(seed: seed, stream: 103)
        var sum = IntegerMatrix(rows: problem.parameterCount, columns: problem.parameterCount)
        for j in sampleJacobians(problem) {
            let w = (0..<k).map { _ in stream.uniform(in: 1...20) }
            let total = w.reduce(0, +)
            let column = IntegerMatrix(w.map { [$0] })
            let b = IntegerMatrix.diagonal(w.map { total * $0 }) - column * column.transposed
            sum = sum + j.transposed * b * j
        }
        return sum
    }

    /// The MSE network with K - 1 outputs and last layer T W_L, T = [I_{K-1} | -1] (kernel span(1), full row rank):
    /// the library's `Problem.outerRankProblem(for: .crossEntropy)`, checked here against the direct construction.
    static func reducedNetwork(_ problem: Problem) throws -> Problem { try problem.outerRankProblem(for: .crossEntropy) }

    static func rank(_ m: IntegerMatrix) throws -> Int { try CertifiedRank.rank(of: m).rank }

    /// Random integer points (K >= 2; L = 1 to 4, a bottleneck, N < d, K = 2, prescribed data rank): the rank
    /// equals the K - 1 network's rank and the outer formula with K - 1, which differs from the formula with K (so the
    /// test tells the two apart).
    @Test(arguments: [
        SmallCase(widths: [3, 2], samples: 4, dataRank: nil, seed: 51),
        SmallCase(widths: [3, 2, 3], samples: 4, dataRank: nil, seed: 52),
        SmallCase(widths: [4, 3, 4], samples: 5, dataRank: nil, seed: 53),
        SmallCase(widths: [4, 2, 3, 4], samples: 5, dataRank: nil, seed: 54),
        SmallCase(widths: [5, 4, 3, 5], samples: 3, dataRank: nil, seed: 55),
        SmallCase(widths: [4, 3, 3, 2], samples: 5, dataRank: nil, seed: 56),
        SmallCase(widths: [5, 4, 4, 4], samples: 6, dataRank: 2, seed: 57),
        SmallCase(widths: [3, 3, 2, 3, 3], samples: 4, dataRank: nil, seed: 58),
    ])
    func outerRankIsTheMSEOuterRankWithOneOutputFewer(_ c: SmallCase) throws {
        let problem = try c.problem()
        let r = try Self.rank(problem.x)
        let k = c.widths.last!
        let ce = try Self.rank(Self.crossEntropyOuter(problem, seed: c.seed))
        let reduced = try Self.reducedNetwork(problem)
        let mse = try CertifiedRank.rank(of: StructuredHessian(reduced).source(for: .outer)).rank
        let formula = LinearNetworkFormulas(widths: Array(c.widths.dropLast()) + [k - 1], dataRank: r).outer.value
        #expect(ce == mse, "\(c): rank of the cross-entropy H_O \(ce) != rank of the K - 1 network's H_O \(mse)")
        #expect(ce == formula, "\(c): \(ce) != the outer formula with K - 1, \(formula)")
        #expect(formula != LinearNetworkFormulas(widths: c.widths, dataRank: r).outer.value, "\(c)")
    }

    /// The identity holds at every point, not only generic ones: W_1 and W_2 of rank one in a 2,2,3 network (the
    /// K - 1 formula says 2 (2 + 2 - 2) = 4, the ranks are lower, and still equal).
    @Test func identityHoldsAtANonGenericPoint() throws {
        let problem = try Problem(architecture: Architecture(widths: [2, 2, 3]),
                                  weights: [IntegerMatrix([[1, 2], [2, 4]]), IntegerMatrix([[1, -1], [2, -2], [1, -1]])],
                                  x: IntegerMatrix([[1, 0], [0, 1], [2, 3]]), y: IntegerMatrix(rows: 3, columns: 3))
        let ce = try Self.rank(Self.crossEntropyOuter(problem, seed: 59))
        let mse = try CertifiedRank.rank(of: StructuredHessian(try Self.reducedNetwork(problem)).source(for: .outer)).rank
        #expect(ce == mse)
        #expect(ce < LinearNetworkFormulas(widths: [2, 2, 2], dataRank: 2).outer.value)
    }
}
