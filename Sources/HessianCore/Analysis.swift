// One network, analysed: the exact ranks of H_L, H_O, H_F, the formula values, the diagnosis of the point
// (`PointDiagnosis`) and a verdict per part.
import Dispatch
import ExactAlgebra
import RankFormulas
import Synchronization

public struct RankOptions: Sendable {
    /// The primes of the Monte Carlo rank: drawn from the system's entropy on each analysis (the default, one prime),
    /// or given by the user to replay a run (then no probability bound). Ignored when certifying and in generic mode.
    public var primes: PrimeChoice
    /// Certify each rank exactly (multimodular, Hadamard bound) instead of bounding the error probability.
    public var certify: Bool
    public var maximumCertificationPrimes: Int
    /// linear (the structured construction) or relu (per-sample blocks, exact away from kinks).
    public var activation: Activation
    /// Generic mode: the problem's entries are residues modulo this prime, and every rank is taken over F_p.
    public var fieldPrime: UInt?
    /// Rank the full p x p Hessians even where the reduced ones (`ReducedHessian`: same rank over Q, several times
    /// smaller) apply, i.e. for linear networks over Z. For cross-checks and timing comparisons.
    public var fullMatrices: Bool

    public init(primes: PrimeChoice = .random(count: 1), certify: Bool = false,
                maximumCertificationPrimes: Int = CertifiedRank.defaultMaximumPrimes, activation: Activation = .linear,
                fieldPrime: UInt? = nil, fullMatrices: Bool = false) {
        precondition(activation != .tanh, "RankOptions: the exact path covers linear and relu networks")
        precondition(fieldPrime == nil || (activation == .linear && !certify), "RankOptions: generic mode is for linear networks, uncertified")
        self.primes = primes
        self.certify = certify
        self.maximumCertificationPrimes = maximumCertificationPrimes
        self.activation = activation
        self.fieldPrime = fieldPrime
        self.fullMatrices = fullMatrices
    }

    /// Whether the ranks are those of the reduced Hessians (`ReducedHessian`): linear networks, unless `fullMatrices`.
    public var reduces: Bool { activation == .linear && !fullMatrices }
}

public struct PartAnalysis: Sendable {
    public let part: HessianPart
    public let rank: RankResult
    public let formula: FormulaValue
    public let verdict: Verdict
    /// The shape of the matrix whose rank this is: p x p for a full Hessian, n x n for a reduced one
    /// (`ReducedHessian`), N K x n for H_O through a (reduced) Jacobian.
    public let rankedShape: MatrixShape
}

public struct MatrixShape: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }
}

public struct Analysis: Sendable {
    public let problem: Problem
    public let seed: UInt64
    /// r, the exact rank of X.
    public let dataRank: Int
    public let formulas: LinearNetworkFormulas
    /// The diagnosis of the point for a linear network; nil for ReLU, where the linear network's products say
    /// nothing about the Hessian at the point.
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
    public var certified: Bool { parts.allSatisfy(\.rank.certified) }
    /// Seconds spent building products and assembling the Hessians modulo primes (summed over parts).
    public var assembleSeconds: Double { setupSeconds + parts.reduce(0) { $0 + $1.rank.reductionSeconds } }
    /// Seconds spent in elimination (summed over parts; parts run concurrently).
    public var rankSeconds: Double { parts.reduce(0) { $0 + $1.rank.eliminationSeconds } }
}

/// Why an analysis could not be completed.
public enum AnalysisFailure: Error, Sendable, CustomStringConvertible {
    /// A certified rank would need more primes than allowed.
    case certification(CertifiedRank.TooLarge)
    /// A ReLU network sits on a kink: it has no Hessian there.
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

