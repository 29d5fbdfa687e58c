import HessianCore
import RankFormulas
import Testing

/// The engine of `hessian-rank conjecture`, `verify` and `bias`: a proven formula passes on a grid, wrong ones are
/// refuted and shrunk to a minimal network whose ranks are worked out by hand, and the shrunk network is minimal (no
/// single shrink step still fails).
@Suite struct ConjectureCheckTests {
    let prime = SeededPrime.prime(14)

    func checker(_ texts: [FormulaPart: String], definitions: [String] = []) throws -> ConjectureCheck {
        let parsed = try FormulaDefinitions(parsing: definitions)
        let conjecture = Conjecture(name: "test", definitions: parsed,
                                    formulas: try texts.mapValues { try Formula(parsing: $0, definitions: parsed) })
        return ConjectureCheck(conjecture: conjecture, options: RankOptions(primes: .given([prime])), fieldPrime: prime)
    }

    func grid(depths: [Int] = [1, 2, 3], biases: [Bool] = [false]) throws -> [GridCase] {
        Array(try ConjectureGrid(inputs: IntegerSet([1, 2, 3]), depths: IntegerSet(depths), hidden: IntegerSet([1, 2, 3]),
                                 outputs: IntegerSet([1, 2, 3]), samples: IntegerSet([1, 2, 4]), dataRanks: .full,
                                 biases: biases, activations: [.linear], losses: [.mse], maximumParameters: 200).cases())
    }

    /// The first network of `cases` (network i drawn from seed + i) that fails.
    func firstFailure(_ check: ConjectureCheck, _ cases: [GridCase], seed: UInt64) throws -> CaseCheck? {
        for (i, c) in cases.enumerated() {
            let result = try check.check(c, seed: seed + UInt64(i))
            if result.failed { return result }
        }
        return nil
    }

    /// The H_O theorem and the proven L = 2 identity (statements/outer.md, functional-two-layers.md), written by hand
    /// in the language (the identity as a bound that is met at L = 2), hold at every network of a grid of 351 shapes
    /// (none fails, every formula has a value).
    @Test func provenFormulasPass() throws {
        let check = try checker([.outer: "q*(r + K - q)", .functional: "<= if L == 2 then 2*M_1*omega else p"])
        let cases = try grid()
        #expect(cases.count == 3 * 3 * 3 * (1 + 3 + 9))
        for (i, c) in cases.enumerated() {
            let result = try check.check(c, seed: 100 + UInt64(i))
            #expect(!result.failed && !result.hasError, "\(c)")
        }
    }

