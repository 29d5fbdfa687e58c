// The one engine that checks rank formulas against exact ranks: a user's conjecture (`hessian-rank conjecture`), the
// paper's formulas (`verify`) and the with-bias conjecture (`bias`) all go through `ConjectureCheck`.
//
// For one network (`GridCase`) it draws a point from the seed, ranks H_L, H_O, H_F there (`Analyzer`), evaluates each
// formula at the network's quantities (`NetworkQuantities`: widths, p, the exact ranks of X, [X, 1] and Omega at the
// point) and judges each rank against its claim (`Verdict`, the same rule for every formula). A shortfall that no
// proven condition decides (`Verdict.isRedrawn`) is drawn again, at seed + k 2^32 for k = 1 ... `redraws`, before it
// counts: a random point rarely falls on the proper algebraic set where ranks drop, so a shortfall that survives
// several draws is evidence against the formula, while a rank above a claimed value refutes it for certain at any
// point (proofs/genericity.md).
//
// Generic mode (a field prime): linear networks are drawn uniformly over F_p and ranked there; each rank is a certain
// lower bound on the generic rank over Q. Networks with kinks (relu, leaky-relu) have no F_p points: they are drawn as
// integers (redrawn on a kink) and ranked modulo the options' primes, as with integer draws.
//
// Networks whose Hessians have transcendental entries (cross-entropy or log-cosh, tanh, sigmoid or elu) have no exact
// ranks: they are drawn as integers for their loss (`Generator.drawForLoss`), ranked there or at the normalized dyadic
// point of `sweep --loss` (`IntervalPoint`), and each part gets a certified interval (`LossIntervals`). A claim is decided when the whole
// interval lies on one side of its value, and undecided otherwise (`Verdict.undecided`, never a failure).
//
// On a failure `shrink` looks for a smaller network that still fails, one step at a time (`GridCase.shrinkSteps`),
// until no single step does: the counterexample it returns is minimal in that sense. `confirm` re-ranks a network at
// integer points with certified ranks over Q, so that an ABOVE is proven without any probability.
//
// Linear convolutional networks (`ConvolutionalCase`) go through the same judging, redraws and shrinking
// (`ConjectureCheck+Convolution.swift`): what differs is only how a network is drawn and ranked, so the loops are
// written once over `JudgedNetwork`, the one-network result both kinds share.
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import RankFormulas

/// One formula judged at one network.
public struct FormulaJudgement: Sendable {
    public let part: FormulaPart
    public let formula: Formula
    /// The rank of that part at the point (a proven lower bound on the rank over Q, or the rank over F_p); for a
    /// certified interval, its lower end.
    public let rank: Int
    /// The upper end of a certified interval (proven: the rank is at most this); nil for exact ranks.
    public let upper: Int?
    /// The formula's value; nil when it has none at this network (`error`).
    public let value: Int?
    public let error: FormulaEvaluationError?
    /// nil when the formula has no value here.
    public let verdict: Verdict?
    /// The upper bound proven at every point that the rank meets (then it is the rank over Q exactly), if any.
    public let exactBy: UpperBound?
}

/// One network judged against a conjecture, dense (`CaseCheck`) or convolutional (`ConvolutionalCaseCheck`): the
/// draws tried and the judgement of each formula at the last. The verdicts, redraws and shrinking read only this.
public protocol JudgedNetwork: Sendable {
    associatedtype Network: Hashable, Sendable, CustomStringConvertible
    var network: Network { get }
    /// The seeds drawn, in order; the ranks are at the last.
    var seeds: [UInt64] { get }
    var judgements: [FormulaJudgement] { get }
}

extension JudgedNetwork {
    public var seed: UInt64 { seeds.last! }
    /// A formula's claim fails at this network (after the redraws).
    public var failed: Bool { judgements.contains { $0.verdict?.isFailure ?? false } }
    /// A formula has no value at this network.
    public var hasError: Bool { judgements.contains { $0.error != nil } }
    public var failingParts: [FormulaPart] { judgements.filter { $0.verdict?.isFailure ?? false }.map(\.part) }
    /// A rank above a claimed value or upper bound: a refutation that no draw can explain.
    public var refutedForCertain: Bool { judgements.contains { $0.verdict?.refutesForCertain ?? false } }
}

