import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

/// Bias networks: the augmented construction against the loss itself, and the conjecture's bookkeeping.
@Suite struct BiasNetworkTests {
    /// A bias network evaluated directly, in Int, with its parameters in our order (per layer W_t row-major, then b_t).
    struct Direct {
        let widths: [Int]
        let x: [[Int]]
        let y: [[Int]]

        func layers(_ theta: [Int]) -> [(w: [[Int]], b: [Int])] {
            var offset = 0
            return (0..<(widths.count - 1)).map { t in
                let (rows, columns) = (widths[t + 1], widths[t])
                var w: [[Int]] = []
                for _ in 0..<rows {
                    w.append(Array(theta[offset..<(offset + columns)]))
                    offset += columns
                }
                let b = Array(theta[offset..<(offset + rows)])
                offset += rows
                return (w, b)
            }
        }

        func f(_ theta: [Int], _ input: [Int]) -> [Int] {
            layers(theta).reduce(input) { h, layer in
                zip(layer.w, layer.b).map { row, bias in zip(row, h).reduce(bias) { $0 + $1.0 * $1.1 } }
            }
        }

        /// 2 l(theta) = sum_n |f(x_n) - y_n|^2.
        func twiceLoss(_ theta: [Int]) -> Int {
            zip(x, y).reduce(0) { sum, sample in
                sum + zip(f(theta, sample.0), sample.1).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            }
        }
    }

    static func problem(_ widths: [Int], samples: Int, seed: UInt64) throws -> Problem {
        try Generator.draw(Architecture(widths: widths, bias: true), samples: samples, seed: seed)
    }

    static func hessian(_ problem: Problem) throws -> AugmentedHessian<StructuredHessian> {
        AugmentedHessian(StructuredHessian(problem.augmented), indices: problem.augmentedIndices)
    }

    static func rows(_ m: IntegerMatrix) -> [[Int]] { (0..<m.rowCount).map { i in (0..<m.columnCount).map { m[i, $0] } } }

    /// l has degree at most 2 in each parameter, so central differences give its Hessian exactly, and f is affine in
    /// each parameter, so forward differences give J exactly: H_L from the loss, H_O = sum_n J_n^T J_n, and
    /// H_F = H_L - H_O, compared entry for entry with the principal submatrices of the augmented network.
    @Test(arguments: [([3, 2], 4), ([3, 2, 2], 4), ([2, 3, 1, 2], 3), ([4, 2, 3], 2)])
    func augmentedConstructionEqualsTheLossItself(widths: [Int], samples: Int) throws {
        let bias = try Self.problem(widths, samples: samples, seed: 7)
        let direct = Direct(widths: widths, x: Self.rows(bias.x), y: Self.rows(bias.y))
        var theta: [Int] = []
        for (w, b) in zip(bias.weights, bias.biases) {
            for i in 0..<w.rowCount { theta += (0..<w.columnCount).map { w[i, $0] } }
            theta += (0..<b.rowCount).map { b[$0, 0] }
        }
        let p = bias.parameterCount
        #expect(theta.count == p)
        func shifted(_ moves: [(Int, Int)]) -> [Int] {
            var t = theta
            for (u, step) in moves { t[u] += step }
            return t
        }
        var loss = [[Int]](repeating: [Int](repeating: 0, count: p), count: p)
        for u in 0..<p {
            for v in 0..<p {
                let value = u == v
                    ? 4 * (direct.twiceLoss(shifted([(u, 1)])) - 2 * direct.twiceLoss(theta) + direct.twiceLoss(shifted([(u, -1)])))
                    : direct.twiceLoss(shifted([(u, 1), (v, 1)])) - direct.twiceLoss(shifted([(u, 1), (v, -1)]))
                        - direct.twiceLoss(shifted([(u, -1), (v, 1)])) + direct.twiceLoss(shifted([(u, -1), (v, -1)]))
                #expect(value % 8 == 0)
                loss[u][v] = value / 8
            }
        }
        var outer = [[Int]](repeating: [Int](repeating: 0, count: p), count: p)
        for sample in direct.x {
            let base = direct.f(theta, sample)
            let jacobian = (0..<p).map { u in zip(direct.f(shifted([(u, 1)]), sample), base).map { $0 - $1 } }
            for u in 0..<p { for v in 0..<p { outer[u][v] += zip(jacobian[u], jacobian[v]).reduce(0) { $0 + $1.0 * $1.1 } } }
        }
        let functional = zip(loss, outer).map { zip($0, $1).map { $0 - $1 } }
        let hessian = try Self.hessian(bias)
        #expect(Self.rows(hessian.exactMatrix(.loss)) == loss, "\(widths)")
        #expect(Self.rows(hessian.exactMatrix(.outer)) == outer, "\(widths)")
        #expect(Self.rows(hessian.exactMatrix(.functional)) == functional, "\(widths)")
        #expect(functional.joined().contains { $0 != 0 } == (widths.count > 2), "\(widths): H_F vanishes only for L = 1")
    }

    /// The modular rank of the principal submatrix equals the certified rank of the exact matrix.
    @Test func principalSubmatrixRanks() throws {
        let bias = try Self.problem([4, 3, 3, 2], samples: 6, seed: 3)
        let hessian = try Self.hessian(bias)
        var primes = SplitMix64(seed: 3, stream: 9)
        for part in HessianPart.allCases {
            #expect(ModularRank.rank(of: hessian.source(for: part), primes: .given([Primes.random(using: &primes)])).rank
                    == (try CertifiedRank.rank(of: hessian.exactMatrix(part)).rank), "\(part.symbol)")
        }
    }
}
