// Tolerance calibration: the float spectrum of each Hessian, the rank every numerical rule reads off it, and the
// ground truth to judge them by: the exact rank for linear and ReLU networks under mse; for tanh, sigmoid and elu
// networks, and for every network under cross-entropy or log-cosh (transcendental entries: no exact rank over Q),
// the certified interval [lower, upper] of `LossIntervals` at the very float network whose spectrum is read (the same
// dyadic point, `FloatScaling` of the exponents below). A rule's rank is then right (inside an exact interval, or
// equal to the exact rank), undecided (inside an interval that is not exact: nothing proven decides it) or wrong
// (outside: certainly wrong, by its distance to the interval). The linear formula stays beside it as a comparison
// (the paper's, with K - 1 classes under cross-entropy), never as the truth.
//
// Under cross-entropy and log-cosh the weights and data are drawn as for mse (below) and the targets as
// `Generator.drawForLoss` draws them (one-hot rows for cross-entropy, integers in -1...1 for log-cosh, from the same
// target stream), unscaled (c = 0): a one-hot row stays a probability vector.
//
// One draw serves both paths. The generator's integers are scaled by powers of two for the float path: W_t by
// 2^-a_t with a_t = 4 + ceil(log2 sqrt(fan-in)) (so |W| <= 1 / sqrt(fan-in)), the data by 2^-b with b = 4 (integers)
// or 8 (`uniform01`, inputs in [0, 1]), the targets by 2^-c with c = 4, and b_t by 2^-(a_1 + ... + a_t + b), the scale
// of layer t's pre-activation (`FloatNetwork`). These Doubles are exact. Given data (files: `DrawPlan.files`) come as
// the integer problem of the drawn integer weights and biases on the files' values, with their powers of two
// (`InputExponents`): b and c are then its data and target exponents (c + 4 for drawn targets, scaled as above), so
// the float data and targets are the files' values exactly, and the float biases the drawn integers over
// 2^(a_1 + ... + a_t). On given data a network with kinks draws its weights, biases and targets from -2^20...2^20
// (with many samples, values in -16...16 put some unit exactly on a kink in nearly every draw), and every a_t (and the
// drawn targets' c) is 16 larger, which gives the float network the same range. The exact path ranks the integer
// problem with the targets multiplied by 2^(sum a + b - c) (or, when that is negative, the data and biases by its
// opposite: `Problem.matchingOutputAndTargetScales`): with f~ the integer network (ReLU is positively homogeneous, and
// every pre-activation of the float network is the integer one over 2^(a_1 + ... + a_t + b), biases included),
// f = f~ / 2^(sum a + b) and y = y~' / 2^(sum a + b), so the float Hessian equals D H~ D / 2^(2(sum a + b)) with
// D = diag(2^a_t on W_t, 2^(a_1 + ... + a_t + b) on b_t), and has exactly the same rank as the integer one, H~.
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import NumericalAlgebra
import RankFormulas
#if canImport(Glibc)
import Glibc
#endif

/// Where a case's data come from.
public enum CalibrationData: Sendable, Equatable {
    /// Drawn by the generator from the case's seed.
    case drawn(DataDistribution)
    /// Given (files): the data, and the targets when `y` is given, exactly at these values (`DrawPlan.files`);
    /// `name` labels them in reports.
    case given(name: String, x: [[Double]], y: [[Double]]?)

    public var label: String {
        switch self {
        case .drawn(let distribution): distribution.rawValue
        case .given(let name, _, _): name
        }
    }
}

public struct CalibrationCase: Sendable, Equatable {
    public let architecture: Architecture
    public let samples: Int
    public let dataRank: Int?
    public let data: CalibrationData
    public let seed: UInt64

    public init(architecture: Architecture, samples: Int, dataRank: Int? = nil, data: CalibrationData, seed: UInt64) {
        self.architecture = architecture
        self.samples = samples
        self.dataRank = dataRank
        self.data = data
        self.seed = seed
    }
}

/// How a rule's rank compares with the reference.
public enum RuleVerdict: Sendable, Equatable, CustomStringConvertible {
    /// Equal to the exact rank, or inside an interval whose ends meet.
    case right
    /// Inside an interval that is not exact: consistent with everything proven, and decided by nothing.
    case undecided
    /// Outside the reference (certainly wrong for an interval); `by`: the distance to its nearest end (>= 1).
    case wrong(by: Int)

