import ExactAlgebra
import HessianCore
import HessianReference
import Testing

/// Every construction behind the one seam (`ExactHessians.build`) against the independent routes of the reference
/// module: the direct route (per-sample automatic differentiation in Int128) and exact finite differences of network
/// evaluations with the activation pattern frozen at the point. Both sides build b^(2(L-1)) H for leaky-relu:a/b
/// (proofs/leaky-relu.md), with biases in PyTorch's order (proofs/bias-network.md).
@Suite struct ExactHessianSeamTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let widths: [Int]
        let samples: Int
        let bias: Bool
        let activation: Activation
        var testDescription: String { "\(widths) N=\(samples)\(bias ? " bias" : "") \(activation)" }
    }

    static let activations: [Activation] = [
        .linear, .relu, .leakyReLU(try! Slope(1, 8)), .leakyReLU(try! Slope(-1, 2)), .leakyReLU(try! Slope(2, 3)),
    ]

    static let cases: [Case] = [([3, 2], 4), ([3, 2, 2], 4), ([2, 3, 1, 2], 3), ([4, 2, 3], 5), ([6, 4, 3], 9)].flatMap { shape in
        [false, true].flatMap { bias in activations.map { Case(widths: shape.0, samples: shape.1, bias: bias, activation: $0) } }
    }

    /// The first draw off every kink (as the tool's own draws do), with its seed.
    static func problem(_ c: Case) throws -> Problem {
        try KinkRedraw.first(seed: 11, what: c.testDescription) { seed in
            let problem = try Generator.draw(Architecture(widths: c.widths, bias: c.bias), samples: c.samples, seed: seed)
            _ = try ExactHessians.build(problem, activation: c.activation)
            return problem
        }.value
    }

    static func rows(_ entries: [Int128], _ p: Int) -> [[String]] {
        (0..<p).map { u in (0..<p).map { v in String(entries[u * p + v]) } }
    }

    @Test(arguments: cases)
    func producerEqualsDirectRoute(_ c: Case) throws {
        let problem = try Self.problem(c)
        let hessian = try ExactHessians.build(problem, activation: c.activation)
        let network = try #require(problem.referenceNetwork)
        let reference = try #require(c.activation.reference)
        let direct = try DirectHessian.compute(network, activation: reference)
        let p = problem.parameterCount
        #expect(direct.parameterCount == p)
        for part in HessianPart.allCases {
            #expect(hessian.exactMatrix(part).decimalRows == Self.rows(direct.entries(part), p), "\(c): \(part.symbol)")
        }
        // Not vacuous: H_O is never zero here, and H_F vanishes only for L = 1 (relu may switch a whole width-1
        // layer off at a draw: then both vanish, and the equality above is all there is to check).
        if c.activation != .relu {
            #expect(!hessian.exactMatrix(.outer).isZero, "\(c)")
            #expect(hessian.exactMatrix(.functional).isZero == (c.widths.count == 2), "\(c)")
        }
    }

    /// Exact finite differences: a third route, with no derivative rule (small cases: O(N p^3)).
    @Test(arguments: cases.filter { $0.widths.reduce(0, +) <= 9 })
    func producerEqualsFiniteDifferences(_ c: Case) throws {
        let problem = try Self.problem(c)
        let hessian = try ExactHessians.build(problem, activation: c.activation)
        let network = try #require(problem.referenceNetwork)
        let differences = try FiniteDifferenceHessian.compute(network, activation: try #require(c.activation.reference))
        let p = problem.parameterCount
        #expect(hessian.exactMatrix(.outer).decimalRows == Self.rows(differences.outer, p), "\(c)")
        #expect(hessian.exactMatrix(.functional).decimalRows == Self.rows(differences.functional, p), "\(c)")
        #expect(hessian.exactMatrix(.loss).decimalRows == Self.rows(differences.lossFromLoss, p), "\(c)")
    }

    /// The analysis ranks what the seam builds: its ranks equal the certified ranks of the direct route's matrices.
    @Test(arguments: cases.filter { $0.widths == [6, 4, 3] })
    func analysisRanksEqualCertifiedRanksOfDirectRoute(_ c: Case) throws {
        let problem = try Self.problem(c)
        let analysis = try Analyzer.analyze(problem, seed: 11, options: RankOptions(certify: true, activation: c.activation))
        let direct = try DirectHessian.compute(try #require(problem.referenceNetwork), activation: try #require(c.activation.reference))
        for part in HessianPart.allCases {
            let matrix = try #require(IntegerMatrix(decimalRows: Self.rows(direct.entries(part), problem.parameterCount)))
            #expect(analysis.part(part).rank.rank == (try CertifiedRank.rank(of: matrix).rank), "\(c): \(part.symbol)")
        }
    }

    /// Slope 0 is relu, and the slope enters the ranks: a leaky network at the point of a relu one has other ranks
    /// (relu masks units, leaky ones do not).
    @Test func slopeZeroIsReLU() throws {
        let problem = try Self.problem(Case(widths: [6, 4, 3], samples: 9, bias: true, activation: .relu))
        let relu = try ExactHessians.build(problem, activation: .relu)
        let zero = try ExactHessians.build(problem, activation: .leakyReLU(try Slope(0, 1)))
        for part in HessianPart.allCases { #expect(relu.exactMatrix(part).decimalRows == zero.exactMatrix(part).decimalRows) }
    }

    /// The construction chosen per network: reduced for linear bias-free networks (unless full matrices), the
    /// augmented network's principal submatrices with biases, per-sample blocks with kinks.
    @Test func constructionChoice() throws {
        let plain = try Generator.draw(Architecture(widths: [4, 3, 2]), samples: 5, seed: 1)
        let biased = try Generator.draw(Architecture(widths: [4, 3, 2], bias: true), samples: 5, seed: 1)
        #expect(try ExactHessians.build(plain, activation: .linear, reduce: true) is ReducedHessian)
        #expect(try ExactHessians.build(plain, activation: .linear) is StructuredHessian)
        #expect(try ExactHessians.build(plain, activation: .relu) is PiecewiseLinearHessian)
        #expect(try ExactHessians.build(biased, activation: .linear, reduce: true) is AugmentedHessian<StructuredHessian>)
        #expect(try ExactHessians.build(biased, activation: .relu) is AugmentedHessian<PiecewiseLinearHessian>)
        #expect(biased.parameterCount == 4 * 3 + 3 + 3 * 2 + 2)
    }
}
