import ExactAlgebra
import HessianCore
import HessianReference
import Testing

@Suite struct StructuredHessianTests {
    /// Construction (a), from products and Sxx, Syx, equals construction (b), per-sample automatic differentiation
    /// in Int128, entry for entry, for each part; (b) equals a third route, exact finite differences of network
    /// evaluations; and the Hessian of the loss taken from the loss itself equals H_O + H_F (the decomposition).
    @Test(arguments: SmallCase.table)
    func structuredEqualsDirect(_ c: SmallCase) throws {
        let problem = try c.problem()
        let structured = StructuredHessian(problem)
        let network = try #require(problem.referenceNetwork)
        let direct = try DirectHessian.compute(network)
        let differences = try FiniteDifferenceHessian.compute(network)
        let p = problem.parameterCount
        for part in HessianPart.allCases {
            let exact = structured.exactMatrix(part)
            let reference = direct.entries(part)
            var mismatches = 0
            for u in 0..<p { for v in 0..<p where exact.decimal(u, v) != String(reference[u * p + v]) { mismatches += 1 } }
            #expect(mismatches == 0, "\(c): \(part.symbol) differs in \(mismatches) entries")
        }
        #expect(direct.outer == differences.outer, "\(c): H_O by AD != by finite differences")
        #expect(direct.functional == differences.functional, "\(c): H_F by AD != by finite differences")
        #expect(differences.lossFromLoss == direct.loss, "\(c): Hessian of the loss != H_O + H_F")
        // Not vacuous: the Hessians are not zero (H_F is zero only for L = 1).
        #expect(!structured.exactMatrix(.outer).isZero, "\(c)")
        #expect(structured.exactMatrix(.functional).isZero == (problem.architecture.depth == 1), "\(c)")
    }

    /// The modular rank of the block description equals the certified rank of the direct construction.
    @Test(arguments: SmallCase.table)
    func modularRankMatchesCertifiedRankOfDirect(_ c: SmallCase) throws {
        let problem = try c.problem()
        let structured = StructuredHessian(problem)
        let direct = try DirectHessian.compute(try #require(problem.referenceNetwork))
        let p = problem.parameterCount
        for part in HessianPart.allCases {
            let entries = direct.entries(part)
            let rows = (0..<p).map { u in (0..<p).map { v in String(entries[u * p + v]) } }
            let matrix = try #require(IntegerMatrix(decimalRows: rows))
            #expect(ModularRank.rank(of: structured.source(for: part), primes: .given([SeededPrime.prime(c.seed)])).rank
                    == (try CertifiedRank.rank(of: matrix).rank), "\(c): \(part.symbol)")
        }
    }

    /// A hand-computed case: f(x) = w2 w1 x with scalars (widths 1,1,1), one sample x = 2, y = 3, w1 = 5, w2 = 7.
    /// f = 70, residual 67. J = [w2 x, w1 x] = [14, 10]; H_O = J^T J = [[196, 140], [140, 100]];
    /// d2f/dw1 dw2 = x = 2, so H_F = [[0, 134], [134, 0]]; H_L = [[196, 274], [274, 100]].
    @Test func scalarNetworkByHand() throws {
        let problem = try Problem(architecture: Architecture(widths: [1, 1, 1]),
                                  weights: [IntegerMatrix([[5]]), IntegerMatrix([[7]])],
                                  x: IntegerMatrix([[2]]), y: IntegerMatrix([[3]]))
        let h = StructuredHessian(problem)
        #expect(h.exactMatrix(.outer) == IntegerMatrix([[196, 140], [140, 100]]))
        #expect(h.exactMatrix(.functional) == IntegerMatrix([[0, 134], [134, 0]]))
        #expect(h.exactMatrix(.loss) == IntegerMatrix([[196, 274], [274, 100]]))
    }
}

@Suite struct JacobianTests {
    /// J^T J equals H_O entry for entry (linear: structured; ReLU: per-sample blocks), and rank J equals the rank of
    /// H_O, both certified.
    @Test(arguments: SmallCase.table)
    func jacobianSquaresToTheOuterPart(_ c: SmallCase) throws {
        let problem = try c.problem()
        let structured = StructuredHessian(problem)
        let j = structured.jacobian.exact
        #expect(j.transposed * j == structured.exactMatrix(.outer), "\(c)")
        #expect(try CertifiedRank.rank(of: structured.jacobian).rank == (try CertifiedRank.rank(of: structured.source(for: .outer)).rank), "\(c)")
        if let relu = try? PiecewiseLinearHessian(problem, activation: .relu) {
            let jr = relu.jacobian.exact
            #expect(jr.transposed * jr == relu.source(for: .outer).exact, "\(c) relu")
        }
    }
}

@Suite struct GenericModeTests {
    /// Over F_p the structured Hessian with every factor reduced equals the Hessian over Z of the same residues,
    /// reduced modulo p: entry for entry, for every part.
    @Test(arguments: SmallCase.table)
    func reducedFactorsGiveTheReducedHessian(_ c: SmallCase) throws {
        let prime = SeededPrime.prime(c.seed)
        let problem = try Generator.drawField(Architecture(widths: c.widths), samples: c.samples, prime: prime, seed: c.seed)
        let overZ = StructuredHessian(problem), overF = StructuredHessian(problem, modulus: prime)
        for part in HessianPart.allCases {
            let a = ModularMatrix(overZ.exactMatrix(part), prime: prime), b = overF.source(for: part).reduced(modulo: prime)
            let p = problem.parameterCount
            var mismatches = 0
            for i in 0..<p { for j in 0..<p where a[i, j] != b[i, j] { mismatches += 1 } }
            #expect(mismatches == 0, "\(c): \(part.symbol)")
        }
    }

    /// Generic mode on the paper's demo configuration gives the paper's ranks, with a Schwartz-Zippel bound.
    @Test func demoInGenericMode() throws {
        let prime = SeededPrime.prime(1)
        let problem = try Generator.drawField(Architecture(widths: [25, 5, 10, 10]), samples: 50, prime: prime, seed: 1)
        let a = try Analyzer.analyze(problem, seed: 1, options: RankOptions(fieldPrime: prime))
        #expect(a.parts.map(\.rank.rank) == [250, 150, 175])
        // K = 10 is not below the hidden widths, so H_L and H_O keep all 275 parameters; H_F's first layer (5 x 25)
        // only needs R^5 x col(Omega^T), 5 x 10, so H_F reduces to 50 + 50 + 100 = 200. Entries of the reduced
        // matrices have degree at most 6 L + 6 = 24: the bounds are 24 n / prime.
        #expect(a.parts.map(\.rank.errorBound) == [275, 275, 200].map { 24 * $0 / Double(prime) })
        #expect(a.parts.allSatisfy { $0.rank.method == .primeField })
    }
}