    /// The verdict on `rank` against the proven range lower...upper (an exact rank: lower == upper).
    public static func judge(_ rank: Int, lower: Int, upper: Int) -> RuleVerdict {
        if rank < lower { return .wrong(by: lower - rank) }
        if rank > upper { return .wrong(by: rank - upper) }
        return lower == upper ? .right : .undecided
    }

    public var description: String {
        switch self {
        case .right: "right"
        case .undecided: "undecided"
        case .wrong: "wrong"
        }
    }

    /// The distance to the reference when wrong, else nil.
    public var miss: Int? {
        if case .wrong(let by) = self { return by }
        return nil
    }
}

public struct CalibratedPart: Sendable {
    public enum Reference: String, Sendable, Codable {
        /// The rank over Q of the same Hessian (modulo a random 63-bit prime, with its error bound).
        case exact
        /// The certified interval of the same float Hessian (`LossIntervals`): tanh, sigmoid, elu, or a loss other
        /// than mse, whose Hessians are not rational.
        case interval
    }

    public let part: HessianPart
    public let reference: Reference
    /// The exact rank (`.exact`); nil for an interval reference (see `interval`).
    public let referenceRank: Int?
    /// The certified interval (`.interval`); nil for an exact reference.
    public let interval: RankInterval?
    /// For an exact reference: the bound on the probability that `referenceRank`, a rank modulo a prime drawn from
    /// the system's entropy, is below the rank over Q (`ModularRank`); nil for an interval (proven, no probability).
    public let referenceErrorBound: Double?
    /// The linear formula (or the with-bias conjecture; K - 1 classes under cross-entropy): a comparison only. nil
    /// for a convolutional network, which has no closed form here (see `upperBound`).
    public let formula: Int?
    /// For a convolutional network: the tightest upper bound proven at the exact point (`PointUpperBounds.bounds`: p,
    /// N K, or the unrolled dense network's, proofs/convolution.md), which the reference never exceeds; nil for dense
    /// networks.
    public let upperBound: UpperBound?
    /// |eigenvalues| of the float Hessian, descending.
    public let spectrum: [Double]
    public let outcomes: [RankOutcome]

    /// The proven range of the rank: the exact rank alone, or the interval.
    public var referenceRange: ClosedRange<Int> {
        if let interval { return interval.lower...interval.upper.value }
        return referenceRank!...referenceRank!
    }

    /// Each rule's verdict, in the order of `outcomes`.
    public var verdicts: [RuleVerdict] {
        let range = referenceRange
        return outcomes.map { RuleVerdict.judge($0.rank, lower: range.lowerBound, upper: range.upperBound) }
    }

    /// The reference as printed: "24 (exact)", "24 (certified)" for an exact interval, "[20, 24]" otherwise.
    public var referenceLabel: String {
        guard let interval else { return "\(referenceRank!) (exact)" }
        return interval.isExact ? "\(interval.lower) (certified)" : "[\(interval.lower), \(interval.upper.value)]"
    }
}

/// The network a calibration ran on: a dense case, or a linear convolutional one.
public enum CalibratedNetwork: Sendable, Equatable {
    case dense(CalibrationCase)
    case convolutional(ConvolutionalNetworkCase)

    /// As tables and plots print it: the widths ("8,4,4,3"), or the input and the layers
    /// ("1x8x8 conv:4:3:same,dense:10").
    public var label: String {
        switch self {
        case .dense(let c): c.architecture.description
        case .convolutional(let c): "\(c.architecture.input) \(c.architecture.layersText)"
        }
    }

    public var samples: Int {
        switch self {
        case .dense(let c): c.samples
        case .convolutional(let c): c.samples
        }
    }

    /// Where the data come from (`CalibrationData.label`; a convolutional network's are drawn integers).
    public var dataLabel: String {
        switch self {
        case .dense(let c): c.data.label
        case .convolutional: DataDistribution.integer.rawValue
        }
    }

    public var isConvolutional: Bool {
        if case .convolutional = self { return true }
        return false
    }
}

public struct CalibrationResult: Sendable {
    public let network: CalibratedNetwork
    public let activation: Activation
    public let loss: Loss
    /// The seed actually used (a ReLU draw on a kink is redrawn with seed + k * 2^32, an elu draw whose
    /// pre-activation is not proven nonzero likewise).
    public let seed: UInt64
    public let dataRank: Int
    public let parts: [CalibratedPart]
    /// The dyadic point of the float network (and of the certified intervals): W_t / 2^weights[t], x / 2^data,
    /// y / 2^targets.
    public let scaling: FloatScaling
}

