// The non-generic-residual statement (proofs/statements/nongeneric-residual.md) at 0 < rank Omega < s, and two
// networks where every condition of proofs/genericity.md holds (with rank Omega = s, or with a prescribed
// rank Omega = s' < s) and the ranks still fall below the formulas: the conditions are not sufficient for L >= 3.
//
// The hypotheses are computed here from the weights and data directly (products of the weight matrices, certified
// ranks), not with the genericity diagnosis, so that the test does not lean on the code it is meant to inform.
import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

/// A network drawn at a random integer point, with the residual rank prescribed by construction.
struct ResidualCase: CustomStringConvertible, Sendable {
    let widths: [Int]
    let samples: Int
    let seed: UInt64

    var description: String { "widths \(widths), N = \(samples), seed \(seed)" }

    /// Depths 2, 3 and 4; bottlenecks below K and d (first, middle and last hidden layer); N below d.
    static let table: [ResidualCase] = [
        ResidualCase(widths: [4, 3, 4], samples: 6, seed: 41),          // L = 2
        ResidualCase(widths: [4, 2, 5], samples: 5, seed: 42),          // L = 2, bottleneck 2 < s = 4
        ResidualCase(widths: [4, 3, 3, 4], samples: 5, seed: 43),       // L = 3
        ResidualCase(widths: [4, 4, 2, 4], samples: 6, seed: 44),       // L = 3, last hidden layer the bottleneck
        ResidualCase(widths: [4, 2, 4, 4], samples: 6, seed: 45),       // L = 3, first hidden layer the bottleneck
        ResidualCase(widths: [5, 3, 4, 4], samples: 3, seed: 46),       // L = 3, N < d: r = 3
        ResidualCase(widths: [3, 3, 2, 3, 3], samples: 4, seed: 47),    // L = 4, middle bottleneck
        ResidualCase(widths: [4, 3, 3, 3, 4], samples: 5, seed: 48),    // L = 4
    ]
}

@Suite struct NonGenericResidualTests {
    static func randomMatrix(_ rows: Int, _ columns: Int, _ stream: inout SplitMix64) -> IntegerMatrix {
        var m = IntegerMatrix(rows: rows, columns: columns)
        for i in 0..<rows { for j in 0..<columns { m[i, j] = stream.uniform(in: -16...16) } }
        return m
    }

    /// W^{k:l} = W_k ... W_l for 1 <= l <= k <= L (1-based, as in proofs/).
    static func product(_ weights: [IntegerMatrix], from l: Int, through k: Int) -> IntegerMatrix {
        (l...k).dropFirst().reduce(weights[l - 1]) { partial, layer in weights[layer - 1] * partial }
    }

    static func rank(_ m: IntegerMatrix) throws -> Int { try CertifiedRank.rank(of: m).rank }

    /// The failed conditions C1 and C2 of proofs/genericity.md, in words (empty when both hold): every partial
    /// product W^{k:l} has rank min(M_{l-1}, ..., M_k), and every W^{k:1} X^T has rank min(r, M_1, ..., M_k).
    static func failedConditions(_ problem: Problem) throws -> [String] {
        let widths = problem.architecture.widths, depth = problem.architecture.depth
        let r = try rank(problem.x)
        var failed: [String] = []
        for l in 1...depth {
            for k in l...depth {
                let expected = widths[(l - 1)...k].min()!
                let actual = try rank(product(problem.weights, from: l, through: k))
                if actual != expected { failed.append("rank W^{\(k):\(l)} = \(actual) < \(expected)") }
            }
        }
        for k in 1...depth {
            let expected = min(r, widths[1...k].min()!)
            let actual = try rank(product(problem.weights, from: 1, through: k) * problem.x.transposed)
            if actual != expected { failed.append("rank W^{\(k):1} X^T = \(actual) < \(expected)") }
        }
        return failed
    }

