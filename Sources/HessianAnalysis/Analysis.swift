// One network, analysed: the exact ranks of H_L, H_O, H_F, the formula values, the diagnosis of the point
// (`PointDiagnosis`) and a verdict per part.
import Dispatch
import ExactAlgebra
import HessianConstructions
import NetworkModel
import RankFormulas
import Synchronization

public struct RankOptions: Sendable {
    /// The primes of the Monte Carlo rank: drawn from the system's entropy on each analysis (the default, one prime),
    /// or given by the user to replay a run (then no probability bound). Ignored when certifying and in generic mode.
    public var primes: PrimeChoice
    /// Certify each rank exactly (multimodular, Hadamard bound) instead of bounding the error probability.
    public var certify: Bool
    public var maximumCertificationPrimes: Int
    /// With `certify`: called after each pair of primes of a part (index in `HessianPart.allCases`' order), from that
    /// part's thread; the command line turns it into progress on stderr.
    public var certificationProgress: (@Sendable (_ part: HessianPart, _ progress: CertifiedRank.Progress) -> Void)?
    /// Any piecewise-linear activation: linear (the structured construction), relu or leaky-relu (per-sample blocks,
    /// exact away from kinks).
    public var activation: Activation
    /// Generic mode: the problem's entries are residues modulo this prime, and every rank is taken over F_p.
    public var fieldPrime: UInt?
    /// Rank the full p x p Hessians even where the reduced ones (`ReducedHessian`: same rank over Q, several times
    /// smaller) apply, i.e. for linear networks over Z. For cross-checks and timing comparisons.
    public var fullMatrices: Bool

    public init(primes: PrimeChoice = .random(count: 1), certify: Bool = false,
                maximumCertificationPrimes: Int = CertifiedRank.defaultMaximumPrimes, activation: Activation = .linear,
                fieldPrime: UInt? = nil, fullMatrices: Bool = false) {
        precondition(activation.isPiecewiseLinear, "RankOptions: the exact path covers piecewise-linear networks")
        precondition(fieldPrime == nil || (activation == .linear && !certify), "RankOptions: generic mode is for linear networks, uncertified")
        self.primes = primes
        self.certify = certify
        self.maximumCertificationPrimes = maximumCertificationPrimes
        self.activation = activation
        self.fieldPrime = fieldPrime
        self.fullMatrices = fullMatrices
    }

    /// Whether the ranks are those of the reduced Hessians (`ReducedHessian`): linear bias-free networks, unless
    /// `fullMatrices`.
    public func reduces(_ architecture: Architecture) -> Bool {
        ExactHessians.reduces(architecture, activation: activation, fullMatrices: fullMatrices)
    }
}

public struct PartAnalysis: Sendable {
    public let part: HessianPart
    public let rank: RankResult
    public let formula: FormulaValue
    public let verdict: Verdict
    /// The shape of the matrix whose rank this is: p x p for a full Hessian, n x n for a reduced one
    /// (`ReducedHessian`), N K x n for H_O through a (reduced) Jacobian.
    public let rankedShape: MatrixShape
    /// The tightest upper bound on this part's rank over Q that holds at every point (proofs/upper-bounds.md); nil in
    /// generic mode, whose ranks are over F_p.
    public let upperBound: UpperBound?

    /// The bound this rank meets, when it does: the rank, a certain lower bound whatever the primes, is then the rank
    /// over Q exactly, with no probability.
    public var exactBy: UpperBound? { upperBound.flatMap { $0.value == rank.rank ? $0 : nil } }
}

public struct Analysis: Sendable {
    public let problem: Problem
    public let seed: UInt64
    /// r, the exact rank of X.
    public let dataRank: Int
    public let formulas: LinearNetworkFormulas
    /// With biases: r~ = rank [X, 1], and the with-bias conjecture that the parts are compared with (the bias-free
    /// `formulas` stay for s and q).
    public let augmentedDataRank: Int?
    public let biasConjecture: BiasNetworkConjecture?
    /// The diagnosis of the point for a linear bias-free network; nil otherwise (for ReLU the linear network's
    /// products say nothing about the Hessian at the point; for bias networks no condition is known).
    public let diagnosis: PointDiagnosis?
    /// In the order loss, outer, functional.
    public let parts: [PartAnalysis]
    /// Seconds to build the products, moments and block description (before any prime).
    public let setupSeconds: Double
    public let activation: Activation
    /// Where the primes came from: drawn by this run from the system's entropy, or given by the user (`--prime`).
    /// Certified ranks use fixed primes and need neither.
    public let primeChoice: PrimeChoice
    /// The same, as the JSON says it: "certification", "system-entropy" or "given".
    public var primeSource: String { certified ? "certification" : primeChoice.isRandom ? "system-entropy" : "given" }