/// One network checked: the draws tried, the ranks at the last (an exact analysis, or certified intervals), and the
/// judgement of each formula.
public struct CaseCheck: JudgedNetwork {
    public let gridCase: GridCase
    /// The seeds drawn, in order; the ranks are at the last (or where a kink redraw moved it: `drawnSeed`).
    public let seeds: [UInt64]
    /// The exact ranks: every piecewise-linear network under mse (verify and bias use only these).
    public let analysis: Analysis?
    /// The certified intervals (loss, outer, functional) of the other networks, at the dyadic point `scaling` makes.
    public let intervals: [RankInterval]?
    /// The seed of the point the ranks are at.
    public let drawnSeed: UInt64
    public let quantities: NetworkQuantities
    public let judgements: [FormulaJudgement]

    public var network: GridCase { gridCase }
    /// The largest probability that a rank here fell short (nil: certified, or primes given).
    public var errorBound: Double? { analysis?.errorBound }
}

/// A failing network shrunk to a minimal one.
public struct Shrinking<Checked: JudgedNetwork>: Sendable {
    /// The networks from the first failure to the minimal one, each one step smaller than the one before.
    public let path: [Checked.Network]
    public let minimal: Checked
    /// How many candidate networks were checked.
    public let evaluated: Int
}

public struct ConjectureCheck: Sendable {
    /// Where networks with transcendental Hessians are ranked (certified intervals).
    public enum IntervalPoint: Sendable {
        /// The integer point drawn: double balls, then Arb's rising precision for small networks (p <= 300), which
        /// closes more intervals, more slowly (`verify --loss`, `rank --loss`).
        case integer
        /// The normalized dyadic point of `sweep --loss` (`FloatScaling.normalized`): double balls only, logits of
        /// order one.
        case normalized
    }

    public let conjecture: Conjecture
    /// The rank method for every network; its activation is replaced by each network's.
    public let options: RankOptions
    /// Generic mode: the prime of F_p (one for the whole run, so that a seed names a point). nil: integer draws.
    public let fieldPrime: UInt?
    /// Whether the paper's proven attainment conditions (`PointDiagnosis.attainment`) decide shortfalls: true only
    /// for the paper's own formulas, about which they are proven.
    public let provenAttainment: Bool
    public let redraws: Int
    public let intervalPoint: IntervalPoint

    public static let defaultRedraws = 3

    public init(conjecture: Conjecture, options: RankOptions = RankOptions(), fieldPrime: UInt? = nil,
                provenAttainment: Bool = false, redraws: Int = ConjectureCheck.defaultRedraws,
                intervalPoint: IntervalPoint = .normalized) {
        self.conjecture = conjecture
        self.options = options
        self.fieldPrime = fieldPrime
        self.provenAttainment = provenAttainment
        self.redraws = redraws
        self.intervalPoint = intervalPoint
    }

    /// Checks `gridCase` at `seed`, redrawing a shortfall that no proven condition decides. Throws `InputError` (a
    /// draw that cannot be made, or every redraw on a kink) and `AnalysisFailure`.
    public func check(_ gridCase: GridCase, seed: UInt64) throws -> CaseCheck {
        try redrawing(seed) { seeds in try rankAndJudge(gridCase, seeds: seeds) }
    }

    /// Ranks and judges at `seed`, then again at seed + k 2^32 (k = 1 ... `redraws`) while a shortfall that no proven
    /// condition decides remains (`Verdict.isRedrawn`); the result at the last seed tried.
    func redrawing<Checked: JudgedNetwork>(_ seed: UInt64, _ rankAndJudge: ([UInt64]) throws -> Checked) throws -> Checked {
        var seeds = [seed]
        var result = try rankAndJudge(seeds)
        while result.judgements.contains(where: { $0.verdict?.isRedrawn ?? false }) && seeds.count <= redraws {
            seeds.append(seed &+ UInt64(seeds.count) << 32)
            result = try rankAndJudge(seeds)
        }
        return result
    }

