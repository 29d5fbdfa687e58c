import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

@Suite struct AnalysisTests {
    /// The paper's demo configuration: the exact ranks are the paper's 150, 175, 250, certified.
    @Test func paperDemoCertified() throws {
        let problem = try Generator.draw(Architecture(widths: [25, 5, 10, 10]), samples: 50, seed: 1)
        let a = try Analyzer.analyze(problem, seed: 1, options: RankOptions(certify: true))
        #expect(a.diagnosis?.conditionsHold == true)
        #expect(a.diagnosis?.attainment(.outer) == .provenCondition("rank W^{L:1} X^T = q", holds: true))
        #expect([a.part(.outer).rank.rank, a.part(.functional).rank.rank, a.part(.loss).rank.rank] == [150, 175, 250])
        #expect(a.certified)
        #expect(a.parts.allSatisfy { $0.verdict == .equal })
    }

    /// A draw made non-generic by hand: W_1 and W_2 of rank 1 in a 2,2,2 network. Then rank H_O = 3, below the
    /// formula's 4: the differentials dW_2 W_1 + W_2 dW_1 span 2 + 2 - 1 = 3 dimensions (the overlap is
    /// col(W_2) x row(W_1)), and X (3 x 2, rank 2) maps them injectively. The verdict says "non-generic", not
    /// "counterexample": the condition proven to attain it, rank W^{2:1} X^T = q = 2, fails (the product has rank 1).
    @Test func nonGenericDrawIsDiagnosed() throws {
        let problem = try Problem(architecture: Architecture(widths: [2, 2, 2]),
                                  weights: [IntegerMatrix([[1, 2], [2, 4]]), IntegerMatrix([[1, -1], [2, -2]])],
                                  x: IntegerMatrix([[1, 0], [0, 1], [2, 3]]), y: IntegerMatrix([[1, 2], [3, -4], [0, 5]]))
        let a = try Analyzer.analyze(problem, seed: 1, options: RankOptions(certify: true))
        #expect(a.diagnosis?.conditionsHold == false)
        #expect(a.diagnosis?.failures.contains("C1: rank W^{1:1} = 1 < 2") == true)
        #expect(a.diagnosis?.attainment(.outer) == .provenCondition("rank W^{L:1} X^T = q", holds: false))
        #expect(a.part(.outer).rank.rank == 3)
        #expect(a.part(.outer).verdict == .belowNonGeneric)
        #expect(!a.parts.contains { $0.verdict.isFailure })
    }

    /// Data in the kernel of W_1 (found in review): every partial product has full rank and rank Omega = s, yet
    /// W_1 X^T = 0, so H_O loses rank (2 < 3 = formula). The proven condition rank W^{2:1} X^T = q fails, so the point
    /// is non-generic for H_O.
    @Test func dataInTheKernelOfTheFirstLayerIsNonGeneric() throws {
        let problem = try Problem(architecture: Architecture(widths: [3, 1, 2]),
                                  weights: [IntegerMatrix([[1, 1, 1]]), IntegerMatrix([[1], [2]])],
                                  x: IntegerMatrix([[1, -1, 0], [0, 1, -1]]), y: IntegerMatrix([[1, 2], [3, -4]]))
        let a = try Analyzer.analyze(problem, seed: 1, options: RankOptions(certify: true))
        #expect(a.diagnosis?.holds(.c1) == true)
        #expect(a.diagnosis?.failures.filter { $0.hasPrefix("C2") } == ["C2: rank W^{1:1} X^T = 0 < 1", "C2: rank W^{2:1} X^T = 0 < 1"])
        #expect(a.part(.outer).rank.rank == 2 && a.formulas.outer.value == 3)
        #expect(a.part(.outer).verdict == .belowNonGeneric)
    }

    /// At an exact minimum (targets Y = f(X)), Omega = 0, so H_F = 0 and H_L = H_O.
    @Test func exactMinimumHasZeroFunctionalPart() throws {
        let drawn = try Generator.draw(Architecture(widths: [3, 2, 2]), samples: 4, seed: 3)
        let fx = drawn.x * (drawn.weights[1] * drawn.weights[0]).transposed
        let problem = try Problem(architecture: drawn.architecture, weights: drawn.weights, x: drawn.x, y: fx)
        let h = StructuredHessian(problem)
        #expect(h.omega.isZero)
        #expect(h.exactMatrix(.functional).isZero)
        #expect(h.exactMatrix(.loss) == h.exactMatrix(.outer))
        let a = try Analyzer.analyze(problem, seed: 3, options: RankOptions(certify: true))
        #expect(a.diagnosis?.checks[.c3]?.first?.rank == 0)
        let variant = a.formulas.nonGenericResidual(residualRank: 0)
        #expect(a.part(.functional).rank.rank == variant.functional.value)
        #expect(a.part(.loss).rank.rank == variant.loss.value)
    }