    /// Certified ranks of H_O, H_F, H_L.
    static func ranks(_ problem: Problem) throws -> (outer: Int, functional: Int, loss: Int) {
        let h = StructuredHessian(problem)
        return (try CertifiedRank.rank(of: h.source(for: .outer)).rank,
                try CertifiedRank.rank(of: h.source(for: .functional)).rank,
                try CertifiedRank.rank(of: h.source(for: .loss)).rank)
    }

    /// For each s' with 0 < s' < s: targets Y = F - E with F = X (W^{L:1})^T the predictions and E = U V^T a
    /// residual of rank s' (U: N x s', V: K x s', random integers). Then Omega = W^{L:1} X^T X - Y^T X = E^T X =
    /// V (U^T X), of rank s' when V and U^T X have rank s' (checked, certified). At such a point C1 and C2 hold
    /// (checked), rank H_O equals the outer theorem's value, and the certified ranks of H_F and H_L equal
    /// `nonGenericResidual(residualRank: s')`. For L = 2 that value is proved (2 M_1 s'); for L >= 3 it is the
    /// statement's conjecture, observed here at random points.
    @Test(arguments: ResidualCase.table)
    func conjectureAtEveryIntermediateResidualRank(_ c: ResidualCase) throws {
        let drawn = try Generator.draw(Architecture(widths: c.widths), samples: c.samples, seed: c.seed)
        let r = try Self.rank(drawn.x)
        let formulas = LinearNetworkFormulas(widths: c.widths, dataRank: r)
        let (n, k) = (c.samples, c.widths.last!)
        #expect(formulas.s >= 2, "\(c): no rank strictly between 0 and s = \(formulas.s)")
        let f = drawn.x * Self.product(drawn.weights, from: 1, through: c.widths.count - 1).transposed
        var stream = SplitMix64(seed: c.seed, stream: 101)
        for sPrime in 1..<formulas.s {
            let u = Self.randomMatrix(n, sPrime, &stream), v = Self.randomMatrix(k, sPrime, &stream)
            let problem = try Problem(architecture: drawn.architecture, weights: drawn.weights, x: drawn.x,
                                      y: f - u * v.transposed)
            let label = "\(c), s' = \(sPrime)"
            // Omega by construction, against the structured Hessian's Omega; its rank certified.
            let omega = v * (u.transposed * drawn.x)
            #expect(StructuredHessian(problem).omega == omega, "\(label): Omega != V U^T X")
            #expect(try Self.rank(omega) == sPrime, "\(label): rank Omega != s' (redraw U, V)")
            let failed = try Self.failedConditions(problem)
            #expect(failed.isEmpty, "\(label): \(failed)")
            let ranks = try Self.ranks(problem)
            let variant = formulas.nonGenericResidual(residualRank: sPrime)
            #expect(ranks.outer == formulas.outer.value, "\(label): H_O \(ranks.outer) != \(formulas.outer.value)")
            #expect(ranks.functional == variant.functional.value,
                    "\(label): H_F \(ranks.functional) != conjecture \(variant.functional.value)")
            #expect(ranks.loss == variant.loss.value, "\(label): H_L \(ranks.loss) != conjecture \(variant.loss.value)")
            // Not vacuous: s' changes the value compared with (it is neither the exact minimum's nor the generic one).
            #expect(variant.functional.value != 0 && variant.functional.value != formulas.functional.value, "\(label)")
        }
    }

    /// The network of the referee's counterexample: widths 2,2,2,3 (L = 3), W_1 = I, W_2 = [[1,1],[0,1]],
    /// W_3 = [[1,0],[0,1],[1,1]], X = [[1,0],[0,1],[1,1]] (r = 2, s = q = 2).
    static func refereeNetwork(targets y: [[Int]]) throws -> Problem {
        try Problem(architecture: Architecture(widths: [2, 2, 2, 3]),
                    weights: [IntegerMatrix([[1, 0], [0, 1]]), IntegerMatrix([[1, 1], [0, 1]]),
                              IntegerMatrix([[1, 0], [0, 1], [1, 1]])],
                    x: IntegerMatrix([[1, 0], [0, 1], [1, 1]]), y: IntegerMatrix(y))
    }

    /// C1-C3 hold, yet rank H_F = 10 < 12 (the L >= 3 bound) and rank H_L = 13 < 14. With
    /// Y = [[2,0,0],[1,2,2],[4,2,1]], Omega = [[-3,-2],[-1,-2],[3,2]] has rank 2 = s but Omega^T W_3[:,0] = 0. The
    /// values 10 and 13 were computed independently of HessianRank (exact second differences of the loss in rational
    /// arithmetic, and sympy); rank H_O = 6 = q (r + K - q).
    @Test func fullResidualRankBelowTheBound() throws {
        let problem = try Self.refereeNetwork(targets: [[2, 0, 0], [1, 2, 2], [4, 2, 1]])
        let h = StructuredHessian(problem)
        #expect(h.omega == IntegerMatrix([[-3, -2], [-1, -2], [3, 2]]))
        #expect(try Self.rank(h.omega) == 2)
        #expect((h.omega.transposed * IntegerMatrix([[1], [0], [1]])).isZero)
        #expect(try Self.failedConditions(problem).isEmpty)
        let formulas = LinearNetworkFormulas(widths: [2, 2, 2, 3], dataRank: 2)
        #expect([formulas.outer.value, formulas.functional.value, formulas.loss.value] == [6, 12, 14])
        let ranks = try Self.ranks(problem)
        #expect([ranks.outer, ranks.functional, ranks.loss] == [6, 10, 13])
    }

    /// The same mechanism at rank Omega = 1 < s = 2: with the residual E = e_1 v^T, v = (1, 0, -1), orthogonal to
    /// W_3[:,0] = (1, 0, 1), the targets are Y = F - E = [[0,0,2],[1,1,2],[2,1,3]] and Omega = v x_1^T =
    /// [[1,0],[0,0],[-1,0]]. C1 and C2 hold and rank Omega = 1, yet rank H_F = 6 < 7 and rank H_L = 11 < 12, the
    /// values of `nonGenericResidual(residualRank: 1)`: the statement's implication fails for L = 3, so it can only
    /// hold at generic points. 6 and 11 were computed independently of HessianRank (exact second differences of the
    /// loss). With v = (1, 1, 0) instead (Omega^T W_3 without a zero column) the ranks are the conjecture's 7 and 12.
    @Test func intermediateResidualRankBelowTheConjecture() throws {
        let formulas = LinearNetworkFormulas(widths: [2, 2, 2, 3], dataRank: 2)
        let variant = formulas.nonGenericResidual(residualRank: 1)
        #expect([variant.functional.value, variant.loss.value] == [7, 12])

        let special = try Self.refereeNetwork(targets: [[0, 0, 2], [1, 1, 2], [2, 1, 3]])
        let omega = StructuredHessian(special).omega
        #expect(omega == IntegerMatrix([[1, 0], [0, 0], [-1, 0]]))
        #expect(try Self.rank(omega) == 1)
        #expect(try Self.failedConditions(special).isEmpty)
        let below = try Self.ranks(special)
        #expect([below.outer, below.functional, below.loss] == [6, 6, 11])

        // v = (1, 1, 0): Y = F - e_1 v^T = [[0,-1,1],[1,1,2],[2,1,3]], Omega = [[1,0],[1,0],[0,0]].
        let ordinary = try Self.refereeNetwork(targets: [[0, -1, 1], [1, 1, 2], [2, 1, 3]])
        #expect(StructuredHessian(ordinary).omega == IntegerMatrix([[1, 0], [1, 0], [0, 0]]))
        let equal = try Self.ranks(ordinary)
        #expect([equal.outer, equal.functional, equal.loss] == [6, 7, 12])
    }
}