public enum Calibrator {
    /// log2 of 2^20 / 16: weights drawn from -2^20...2^20 (`DrawPlan.files` with `largeValues`) are divided by 2^16
    /// more than those from -16...16, to the same float range.
    public static let largeValueShift = 16

    /// The power of two a layer's drawn integer weights (in -16...16) are divided by on the float path:
    /// 4 + ceil(log2 sqrt(fan-in)), so that |W| <= 1 / sqrt(fan-in); `shift` more for weights drawn larger.
    public static func weightExponent(fanIn: Int, shift: Int = 0) -> Int {
        4 + Int(ceil(log2(Double(fanIn).squareRoot()))) + shift
    }

    /// Whether calibrating `activation` under `loss` takes certified intervals as its reference (tanh, sigmoid, elu,
    /// or a loss other than mse) rather than exact ranks.
    public static func usesIntervals(loss: Loss, activation: Activation) -> Bool {
        LossIntervals.applies(loss: loss, activation: activation)
    }

    /// Calibrates one case under `loss` (default mse), at its first draw off every kink (the pipeline's draw step,
    /// `Analyzer.drawOffKinks`; for elu, the first draw whose pre-activations are proven nonzero, redrawn with
    /// seed + k * 2^32); throws InputError when every draw sits on one, or for what the intervals refuse (leaky-relu
    /// under cross-entropy or log-cosh, cross-entropy with one output, given data under a loss other than mse).
    public static func run(_ c: CalibrationCase, activation: Activation, loss: Loss = .mse,
                           parts: [HessianPart] = HessianPart.allCases, rules: [RankRule]) throws(InputError) -> CalibrationResult {
        if loss != .mse, case .given = c.data {
            throw InputError("calibrate: --loss \(loss) takes drawn data only (not yet files)")
        }
        if loss == .crossEntropy && c.architecture.outputWidth < 2 {
            throw InputError("calibrate: cross-entropy needs at least 2 outputs (classes); got K = \(c.architecture.outputWidth)")
        }
        do {
            // elu (or, rarely, a ReLU pre-activation the double balls cannot prove nonzero): drawn again.
            return try KinkRedraw.first(seed: c.seed, what: KinkRedraw.describe(c.architecture, samples: c.samples)) { seed in
                try run(c, activation: activation, loss: loss, parts: parts, rules: rules, seed: seed)
            }.value
        } catch let error as InputError {
            throw error
        } catch {
            preconditionFailure("Calibrator: unexpected \(error)")
        }
    }

    static func run(_ c: CalibrationCase, activation: Activation, loss: Loss, parts: [HessianPart], rules: [RankRule],
                    seed: UInt64) throws -> CalibrationResult {
        let plan: DrawPlan
        var scales: (data: Int, targets: Int, weights: Int)
        switch c.data {
        case .drawn(let distribution):
            plan = .integers(dataRank: c.dataRank, distribution: distribution)
            scales = (distribution.floatExponent, 4, 0)
        case let .given(_, x, y):
            plan = .files(x: x, y: y, largeValues: activation.hasKinks)
            scales = (0, 0, 0)
        }
        let drawn = try Analyzer.drawOffKinksWithExponents(c.architecture, samples: c.samples, plan: plan, seed: seed,
                                                           activation: activation)
        var problem = drawn.problem
        if case .given(_, _, let y) = c.data {
            // Drawn weights, biases and targets are integers at face value in the problem: over 2^16 more in the
            // float network when drawn from -2^20...2^20, and drawn targets over 2^4 (2^20), as for drawn data.
            let large = activation.hasKinks ? Self.largeValueShift : 0
            scales = (drawn.exponents.x, drawn.exponents.y + (y == nil ? 4 + large : 0), large)
        }
        if loss != .mse {
            // The loss's targets (`Generator.drawForLoss`), unscaled; the weights and data as for mse.
            let y = Generator.targetsForLoss(loss, samples: c.samples, outputs: c.architecture.outputWidth, seed: drawn.seed)
            problem = try Problem(architecture: problem.architecture, weights: problem.weights, biases: problem.biases,
                                  x: problem.x, y: y)
            scales.targets = 0
        }
        return try run(problem, c, activation: activation, loss: loss, parts: parts, rules: rules, seed: drawn.seed,
                       dataExponent: scales.data, targetExponent: scales.targets, weightShift: scales.weights)
    }