    /// Ranks `gridCase` at the last of `seeds`, exactly or by certified intervals, and judges the formulas there.
    func rankAndJudge(_ gridCase: GridCase, seeds: [UInt64]) throws -> CaseCheck {
        guard LossIntervals.applies(loss: gridCase.loss, activation: gridCase.activation) else {
            return try judge(gridCase, analysis: try analyze(gridCase, seed: seeds.last!), seeds: seeds)
        }
        let (drawnSeed, (problem, intervals)) = try KinkRedraw.first(seed: seeds.last!, what: gridCase.description) { seed in
            let problem = try Generator.drawForLoss(gridCase.architecture, samples: gridCase.samples, dataRank: gridCase.dataRank,
                                                    loss: gridCase.loss, seed: seed)
            return (problem, try LossIntervals.analyze(problem, loss: gridCase.loss, activation: gridCase.activation,
                                                       scaling: intervalPoint == .normalized ? .normalized(problem) : nil))
        }
        let architecture = problem.architecture
        let quantities = NetworkQuantities(
            widths: architecture.widths, samples: problem.sampleCount, parameterCount: problem.parameterCount,
            dataRank: try CertifiedRank.rank(of: problem.x).rank,
            augmentedDataRank: try CertifiedRank.rank(of: problem.augmentedData).rank, residualRank: nil,
            bias: architecture.bias, effectiveOutputs: Self.effectiveOutputs(architecture.outputWidth, gridCase.loss))
        let judgements = conjecture.parts.map { part in
            let interval = intervals.first { $0.part.rawValue == part.rawValue }!
            return judgement(part, quantities, loss: gridCase.loss, rank: interval.lower, upper: interval.upper.value,
                             exactBy: interval.isExact ? interval.upper : nil) { value, relation in
                Verdict(lower: interval.lower, upper: interval.upper.value, value: value, relation: relation)
            }
        }
        return CaseCheck(gridCase: gridCase, seeds: seeds, analysis: nil, intervals: intervals, drawnSeed: drawnSeed,
                         quantities: quantities, judgements: judgements)
    }

    /// `part`'s formula judged at a rank (or an interval [rank, upper]): its value at `quantities`, the verdict
    /// `verdict` gives for that value, made IMPOSSIBLE where the value exceeds the structural bound; or the reason the
    /// formula has no value here.
    func judgement(_ part: FormulaPart, _ quantities: NetworkQuantities, loss: Loss, rank: Int, upper: Int?,
                   exactBy: UpperBound?, verdict: (Int, Relation) -> Verdict) -> FormulaJudgement {
        let formula = conjecture.formulas[part]!
        do throws(FormulaEvaluationError) {
            let value = try formula.value(quantities)
            let judged = Verdict.checked(verdict(value, formula.relation), value: value, relation: formula.relation,
                                         structuralBound: Self.structuralBound(part, quantities, loss: loss))
            return FormulaJudgement(part: part, formula: formula, rank: rank, upper: upper, value: value, error: nil,
                                    verdict: judged, exactBy: exactBy)
        } catch {
            return FormulaJudgement(part: part, formula: formula, rank: rank, upper: upper, value: nil, error: error,
                                    verdict: nil, exactBy: exactBy)
        }
    }

    static func effectiveOutputs(_ k: Int, _ loss: Loss) -> Int { loss == .crossEntropy ? k - 1 : k }

    /// The bound on `part`'s rank that holds at every point of every network (proofs/upper-bounds.md): p, and for H_O
    /// also the rows of the stacked Jacobian, N K (N (K - 1) under cross-entropy: `softmax-rows`).
    static func structuralBound(_ part: FormulaPart, _ quantities: NetworkQuantities, loss: Loss) -> Int {
        let p = quantities.parameterCount
        guard part == .outer else { return p }
        return min(p, quantities.samples * effectiveOutputs(quantities.widths.last!, loss))
    }

    /// The analysis of `gridCase` at the point `seed` draws (a kink redraw may move it: `Analysis.seed`).
    func analyze(_ gridCase: GridCase, seed: UInt64) throws -> Analysis {
        var options = self.options
        options.activation = gridCase.activation
        let architecture = gridCase.architecture, samples = gridCase.samples
        if let fieldPrime, gridCase.activation == .linear {
            options.fieldPrime = fieldPrime
            let problem = try DrawPlan.field(dataRank: gridCase.dataRank).draw(architecture, samples: samples, seed: seed, prime: fieldPrime)
            return try Analyzer.analyze(gridCase.constantFeature ? problem.withConstantFirstInput() : problem, seed: seed, options: options)
        }
        options.fieldPrime = nil
        if gridCase.constantFeature {
            return try Analyzer.analyze(try DrawPlan.integers(dataRank: gridCase.dataRank)
                .draw(architecture, samples: samples, seed: seed, prime: nil).withConstantFirstInput(), seed: seed, options: options)
        }
        return try Analyzer.analyzeDrawn(architecture, samples: samples, plan: .integers(dataRank: gridCase.dataRank),
                                         seed: seed, options: options)
    }

