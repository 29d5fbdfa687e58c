import HessianCore
import NumericalAlgebra
import Testing

@Suite struct CalibrationTests {
    static let rules = RankRule.standard(absolute: 1e-8)

    /// On well-conditioned seeded cases (the first three of the default grid), numpy's default rule reads the
    /// exact rank off the float spectrum, for linear and ReLU networks and every part.
    @Test(arguments: [Activation.linear, .relu])
    func defaultRuleMatchesExactRank(_ activation: Activation) throws {
        for c in CalibrationGrid.cases(preset: "default", seed: 1)!.prefix(3) {
            let result = try Calibrator.run(c, activation: activation, rules: Self.rules)
            for part in result.parts {
                #expect(part.reference == .exact)
                let numpy = try #require(part.outcomes.first { $0.rule == .numpyDefault })
                #expect(numpy.rank == part.referenceRank, "\(c.architecture) \(activation) \(part.part.symbol), seed \(result.seed)")
                #expect(part.spectrum.count == c.architecture.parameterCount)
            }
        }
    }

    /// For linear networks the exact reference is the rank of the scaled problem, which must equal the rank the
    /// exact path reports for the unscaled integer problem (scaling by powers of two per layer keeps the rank).
    @Test func scalingKeepsTheRank() throws {
        let c = CalibrationGrid.cases(preset: "default", seed: 1)![1]
        let calibrated = try Calibrator.run(c, activation: .linear, rules: Self.rules)
        guard case .drawn(let distribution) = c.data else { Issue.record("the default grid draws its data"); return }
        let problem = try Generator.draw(c.architecture, samples: c.samples, data: distribution, seed: calibrated.seed)
        let analysis = try Analyzer.analyze(problem, seed: calibrated.seed, options: RankOptions(certify: true))
        for part in calibrated.parts { #expect(part.referenceRank == analysis.part(part.part).rank.rank, "\(part.part)") }
    }

    /// tanh has no exact rank: the reference is the formula.
    @Test func tanhUsesTheFormula() throws {
        let c = CalibrationGrid.cases(preset: "default", seed: 1)![0]
        let result = try Calibrator.run(c, activation: .tanh, rules: Self.rules)
        #expect(result.parts.allSatisfy { $0.reference == .formula && $0.referenceRank == $0.formula })
    }

    @Test func recommendationPrefersAgreementThenMargin() {
        let summaries = [
            RuleSummary(rule: .numpyDefault, agreements: 9, total: 10, smallestMargin: 3),
            RuleSummary(rule: .largestGap, agreements: 10, total: 10, smallestMargin: 1),
            RuleSummary(rule: .relative(exponent: 8), agreements: 10, total: 10, smallestMargin: 2),
        ]
        #expect(CalibrationSummary.recommended(summaries)?.rule == .relative(exponent: 8))
    }

    @Test func presets() {
        #expect(CalibrationGrid.cases(preset: "default", seed: 1)?.count == 10)
        let paper = CalibrationGrid.cases(preset: "paper", seed: 1)!
        #expect(paper.map(\.architecture.widths) == [[64, 4, 4, 10], [64, 8, 8, 10], [64, 16, 16, 10]])
        #expect(paper.allSatisfy { $0.data == .drawn(.uniform01) && $0.samples == 100 })
        #expect(CalibrationGrid.cases(preset: "nope", seed: 1) == nil)
    }
}
