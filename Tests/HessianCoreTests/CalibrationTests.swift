import ExactAlgebra
import HessianCore
import NumericalAlgebra
import RankFormulas
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

    /// The verdicts, on ranges and ranks chosen here: equal to an exact rank (or inside an exact interval) is right,
    /// inside a wider interval undecided, outside wrong by the distance to the nearest end.
    @Test func verdictsAgainstARange() {
        #expect(RuleVerdict.judge(15, lower: 15, upper: 15) == .right)
        #expect(RuleVerdict.judge(14, lower: 15, upper: 15) == .wrong(by: 1))
        #expect(RuleVerdict.judge(18, lower: 18, upper: 24) == .undecided)
        #expect(RuleVerdict.judge(24, lower: 18, upper: 24) == .undecided)
        #expect(RuleVerdict.judge(25, lower: 18, upper: 24) == .wrong(by: 1))
        #expect(RuleVerdict.judge(10, lower: 18, upper: 24) == .wrong(by: 8))
        #expect(RuleVerdict.wrong(by: 8).miss == 8 && RuleVerdict.undecided.miss == nil && RuleVerdict.right.miss == nil)
    }

    /// tanh has no exact rank: the reference is the certified interval of the same float Hessian. The 3,3,2 network
    /// at N = 6 has p = 3 * 3 + 3 * 2 = 15 parameters, so rank H_L <= 15 by construction; its H_L is nonsingular (a
    /// 15 x 15 minor proven so), so the interval is [15, 15]. A rule reading 15 is right; a rule whose threshold is
    /// put between the 14th and 15th eigenvalue reads 14 and is wrong by 1; the (larger) formula column, 14 here, is
    /// only a comparison.
    @Test func tanhIsJudgedByItsCertifiedInterval() throws {
        let architecture = try Architecture(widths: [3, 3, 2])
        let c = CalibrationCase(architecture: architecture, samples: 6, data: .drawn(.integer), seed: 1)
        let result = try Calibrator.run(c, activation: .tanh, parts: [.loss], rules: Self.rules)
        let loss = try #require(result.parts.first)
        #expect(loss.reference == .interval && loss.referenceRank == nil)
        let interval = try #require(loss.interval)
        #expect(interval.upper.value == 15 && interval.upper.statement == "parameters")
        #expect(interval.lower == 15 && interval.isExact)
        #expect(result.dataRank == 3 && loss.formula == 14, "the linear formula for 3,3,2 with r = 3: below p")
        // numpy's default reads p off this well-separated spectrum (its margin is many decades).
        let numpy = try #require(loss.outcomes.firstIndex { $0.rule == .numpyDefault })
        #expect(loss.outcomes[numpy].rank == 15 && loss.verdicts[numpy] == .right)
        for (outcome, verdict) in zip(loss.outcomes, loss.verdicts) {
            #expect(verdict == (outcome.rank == 15 ? .right : .wrong(by: abs(15 - outcome.rank))), "\(outcome.rule)")
        }
        // A threshold between the 14th and 15th |eigenvalue|: rank 14, one below the interval.
        let s = loss.spectrum
        let cut = (s[13] * s[14]).squareRoot()
        let again = try Calibrator.run(c, activation: .tanh, parts: [.loss], rules: [.absolute(cut), .numpyDefault])
        let part = try #require(again.parts.first)
        #expect(part.spectrum == s, "the same draw, the same float Hessian")
        #expect(part.outcomes.map(\.rank) == [14, 15])
        #expect(part.verdicts == [.wrong(by: 1), .right])
        let summary = CalibrationSummary.summarize([again], rules: [.absolute(cut), .numpyDefault])
        #expect(summary.map(\.agreements) == [0, 1] && summary.map(\.wrong) == [1, 0])
        #expect(summary.map(\.largestMiss) == [1, 0] && summary.map(\.undecided) == [0, 0])
        #expect(CalibrationSummary.recommended(summary)?.rule == .numpyDefault)
    }

    /// An interval that is not exact: H_O of the tanh network 8,2,6,4 at N = 10 (seed 7) is bounded above only by
    /// N K = 40 (`jacobian-rows`), and the balls prove 38, so its interval is [38, 40]. Every rule inside it is
    /// undecided, never right; one outside is wrong by its distance to the interval. (Under cross-entropy a linear
    /// network's H_L closes on the cited bound read on the K - 1 network, so the open interval is a tanh one.)
    @Test func ruleInsideAnOpenIntervalIsUndecided() throws {
        let architecture = try Architecture(widths: [8, 2, 6, 4])
        let c = CalibrationCase(architecture: architecture, samples: 10, data: .drawn(.integer), seed: 7)
        let result = try Calibrator.run(c, activation: .tanh, loss: .mse, rules: Self.rules)
        let outer = try #require(result.parts.first { $0.part == .outer })
        let interval = try #require(outer.interval)
        #expect(!interval.isExact && interval.lower < interval.upper.value)
        #expect(interval.upper == UpperBound(value: 40, statement: "jacobian-rows", basis: .provedHere))
        for (outcome, verdict) in zip(outer.outcomes, outer.verdicts) {
            let expected: RuleVerdict = outcome.rank < interval.lower ? .wrong(by: interval.lower - outcome.rank)
                : outcome.rank > interval.upper.value ? .wrong(by: outcome.rank - interval.upper.value) : .undecided
            #expect(verdict == expected, "\(outcome.rule): rank \(outcome.rank) against \(interval.lower)...\(interval.upper.value)")
        }
        #expect(outer.verdicts.contains(.undecided))
        // A threshold of 1e300 reads rank 0: wrong, by the interval's lower end.
        let zero = try Calibrator.run(c, activation: .tanh, loss: .mse, parts: [.outer], rules: [.absolute(1e300)])
        #expect(zero.parts[0].verdicts == [.wrong(by: interval.lower)])
        // H_O of a linear network is exact under any loss.
        let linear = try Calibrator.run(c, activation: .linear, loss: .crossEntropy, parts: [.outer], rules: Self.rules)
        let exact = try #require(linear.parts[0].interval)
        #expect(exact.isExact && exact.precision == nil)
    }

    /// Cross-entropy's targets are one-hot rows (the loss's targets, `Generator.drawForLoss`'s), unscaled.
    @Test func crossEntropyTargetsAreOneHot() {
        let y = Generator.targetsForLoss(.crossEntropy, samples: 9, outputs: 3, seed: 4)
        for n in 0..<9 {
            let row = (0..<3).map { y.decimal(n, $0) }
            #expect(row.filter { $0 == "1" }.count == 1 && row.filter { $0 == "0" }.count == 2)
        }
        let problem = try? Generator.drawForLoss(try! Architecture(widths: [4, 3]), samples: 9, loss: .crossEntropy, seed: 4)
        #expect(problem?.y == y)
    }

    @Test func recommendationPrefersAgreementThenMargin() {
        let summaries = [
            RuleSummary(rule: .numpyDefault, agreements: 9, total: 10, smallestMargin: 3),
            RuleSummary(rule: .largestGap, agreements: 10, total: 10, smallestMargin: 1),
            RuleSummary(rule: .relative(exponent: 8), agreements: 10, total: 10, smallestMargin: 2),
        ]
        #expect(CalibrationSummary.recommended(summaries)?.rule == .relative(exponent: 8))
    }

    /// A linear CNN (biases, stride 2): the reference of each part is the exact rank of the matched integer problem
    /// (certified here), whose Hessians the float ones rescale by powers of two; it never exceeds the part's proven
    /// upper bound; the spectrum has p values; there is no formula; numpy's default reads the reference.
    @Test func convolutionalReferenceIsTheExactRankOfTheScaledHessian() throws {
        let architecture = try ConvolutionalArchitecture(input: "2x12", layers: "conv:3:4:same:bias,conv:3:3:s2:bias,dense:5:bias")
        let c = ConvolutionalNetworkCase(architecture: architecture, samples: 6, seed: 3)
        let result = try Calibrator.run(c, rules: Self.rules)
        #expect(result.activation == .linear && result.loss == .mse && result.seed == 3 && result.network == .convolutional(c))
        // a_t = 4 + ceil(log2 sqrt(fan-in)): fan-ins 2 * 4, 3 * 3 and 3 * 5 (the second convolution's output: 3 x 5);
        // for 1x8x8 conv:2:3:same,dense:10, 1 * 3 * 3 and 2 * 8 * 8.
        #expect(result.scaling == FloatScaling(weights: [6, 6, 6], data: 4, targets: 4))
        let wide = try ConvolutionalArchitecture(input: "1x8x8", layers: "conv:2:3:same,dense:10")
        #expect(Calibrator.scaling(wide) == FloatScaling(weights: [6, 8], data: 4, targets: 4))
        let problem = try ConvolutionalProblem.draw(architecture, samples: 6, seed: 3)
        let s = result.scaling
        let exact = ParametrizedLinearHessian(ParametrizedHessians.matchedProblem(problem, weightExponents: s.weights,
                                                                                 dataExponent: s.data, targetExponent: s.targets))
        for part in result.parts {
            let certified = try CertifiedRank.rank(of: exact.rankSource(for: part.part)).rank
            #expect(part.reference == .exact && part.referenceRank == certified, "\(part.part)")
            let bound = try #require(part.upperBound)
            #expect(certified <= bound.value && part.formula == nil)
            #expect(part.spectrum.count == architecture.parameterCount)
            let numpy = try #require(part.outcomes.firstIndex { $0.rule == .numpyDefault })
            #expect(part.verdicts[numpy] == .right, "\(part.part)")
            for (outcome, verdict) in zip(part.outcomes, part.verdicts) {
                #expect(verdict == (outcome.rank == certified ? .right : .wrong(by: abs(outcome.rank - certified))))
            }
        }
    }

    @Test func presets() {
        #expect(CalibrationGrid.cases(preset: "default", seed: 1)?.count == 10)
        #expect(CalibrationGrid.cases(preset: "conv", seed: 1) == nil && CalibrationGrid.presets.contains("conv"))
        // conv: the fixtures' six networks at the same seeds, then six larger ones, up to p = 612.
        let conv = CalibrationGrid.convolutionCases(seed: 5, bias: false)
        let fixtures = FixturePresets.convolutionCases(seed: 5, bias: false)
        #expect(conv.count == 12)
        #expect(zip(conv, fixtures).allSatisfy { $0.architecture == $1.architecture && $0.samples == $1.samples && $0.seed == $1.seed })
        #expect(conv.map(\.architecture.parameterCount).max() == 612 && conv.map(\.seed) == (5...16).map(UInt64.init))
        #expect(CalibrationGrid.convolutionCases(seed: 5, bias: true).allSatisfy { $0.architecture.layers.allSatisfy(\.bias) })
        let paper = CalibrationGrid.cases(preset: "paper", seed: 1)!
        #expect(paper.map(\.architecture.widths) == [[64, 4, 4, 10], [64, 8, 8, 10], [64, 16, 16, 10]])
        #expect(paper.allSatisfy { $0.data == .drawn(.uniform01) && $0.samples == 100 })
        #expect(CalibrationGrid.cases(preset: "nope", seed: 1) == nil)
    }
}