    /// A bound that misses the terms 2 q s - L q^2: at L = 2 the true H_F = 2 M_1 rank Omega exceeds 2 q M_1 when
    /// M_1 < s. The smallest such network is d = 2, M_1 = 1, K = 2, N = 2 (r = s = 2, q = 1): rank H_F = 2 * 1 * 2 = 4
    /// against the bound 2 * 1 * 1 = 2. Each single step smaller has M_1 >= s or L = 1, where the bound holds.
    @Test func violatedBoundIsShrunkToTheMinimalNetwork() throws {
        let check = try checker([.functional: "<= 2*q*sum(hidden)"])
        let failure = try #require(try firstFailure(check, try grid(depths: [3]), seed: 7))
        #expect(failure.refutedForCertain)
        let shrunk = check.shrink(failure)
        #expect(shrunk.minimal.gridCase == GridCase(architecture: try Architecture(widths: [2, 1, 2]), samples: 2,
                                                    dataRank: nil, activation: .linear, loss: .mse))
        let judged = try #require(shrunk.minimal.judgements.first)
        #expect((judged.rank, judged.value, judged.verdict) == (4, 2, .above))
        #expect(shrunk.path.first == failure.gridCase && shrunk.path.last == shrunk.minimal.gridCase)
        for smaller in shrunk.minimal.gridCase.shrinkSteps() {
            #expect(!(try check.check(smaller, seed: failure.seeds[0]).failed), "\(smaller) still fails")
        }
        // Certified at an integer point, the rank over Q is 4 > 2: a proof.
        let confirmed = try #require(check.confirm(shrunk.minimal))
        #expect(confirmed.analysis?.certified == true)
        #expect(confirmed.judgements.first?.rank == 4 && confirmed.judgements.first?.verdict == .above)
    }

    /// The paper notebook's typo: the functional formula summed over every width after the input, K included, which
    /// overstates H_F by 2 q K. At 3,1,1 with N = 3 (r = 3, s = q = 1) the true rank is 2 M_1 rank Omega = 2 (the L = 2
    /// identity, statements/functional-two-layers.md; Omega is a nonzero 1 x 3 matrix at a generic point) and the
    /// typo gives 2 (1 + 1) + 2 - 2 = 4 <= p = 4: a shortfall at every draw where C1-C4 hold, evidence. Shrunk, the
    /// smallest network is 1,1,1 with N = 1: rank 2, the typo 4 > p = 2, which no point attains (refuted for certain);
    /// the only smaller network is L = 1, where both sides are 0.
    @Test func notebookTypoIsRefutedAndShrunk() throws {
        let check = try checker([.functional: "if L == 1 then 0 else 2*q*sum(i = 1..L, M[i]) + 2*q*s - L*q^2"])
        let failure = try check.check(GridCase(architecture: try Architecture(widths: [3, 1, 1]), samples: 3, dataRank: nil,
                                               activation: .linear, loss: .mse), seed: 50)
        #expect(failure.seeds.count == ConjectureCheck.defaultRedraws + 1)
        #expect((failure.judgements[0].rank, failure.judgements[0].value, failure.judgements[0].verdict) == (2, 4, .belowConditionsHold))
        #expect(failure.failed && !failure.refutedForCertain)
        let shrunk = check.shrink(failure)
        #expect(shrunk.minimal.gridCase == GridCase(architecture: try Architecture(widths: [1, 1, 1]), samples: 1,
                                                    dataRank: nil, activation: .linear, loss: .mse))
        #expect((shrunk.minimal.judgements[0].rank, shrunk.minimal.judgements[0].value) == (2, 4))
        #expect(shrunk.minimal.judgements[0].verdict == .impossible && shrunk.minimal.refutedForCertain)
        for smaller in shrunk.minimal.gridCase.shrinkSteps() {
            #expect(!(try check.check(smaller, seed: failure.seeds[0]).failed), "\(smaller) still fails")
        }
        // At integer points the certified rank is 2, and 4 is still above p.
        let confirmed = try #require(check.confirm(shrunk.minimal))
        #expect(confirmed.refutedForCertain && confirmed.judgements[0].rank == 2)
    }

    /// A first failure refuted for certain is shrunk only through networks refuted for certain.
    @Test func certainRefutationsStayCertain() throws {
        let check = try checker([.functional: "<= 2*q*sum(hidden)"])
        let failure = try #require(try firstFailure(check, try grid(depths: [3]), seed: 7))
        #expect(check.shrink(failure).minimal.refutedForCertain)
    }

    /// The with-bias conjecture, through the engine, on bias networks of the grid: every rank equals its text's value
    /// (it was fitted on, and has held on, thousands of networks: statements/bias.md); and the paper's bias-free
    /// formula, read on a bias network, is refuted ABOVE (a bias adds rank).
    @Test func biasConjectureThroughTheEngine() throws {
        let bias = ConjectureCheck(conjecture: BuiltInConjectures.bias, options: RankOptions(primes: .given([prime])),
                                   fieldPrime: prime)
        let cases = try grid(depths: [1, 2], biases: [true])
        for (i, c) in cases.enumerated() {
            #expect(!(try bias.check(c, seed: 300 + UInt64(i)).failed), "\(c)")
        }
        // 2,2 with a bias, N = 4: H_O = H_L has rank rtilde K = 3 * 2 = 6 (an affine map of the 6 parameters), the
        // bias-free formula r K = 4.
        let paper = try checker([.outer: "q*(r + K - q)"])
        let result = try paper.check(GridCase(architecture: try Architecture(widths: [2, 2], bias: true), samples: 4,
                                              dataRank: nil, activation: .linear, loss: .mse), seed: 3)
        #expect((result.judgements[0].rank, result.judgements[0].value, result.judgements[0].verdict) == (6, 4, .above))
    }

    /// A formula with no value at some network (a division with a remainder) is an error there, not a verdict.
    @Test func formulaWithoutAValue() throws {
        let check = try checker([.outer: "K * r / 2"])
        let result = try check.check(GridCase(architecture: try Architecture(widths: [3, 1]), samples: 4, dataRank: nil,
                                              activation: .linear, loss: .mse), seed: 1)
        #expect(result.hasError && !result.failed)
        #expect(result.judgements[0].error?.message == "3 / 2 leaves a remainder (1): / is exact division; write (a - a % b) / b to round down")
    }

    /// ReLU networks are drawn as integers even in generic mode; a formula that uses omega has no value there.
    @Test func reluNetworksHaveNoOmega() throws {
        let check = try checker([.loss: "<= p", .outer: "omega"])
        let result = try check.check(GridCase(architecture: try Architecture(widths: [3, 2, 2]), samples: 4, dataRank: nil,
                                              activation: .relu, loss: .mse), seed: 1)
        #expect(result.judgements[0].verdict == .withinBound || result.judgements[0].verdict == .equal)
        #expect(result.judgements[1].error != nil)
        #expect(result.quantities.residualRank == nil)
    }

    /// Cross-entropy through certified intervals: a one-layer network 2,3 with N = 4 has rank H_O = r (K - 1) = 4
    /// (H_O = sum_n J_n^T A_n J_n with A_n of rank K - 1, statements/cross-entropy.md, exact by the K - 1 reduction);
    /// `Keff` reads it, the MSE value r K = 6 is refuted below, a bound one short is refuted ABOVE.
    @Test func crossEntropyThroughIntervals() throws {
        let network = GridCase(architecture: try Architecture(widths: [2, 3]), samples: 4, dataRank: nil, activation: .linear,
                               loss: .crossEntropy)
        let right = try checker([.outer: "r*Keff"]).check(network, seed: 5)
        #expect(right.intervals != nil && right.analysis == nil)
        #expect((right.judgements[0].rank, right.judgements[0].upper, right.judgements[0].verdict) == (4, 4, .equal))
        let mse = try checker([.outer: "r*K"]).check(network, seed: 5)
        #expect(mse.judgements[0].verdict == .belowUndiagnosed && mse.seeds.count == ConjectureCheck.defaultRedraws + 1)
        let short = try checker([.outer: "<= r*Keff - 1"]).check(network, seed: 5)
        #expect(short.refutedForCertain && short.seeds.count == 1)
    }

    /// Claims about a rank known to lie in [lower, upper]: decided only when the interval lies on one side.
    @Test func verdictsOnIntervals() {
        #expect(Verdict(lower: 4, upper: 6, value: 3) == .above)
        #expect(Verdict(lower: 4, upper: 6, value: 7) == .belowUndiagnosed)
        #expect(Verdict(lower: 4, upper: 6, value: 5) == .undecided)
        #expect(Verdict(lower: 4, upper: 6, value: 6, relation: .atMost) == .withinBound)
        #expect(Verdict(lower: 4, upper: 6, value: 5, relation: .atMost) == .undecided)
        #expect(Verdict(lower: 4, upper: 6, value: 3, relation: .atMost) == .above)
        #expect(Verdict(lower: 4, upper: 6, value: 4, relation: .atLeast) == .withinBound)
        #expect(Verdict(lower: 4, upper: 6, value: 7, relation: .atLeast) == .belowUndiagnosed)
        #expect(Verdict(lower: 5, upper: 5, value: 5) == .equal)
        #expect(!Verdict.undecided.isFailure && !Verdict.undecided.isRedrawn)
    }
}