    /// The network's quantities at the analysed point: ranks over F_p in generic mode, certified over Q otherwise.
    static func quantities(_ analysis: Analysis, loss: Loss = .mse, residualRank wanted: Bool = true) throws -> NetworkQuantities {
        let problem = analysis.problem, architecture = problem.architecture
        let field = analysis.parts.first?.rank.method == .primeField ? analysis.primes.first : nil
        func rank(_ m: IntegerMatrix) throws -> Int {
            try field.map { ModularMatrix(m, prime: $0).rank() } ?? CertifiedRank.rank(of: m).rank
        }
        let augmentedDataRank = try analysis.augmentedDataRank ?? rank(problem.augmentedData)
        var residualRank: Int? = nil
        if analysis.activation == .linear {
            residualRank = analysis.diagnosis?.residualRank
            if residualRank == nil && wanted { residualRank = try rank(problem.augmented.residualCovariance) }
        }
        return NetworkQuantities(widths: architecture.widths, samples: problem.sampleCount,
                                 parameterCount: problem.parameterCount, dataRank: analysis.dataRank,
                                 augmentedDataRank: augmentedDataRank, residualRank: residualRank,
                                 bias: architecture.bias, effectiveOutputs: effectiveOutputs(architecture.outputWidth, loss))
    }

    /// Judges every formula of the conjecture at the analysed point.
    func judge(_ gridCase: GridCase, analysis: Analysis, seeds: [UInt64]) throws -> CaseCheck {
        let quantities = try Self.quantities(analysis, loss: gridCase.loss, residualRank: conjecture.reads("omega"))
        let judgements = conjecture.parts.map { part in
            let analysed = analysis.part(HessianPart(rawValue: part.rawValue)!)
            return judgement(part, quantities, loss: gridCase.loss, rank: analysed.rank.rank, upper: nil, exactBy: analysed.exactBy) { value, relation in
                Verdict(rank: analysed.rank.rank, value: value, relation: relation,
                        attainment: provenAttainment ? analysis.diagnosis?.attainment(analysed.part) : nil,
                        conditionsHold: analysis.diagnosis?.conditionsHold)
            }
        }
        return CaseCheck(gridCase: gridCase, seeds: seeds, analysis: analysis, intervals: nil, drawnSeed: analysis.seed,
                         quantities: quantities, judgements: judgements)
    }

    /// Shrinks a failing network: tries each one-step-smaller network (`GridCase.shrinkSteps`, largest reductions
    /// first) at the first failure's seed, moves to the first that still fails, and stops when none does. A failure
    /// refuted for certain (ABOVE) only moves to networks refuted for certain, so that a proof is never traded for
    /// evidence. A candidate that cannot be drawn (every redraw on a kink) counts as not failing. `progress` sees each
    /// candidate.
    public func shrink(_ failure: CaseCheck, progress: ((GridCase) -> Void)? = nil) -> Shrinking<CaseCheck> {
        shrink(failure, steps: { $0.shrinkSteps() }, check: check, progress: progress)
    }

    /// The greedy loop of `shrink`, for either kind of network: `steps` gives the networks one step smaller, `check`
    /// checks one at a seed.
    func shrink<Checked: JudgedNetwork>(_ failure: Checked, steps: (Checked.Network) -> [Checked.Network],
                                        check: (Checked.Network, UInt64) throws -> Checked,
                                        progress: ((Checked.Network) -> Void)?) -> Shrinking<Checked> {
        precondition(failure.failed, "ConjectureCheck.shrink: the network does not fail")
        let seed = failure.seeds[0]
        var current = failure, path = [failure.network], evaluated = 0
        search: while true {
            for candidate in steps(current.network) {
                progress?(candidate)
                evaluated += 1
                if let result = try? check(candidate, seed), result.failed,
                   !failure.refutedForCertain || result.refutedForCertain {
                    current = result
                    path.append(candidate)
                    continue search
                }
            }
            break
        }
        return Shrinking(path: path, minimal: current, evaluated: evaluated)
    }

    /// Re-checks `failure`'s network at integer points with every rank certified over Q (`RankOptions.certify`),
    /// from its first seed, redrawn like `check`. An ABOVE there is proven: the rank over Q at a point, exact, exceeds
    /// the formula, and no point exceeds the generic rank. nil when the network is too large to certify, and for
    /// networks ranked by certified intervals (those are proven already).
    public func confirm(_ failure: CaseCheck) -> CaseCheck? {
        guard failure.analysis != nil else { return nil }
        var options = self.options
        options.certify = true
        let exact = ConjectureCheck(conjecture: conjecture, options: options, fieldPrime: nil,
                                    provenAttainment: provenAttainment, redraws: redraws, intervalPoint: intervalPoint)
        return try? exact.check(failure.gridCase, seed: failure.seeds[0])
    }
}

extension Problem {
    /// The same network with the first input set to 1 in every sample, so that rank [X, 1] = rank X.
    public func withConstantFirstInput() -> Problem {
        var x = self.x
        for n in 0..<sampleCount { x[n, 0] = 1 }
        // The shapes are this problem's own.
        return try! Problem(architecture: architecture, weights: weights, biases: biases, x: x, y: y)
    }
}