    public func part(_ part: HessianPart) -> PartAnalysis { parts.first { $0.part == part }! }
    /// A shortfall where C1-C4 hold (verify redraws these before they count).
    public var hasShortfallWhereConditionsHold: Bool { parts.contains { $0.verdict == .belowConditionsHold } }
    /// The worst error bound of the three ranks; nil when no probability bound applies (primes given by the user).
    public var errorBound: Double? { RankResult.worstBound(parts.map(\.rank.errorBound)) }
    /// The primes used: the same primes for every part (drawn for this analysis, or given), or, when certifying,
    /// prefixes of one fixed sequence (the longest is returned).
    public var primes: [UInt] { parts.map(\.rank.primes).max { $0.count < $1.count } ?? [] }
    /// The primes as reports list them: all of them, except when certifying, where they are thousands of consecutive
    /// primes of one fixed sequence (`CertifiedRank.smallPrimes`) and only the first (largest) and last (smallest)
    /// are listed; `primes.count` says how many.
    public var reportedPrimes: [UInt] {
        let all = primes
        guard certified, all.count > 2 else { return all }
        return [all.first!, all.last!]
    }
    public var certified: Bool { parts.allSatisfy(\.rank.certified) }
    /// The parts whose rank meets a bound proven at every point (exact whatever the primes).
    public var exactParts: [PartAnalysis] { parts.filter { $0.exactBy != nil } }
    /// Seconds spent building products and assembling the Hessians modulo primes (summed over parts).
    public var assembleSeconds: Double { setupSeconds + parts.reduce(0) { $0 + $1.rank.reductionSeconds } }
    /// Seconds spent in elimination (summed over parts; parts run concurrently).
    public var rankSeconds: Double { parts.reduce(0) { $0 + $1.rank.eliminationSeconds } }
}

/// Why an analysis could not be completed.
public enum AnalysisFailure: Error, Sendable, CustomStringConvertible {
    /// A certified rank would need more primes than allowed.
    case certification(CertifiedRank.TooLarge)
    /// A relu or leaky-relu network sits on a kink: it has no Hessian there.
    case kink(PiecewiseLinearHessian.Kink)

    public var description: String {
        switch self {
        case .certification(let e): e.description
        case .kink(let e): e.description + "; draw another point (another --seed) or move the weights off the kink"
        }
    }
}

public enum Analyzer {
    /// Analyses `problem` (drawn with `seed`, which the analysis records; the Monte Carlo primes come from
    /// `options.primes`, never from the seed).
    public static func analyze(_ problem: Problem, seed: UInt64, options: RankOptions = RankOptions()) throws(AnalysisFailure) -> Analysis {
        do {
            return try computeAnalysis(problem, seed: seed, options: options)
        } catch let e as CertifiedRank.TooLarge {
            throw .certification(e)
        } catch let e as PiecewiseLinearHessian.Kink {
            throw .kink(e)
        } catch {
            preconditionFailure("Analyzer: unexpected \(error)")
        }
    }