    /// Calibrates `problem`, whose float network is its data over 2^dataExponent and its targets over
    /// 2^targetExponent (see the top of this file). Throws `PiecewiseLinearHessian.Kink` or `LossIntervals.Kink` for
    /// a draw on a kink, InputError for what `LossIntervals` refuses.
    static func run(_ problem: Problem, _ c: CalibrationCase, activation: Activation, loss: Loss = .mse,
                    parts: [HessianPart], rules: [RankRule], seed: UInt64, dataExponent: Int, targetExponent: Int,
                    weightShift: Int = 0) throws -> CalibrationResult {
        let widths = problem.architecture.widths
        let weightExponents = (0..<problem.architecture.depth).map { weightExponent(fanIn: widths[$0], shift: weightShift) }
        let scaling = FloatScaling(weights: weightExponents, data: dataExponent, targets: targetExponent)
        let network = FloatNetwork(problem, activation: activation, weightExponents: weightExponents,
                                   dataExponent: dataExponent, targetExponent: targetExponent)
        let float = loss == .mse ? FloatHessian.compute(network) : FloatHessian.compute(network, loss: loss, as: Double.self)
        let dataRank = (try? CertifiedRank.rank(of: problem.x).rank) ?? min(problem.x.rowCount, problem.x.columnCount)
        // The formula column (a comparison): K - 1 classes under cross-entropy, as the paper states it.
        let formulaWidths = Array(widths.dropLast()) + [widths[widths.count - 1] - (loss == .crossEntropy ? 1 : 0)]
        let formulaValues: [HessianPart: Int]
        if problem.architecture.bias {
            // With biases, the with-bias conjecture (as `rank` compares): observed for linear networks, not proven.
            let augmented = problem.augmented.x
            let certified = (try? CertifiedRank.rank(of: augmented).rank) ?? min(augmented.rowCount, augmented.columnCount)
            let augmentedRank = max(dataRank, min(dataRank + 1, certified))   // rank [X, 1] is r or r + 1
            let conjecture = BiasNetworkConjecture(widths: formulaWidths, dataRank: dataRank, augmentedDataRank: augmentedRank)
            formulaValues = [.loss: conjecture.loss.value, .outer: conjecture.outer.value, .functional: conjecture.functional.value]
        } else {
            let formulas = LinearNetworkFormulas(widths: formulaWidths, dataRank: dataRank)
            formulaValues = [.loss: formulas.loss.value, .outer: formulas.outer.value, .functional: formulas.functional.value]
        }
        var exact: [HessianPart: RankResult]?
        var intervals: [HessianPart: RankInterval]?
        if usesIntervals(loss: loss, activation: activation) {
            // The certified intervals at the same dyadic point as the float Hessian.
            let all = try LossIntervals.analyze(problem, loss: loss, activation: activation, scaling: scaling)
            intervals = Dictionary(uniqueKeysWithValues: all.map { ($0.part, $0) })
        } else {
            // The integer problem with the same ranks (see the top of this file).
            let integer = problem.matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: dataExponent,
                                                                targetExponent: targetExponent)
            exact = try exactRanks(integer, activation: activation, parts: parts)
        }
        let p = problem.parameterCount
        let calibrated = parts.map { part in
            let values = (try? Spectrum.symmetricEigenvalues(float.entries(part), n: p)) ?? []
            let spectrum = values.map(abs).sorted(by: >)
            return CalibratedPart(
                part: part, reference: intervals == nil ? .exact : .interval,
                referenceRank: exact?[part]?.rank, interval: intervals?[part], referenceErrorBound: exact?[part]?.errorBound,
                formula: formulaValues[part]!, upperBound: nil, spectrum: spectrum,
                outcomes: rules.map { NumericalRank.evaluate($0, singularValues: spectrum, rows: p, columns: p) })
        }
        return CalibrationResult(network: .dense(c), activation: activation, loss: loss, seed: seed, dataRank: dataRank,
                                 parts: calibrated, scaling: scaling)
    }

    /// Exact ranks for piecewise-linear networks (`ExactHessians`), modulo a random 63-bit prime drawn from the
    /// system's entropy (independent of the seed and the data).
    static func exactRanks(_ problem: Problem, activation: Activation, parts: [HessianPart]) throws(PiecewiseLinearHessian.Kink) -> [HessianPart: RankResult] {
        let hessian = try ExactHessians.build(problem, activation: activation)
        return Dictionary(uniqueKeysWithValues: parts.map { part in
            (part, ModularRank.rank(of: hessian.rankSource(for: part), primes: .random(count: 1)))
        })
    }
}
