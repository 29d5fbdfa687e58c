import ExactAlgebra
import HessianCore
import Testing

/// The outer part's rank under log-cosh and cross-entropy through `Problem.outerRankProblem(for:)`, against
/// sum_n J_n^T A_n J_n built directly with exact rational stand-ins for A_n (only their kernels matter:
/// proofs/statements/cross-entropy.md, Lemma 2), on networks with and without biases.
@Suite struct LossOuterRankTests {
    /// f(X) as an N x K matrix: X W_1^T (+ 1 b_1^T), layer after layer (linear activation).
    static func outputs(_ weights: [IntegerMatrix], _ biases: [IntegerMatrix], _ x: IntegerMatrix) -> IntegerMatrix {
        var h = x
        for (t, w) in weights.enumerated() {
            h = h * w.transposed
            if !biases.isEmpty { h = h + IntegerMatrix(rows: x.rowCount, columns: 1, int128: Array(repeating: 1, count: x.rowCount)) * biases[t].transposed }
        }
        return h
    }

    /// J_n (K x p) by exact forward differences (f is affine in each weight and each bias), in the parameter order
    /// W_t row-major, then b_t, layer after layer.
    static func sampleJacobians(_ problem: Problem) -> [IntegerMatrix] {
        let (n, k, p) = (problem.sampleCount, problem.architecture.outputWidth, problem.parameterCount)
        let base = outputs(problem.weights, problem.biases, problem.x)
        var jacobians = (0..<n).map { _ in IntegerMatrix(rows: k, columns: p) }
        var u = 0
        func record(_ shifted: IntegerMatrix) {
            let difference = shifted - base
            for sample in 0..<n { for c in 0..<k { jacobians[sample][c, u] = difference[sample, c] } }
            u += 1
        }
        for t in 0..<problem.architecture.depth {
            let (rows, columns) = problem.architecture.weightShape(t)
            for i in 0..<rows {
                for j in 0..<columns {
                    var weights = problem.weights
                    weights[t][i, j] += 1
                    record(outputs(weights, problem.biases, problem.x))
                }
            }
            if problem.architecture.bias {
                for i in 0..<rows {
                    var biases = problem.biases
                    biases[t][i, 0] += 1
                    record(outputs(problem.weights, biases, problem.x))
                }
            }
        }
        precondition(u == p)
        return jacobians
    }

    /// sum_n J_n^T B_n J_n for the given per-sample K x K integer matrices B_n.
    static func outer(_ problem: Problem, _ b: (Int) -> IntegerMatrix) -> IntegerMatrix {
        var sum = IntegerMatrix(rows: problem.parameterCount, columns: problem.parameterCount)
        for (n, j) in sampleJacobians(problem).enumerated() { sum = sum + j.transposed * b(n) * j }
        return sum
    }

    static func rank(_ m: IntegerMatrix) throws -> Int { try CertifiedRank.rank(of: m).rank }

    static func mseOuterRank(_ problem: Problem) throws -> Int {
        try CertifiedRank.rank(of: try ExactHessians.build(problem, activation: .linear).source(for: .outer)).rank
    }

    static let cases: [(widths: [Int], bias: Bool, samples: Int, seed: UInt64)] = [
        ([3, 2], false, 4, 61), ([4, 3, 4], false, 5, 62), ([4, 2, 3, 4], false, 5, 63),
        ([3, 2], true, 4, 64), ([4, 3, 3], true, 3, 65), ([3, 2, 2, 3], true, 4, 66),
    ]

    /// log-cosh: A_n = diag(sech^2(f(x_n) - y_n)) is positive definite; positive integer diagonals d_n stand in. The
    /// rank of sum_n J_n^T diag(d_n) J_n is the MSE H_O's, the problem itself.
    @Test(arguments: 0..<6)
    func logCoshOuterRankIsTheMSEOuterRank(_ index: Int) throws {
        let c = Self.cases[index]
        let problem = try Generator.draw(Architecture(widths: c.widths, bias: c.bias), samples: c.samples, seed: c.seed)
        var stream = SplitMix64(seed: c.seed, stream: 104)
        let k = c.widths.last!
        let direct = try Self.rank(Self.outer(problem) { _ in IntegerMatrix.diagonal((0..<k).map { _ in stream.uniform(in: 1...9) }) })
        let viaProblem = try problem.outerRankProblem(for: .logCosh)
        #expect(try Self.mseOuterRank(viaProblem) == direct, "\(c)")
    }

    /// cross-entropy: B_n = S_n diag(w_n) - w_n w_n^T (S_n = sum of w_n, w_n positive integers) has kernel span(1)
    /// like A_n; the rank of sum_n J_n^T B_n J_n is the MSE H_O's rank of the K - 1 network, biases included.
    @Test(arguments: 0..<6)
    func crossEntropyOuterRankIsTheReducedNetworks(_ index: Int) throws {
        let c = Self.cases[index]
        let problem = try Generator.draw(Architecture(widths: c.widths, bias: c.bias), samples: c.samples, seed: c.seed)
        var stream = SplitMix64(seed: c.seed, stream: 105)
        let k = c.widths.last!
        let direct = try Self.rank(Self.outer(problem) { _ in
            let w = (0..<k).map { _ in stream.uniform(in: 1...20) }
            let total = w.reduce(0, +)
            let column = IntegerMatrix(w.map { [$0] })
            return IntegerMatrix.diagonal(w.map { total * $0 }) - column * column.transposed
        })
        let reduced = try problem.outerRankProblem(for: .crossEntropy)
        #expect(reduced.architecture.outputWidth == k - 1 && reduced.architecture.bias == c.bias)
        #expect(try Self.mseOuterRank(reduced) == direct, "\(c)")
    }

    /// One output is refused for cross-entropy (a softmax over one class is constant).
    @Test func crossEntropyNeedsTwoClasses() throws {
        let problem = try Generator.draw(Architecture(widths: [3, 1]), samples: 2, seed: 1)
        #expect(throws: InputError.self) { try problem.outerRankProblem(for: .crossEntropy) }
        #expect(Loss.allCases.map(\.rawValue) == ["mse", "cross-entropy", "log-cosh"])
    }
}