    /// The work of `analyze`, for every network the exact path covers (`ExactHessians`); throws the causes
    /// (`CertifiedRank.TooLarge`, `PiecewiseLinearHessian.Kink`) that `analyze` reports as `AnalysisFailure`.
    static func computeAnalysis(_ problem: Problem, seed: UInt64, options: RankOptions) throws -> Analysis {
        let clock = ContinuousClock()
        let start = clock.now
        let field = options.fieldPrime
        let architecture = problem.architecture
        func rank(_ m: IntegerMatrix) throws -> Int {
            try field.map { ModularMatrix(m, prime: $0).rank() } ?? CertifiedRank.rank(of: m).rank
        }
        let dataRank = try rank(problem.x)
        let formulas = LinearNetworkFormulas(widths: architecture.widths, dataRank: dataRank)
        let augmentedDataRank = try architecture.bias ? rank(problem.augmentedData) : nil
        let conjecture = augmentedDataRank.map {
            BiasNetworkConjecture(widths: architecture.widths, dataRank: dataRank, augmentedDataRank: $0)
        }
        let reduces = options.reduces(architecture)
        let hessian = try ExactHessians.build(problem, activation: options.activation, modulus: field, reduce: reduces)
        // The diagnosis reads the linear bias-free network's products: there only.
        let diagnosis = try hessian.structured.map { structured in
            try PointDiagnosis(products: structured.products, x: problem.x, omega: structured.omega,
                               dataRank: dataRank, fieldPrime: field)
        }
        let sources = rankSources(hessian)
        let setup = (clock.now - start).seconds

        let primes = field.map { [$0] } ?? options.primes.draw()
        var ranks = try rankAll(sources, primes: primes, options: options)
        if let field {
            // Schwartz-Zippel: a rho x rho minor of a matrix whose entries have degree <= D in the drawn values has
            // degree <= D rho, and rho <= the matrix's smaller side n; so the rank at a uniform point of F_p falls
            // below that matrix's generic rank over F_p with probability at most D n / prime
            // (`ExactHessians.entryDegreeBound`).
            let degree = ExactHessians.entryDegreeBound(depth: architecture.depth, reduced: reduces)
            ranks = zip(ranks, sources).map { rank, source in
                let side = min(source.rowCount, source.columnCount)
                return RankResult(rank: rank.rank, method: .primeField, primes: [field],
                                  errorBound: min(1, Double(degree) * Double(side) / Double(field)),
                                  reductionSeconds: rank.reductionSeconds, eliminationSeconds: rank.eliminationSeconds)
            }
        }

        let formulaValues: [HessianPart: FormulaValue] = conjecture.map {
            [.loss: $0.loss, .outer: $0.outer, .functional: $0.functional]
        } ?? [.loss: formulas.loss, .outer: formulas.outer, .functional: formulas.functional]
        // Upper bounds at every point, over Q only (`PointUpperBounds`): the formulas' for linear networks, with and
        // without biases, read with this point's exact ranks, and the structural ones for every network.
        let bounds: [HessianPart: [UpperBound]] = field != nil ? [:] : try PointUpperBounds.bounds(
            problem, activation: options.activation, dataRank: dataRank, residualRank: diagnosis?.residualRank,
            augmentedDataRank: augmentedDataRank, rank: rank)
        let parts = zip(HessianPart.allCases, zip(ranks, sources)).map { part, rankAndSource in
            let (rank, source) = rankAndSource
            let formula = formulaValues[part]!
            // The closed forms are statements about linear networks; with biases no condition is known to attain them.
            let verdict = options.activation != .linear ? .notApplicable
                : Verdict(rank: rank.rank, value: formula.value, attainment: diagnosis?.attainment(part),
                          conditionsHold: diagnosis?.conditionsHold)
            return PartAnalysis(part: part, rank: rank, formula: formula, verdict: verdict,
                                rankedShape: MatrixShape(rows: source.rowCount, columns: source.columnCount),
                                upperBound: bounds[part].flatMap(UpperBound.tightest))
        }
        return Analysis(problem: problem, seed: seed, dataRank: dataRank, formulas: formulas,
                        augmentedDataRank: augmentedDataRank, biasConjecture: conjecture, diagnosis: diagnosis,
                        parts: parts, setupSeconds: setup, activation: options.activation, primeChoice: options.primes)
    }

    /// What to rank per part, in the order loss, outer, functional, as existentials for `rankAll`.
    static func rankSources(_ hessian: some ExactHessian) -> [any ExactRankSource] {
        HessianPart.allCases.map { hessian.rankSource(for: $0) }
    }

    /// Ranks the sources concurrently, one task per source (each task builds and frees its own FLINT matrices).
    /// `primes` were drawn from `options.primes` (in generic mode the field's prime, whose bound the caller sets).
    static func rankAll(_ sources: [any ExactRankSource], primes: [UInt], options: RankOptions) throws(CertifiedRank.TooLarge) -> [RankResult] {
        let results = Mutex<[Result<RankResult, CertifiedRank.TooLarge>?]>(Array(repeating: nil, count: sources.count))
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            let result: Result<RankResult, CertifiedRank.TooLarge>
            if options.certify {
                result = Result { () throws(CertifiedRank.TooLarge) in
                    try CertifiedRank.rank(of: sources[index], maximumPrimes: options.maximumCertificationPrimes,
                                           progress: options.certificationProgress.map { report in
                                               { @Sendable progress in report(HessianPart.allCases[index], progress) }
                                           })
                }
            } else {
                result = .success(ModularRank.rank(of: sources[index], primes: primes, drawnAtRandom: options.primes.isRandom))
            }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { all throws(CertifiedRank.TooLarge) in try all.map { (r) throws(CertifiedRank.TooLarge) in try r!.get() } }
    }
}