    @Test func verdicts() {
        let holding = PointDiagnosis.Attainment.provenCondition("c", holds: true)
        let failing = PointDiagnosis.Attainment.provenCondition("c", holds: false)
        #expect(Verdict(rank: 5, value: 5, attainment: .unproven, conditionsHold: false) == .equal)
        #expect(Verdict(rank: 6, value: 5, attainment: holding, conditionsHold: true) == .above)
        #expect(Verdict(rank: 4, value: 5, attainment: failing, conditionsHold: true) == .belowNonGeneric)
        #expect(Verdict(rank: 4, value: 5, attainment: holding, conditionsHold: false) == .belowProvenAttained)
        #expect(Verdict(rank: 4, value: 5, attainment: .always, conditionsHold: false) == .belowProvenAttained)
        #expect(Verdict(rank: 4, value: 5, attainment: .unproven, conditionsHold: true) == .belowConditionsHold)
        #expect(Verdict(rank: 4, value: 5, attainment: .unproven, conditionsHold: false) == .belowConditionsFail)
        // No diagnosis (biases, piecewise-linear networks, user formulas there): a shortfall is undiagnosed.
        #expect(Verdict(rank: 4, value: 5, attainment: nil, conditionsHold: nil) == .belowUndiagnosed)
        // Bounds: within them with room, ABOVE an upper bound, below a lower one.
        #expect(Verdict(rank: 4, value: 5, relation: .atMost, attainment: nil, conditionsHold: nil) == .withinBound)
        #expect(Verdict(rank: 6, value: 5, relation: .atMost, attainment: nil, conditionsHold: true) == .above)
        #expect(Verdict(rank: 4, value: 5, relation: .atLeast, attainment: nil, conditionsHold: true) == .belowConditionsHold)
        #expect(Verdict(rank: 5, value: 5, relation: .atLeast, attainment: nil, conditionsHold: nil) == .equal)
        #expect(Verdict.allCases.filter(\.isFailure) == [.belowProvenAttained, .belowConditionsHold, .above, .belowUndiagnosed, .impossible])
        #expect(Verdict.allCases.filter(\.refutesForCertain) == [.above, .impossible])
        // A value above p (or N K for H_O) is attained nowhere; a bound from above is never impossible.
        #expect(Verdict.checked(.belowConditionsHold, value: 11, relation: .equal, structuralBound: 10) == .impossible)
        #expect(Verdict.checked(.belowConditionsHold, value: 10, relation: .equal, structuralBound: 10) == .belowConditionsHold)
        #expect(Verdict.checked(.withinBound, value: 11, relation: .atMost, structuralBound: 10) == .withinBound)
        #expect(Verdict.checked(.belowUndiagnosed, value: 11, relation: .atLeast, structuralBound: 10) == .impossible)
        #expect(Verdict.allCases.filter(\.isRedrawn) == [.belowConditionsHold, .belowConditionsFail, .belowUndiagnosed])
        #expect(!Verdict.allCases.contains { $0.rawValue.contains("generic draw") }, "no verdict calls a draw generic")
    }

    /// The built-in grid covers what the verify job promises.
    @Test func gridCoverage() {
        let cases = VerifyGrid.cases(seed: 7)
        #expect(cases.count >= 60)
        #expect(cases.map(\.seed) == (0..<UInt64(cases.count)).map { 7 + $0 }, "case i is drawn with seed + i")
        #expect(Set(cases.map(\.architecture.depth)) == Set(1...5))
        #expect(cases.allSatisfy { $0.architecture.inputWidth <= 12 || $0.architecture.widths == [25, 5, 10, 10] })
        #expect(Set(cases.map(\.architecture.outputWidth)).isSuperset(of: 1...6))
        #expect(cases.contains { $0.samples < $0.architecture.inputWidth })
        #expect(cases.contains { $0.dataRank != nil })
        #expect(cases.contains { c in (c.architecture.hiddenWidths.min() ?? .max) < min(c.architecture.inputWidth, c.architecture.outputWidth) })
        #expect(cases.contains { $0.architecture.widths == [25, 5, 10, 10] && $0.samples == 50 })
    }
}