    /// The work of `analyze`, for every activation the exact path covers (linear and ReLU); throws the causes
    /// (`CertifiedRank.TooLarge`, `PiecewiseLinearHessian.Kink`) that `analyze` reports as `AnalysisFailure`.
    static func computeAnalysis(_ problem: Problem, seed: UInt64, options: RankOptions) throws -> Analysis {
        let clock = ContinuousClock()
        let start = clock.now
        let field = options.fieldPrime
        let dataRank = try field.map { ModularMatrix(problem.x, prime: $0).rank() } ?? CertifiedRank.rank(of: problem.x).rank
        let formulas = LinearNetworkFormulas(widths: problem.architecture.widths, dataRank: dataRank)
        let hessian = StructuredHessian(problem, modulus: field)
        let diagnosis = options.activation == .relu ? nil
            : try PointDiagnosis(products: hessian.products, x: problem.x, omega: hessian.omega, dataRank: dataRank,
                                 fieldPrime: field)
        let sources = options.activation == .relu
            ? HessianPart.allCases.map(try PiecewiseLinearHessian(problem, activation: .relu).rankSource(for:))
            : options.reduces ? HessianPart.allCases.map(ReducedHessian(hessian, modulus: field).rankSource(for:))
            : HessianPart.allCases.map(hessian.rankSource(for:))
        let setup = (clock.now - start).seconds

        let primes = field.map { [$0] } ?? options.primes.draw()
        var ranks = try rankAll(sources, primes: primes, options: options)
        if let field {
            // Schwartz-Zippel: a rho x rho minor of a matrix whose entries have degree <= D in the drawn values has
            // degree <= D rho, and rho <= the matrix's smaller side n; so the rank at a uniform point of F_p falls
            // below that matrix's generic rank over F_p with probability at most D n / prime. D = 2L + 2 for the full
            // Hessians and Jacobian, 6L + 6 for the reduced ones: bounds that hold for uniform data and for data drawn
            // as X = U V (proofs/exact-rank-method.md, proofs/reduced-hessian.md).
            let depth = problem.architecture.depth
            let degree = options.reduces ? ReducedHessian.entryDegreeBound(depth: depth)
                : StructuredHessian.entryDegreeBound(depth: depth)
            ranks = zip(ranks, sources).map { rank, source in
                let side = min(source.rowCount, source.columnCount)
                return RankResult(rank: rank.rank, method: .primeField, primes: [field],
                                  errorBound: min(1, Double(degree) * Double(side) / Double(field)),
                                  reductionSeconds: rank.reductionSeconds, eliminationSeconds: rank.eliminationSeconds)
            }
        }

        let formulaValues: [HessianPart: FormulaValue] = [.loss: formulas.loss, .outer: formulas.outer,
                                                          .functional: formulas.functional]
        let parts = zip(HessianPart.allCases, zip(ranks, sources)).map { part, rankAndSource in
            let (rank, source) = rankAndSource
            let formula = formulaValues[part]!
            let verdict = diagnosis.map {
                Verdict(rank: rank.rank, formula: formula.value, attainment: $0.attainment(part), conditionsHold: $0.conditionsHold)
            } ?? .notApplicable
            return PartAnalysis(part: part, rank: rank, formula: formula, verdict: verdict,
                                rankedShape: MatrixShape(rows: source.rowCount, columns: source.columnCount))
        }
        return Analysis(problem: problem, seed: seed, dataRank: dataRank, formulas: formulas, diagnosis: diagnosis,
                        parts: parts, setupSeconds: setup, activation: options.activation, primeChoice: options.primes)
    }

    /// Ranks the sources concurrently, one task per source (each task builds and frees its own FLINT matrices).
    /// `primes` were drawn from `options.primes` (in generic mode the field's prime, whose bound the caller sets).
    static func rankAll(_ sources: [BlockMatrix], primes: [UInt], options: RankOptions) throws(CertifiedRank.TooLarge) -> [RankResult] {
        let results = Mutex<[Result<RankResult, CertifiedRank.TooLarge>?]>(Array(repeating: nil, count: sources.count))
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            let result: Result<RankResult, CertifiedRank.TooLarge>
            if options.certify {
                result = Result { () throws(CertifiedRank.TooLarge) in
                    try CertifiedRank.rank(of: sources[index], maximumPrimes: options.maximumCertificationPrimes)
                }
            } else {
                result = .success(ModularRank.rank(of: sources[index], primes: primes, drawnAtRandom: options.primes.isRandom))
            }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { all throws(CertifiedRank.TooLarge) in try all.map { (r) throws(CertifiedRank.TooLarge) in try r!.get() } }
    }
}
