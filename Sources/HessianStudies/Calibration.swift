// Tolerance calibration: the float spectrum of each Hessian, the rank every numerical rule reads off it, and the
// ground truth to judge them by (the exact rank for linear and ReLU networks, the formula for tanh).
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

public struct CalibratedPart: Sendable {
    public enum Reference: String, Sendable, Codable {
        /// The rank over Q of the same Hessian (modulo a random 63-bit prime, with its error bound).
        case exact
        /// The closed form (tanh: no exact rank exists).
        case formula
    }

    public let part: HessianPart
    public let reference: Reference
    public let referenceRank: Int
    /// For an exact reference: the bound on the probability that `referenceRank`, a rank modulo a prime drawn from
    /// the system's entropy, is below the rank over Q (`ModularRank`); nil for the formula.
    public let referenceErrorBound: Double?
    public let formula: Int
    /// |eigenvalues| of the float Hessian, descending.
    public let spectrum: [Double]
    public let outcomes: [RankOutcome]
}

public struct CalibrationResult: Sendable {
    public let calibrationCase: CalibrationCase
    public let activation: Activation
    /// The seed actually used (a ReLU draw on a kink is redrawn with seed + k * 2^32).
    public let seed: UInt64
    public let dataRank: Int
    public let parts: [CalibratedPart]
}

public enum Calibrator {
    /// log2 of 2^20 / 16: weights drawn from -2^20...2^20 (`DrawPlan.files` with `largeValues`) are divided by 2^16
    /// more than those from -16...16, to the same float range.
    public static let largeValueShift = 16

    /// Calibrates one case, at its first draw off every kink (the pipeline's draw step, `Analyzer.drawOffKinks`);
    /// throws InputError when every draw sits on one.
    public static func run(_ c: CalibrationCase, activation: Activation, parts: [HessianPart] = HessianPart.allCases,
                           rules: [RankRule]) throws(InputError) -> CalibrationResult {
        do {
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
            let drawn = try Analyzer.drawOffKinksWithExponents(c.architecture, samples: c.samples, plan: plan, seed: c.seed,
                                                               activation: activation)
            if case .given(_, _, let y) = c.data {
                // Drawn weights, biases and targets are integers at face value in the problem: over 2^16 more in the
                // float network when drawn from -2^20...2^20, and drawn targets over 2^4 (2^20), as for drawn data.
                let large = activation.hasKinks ? Self.largeValueShift : 0
                scales = (drawn.exponents.x, drawn.exponents.y + (y == nil ? 4 + large : 0), large)
            }
            return try run(drawn.problem, c, activation: activation, parts: parts, rules: rules, seed: drawn.seed,
                           dataExponent: scales.data, targetExponent: scales.targets, weightShift: scales.weights)
        } catch let error as InputError {
            throw error
        } catch {
            preconditionFailure("Calibrator: unexpected \(error)")
        }
    }

    /// Calibrates `problem`, whose float network is its data over 2^dataExponent and its targets over
    /// 2^targetExponent (see the top of this file).
    static func run(_ problem: Problem, _ c: CalibrationCase, activation: Activation, parts: [HessianPart],
                    rules: [RankRule], seed: UInt64, dataExponent: Int, targetExponent: Int,
                    weightShift: Int = 0) throws(PiecewiseLinearHessian.Kink) -> CalibrationResult {
        let widths = problem.architecture.widths
        let weightExponents = (0..<problem.architecture.depth).map {
            4 + Int(ceil(log2(Double(widths[$0]).squareRoot()))) + weightShift
        }
        let float = FloatHessian.compute(FloatNetwork(problem, activation: activation, weightExponents: weightExponents,
                                                      dataExponent: dataExponent, targetExponent: targetExponent))
        // The integer problem with the same ranks (see the top of this file).
        let integer = problem.matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: dataExponent,
                                                            targetExponent: targetExponent)
        let dataRank = (try? CertifiedRank.rank(of: problem.x).rank) ?? min(problem.x.rowCount, problem.x.columnCount)
        let formulaValues: [HessianPart: Int]
        if problem.architecture.bias {
            // With biases, the with-bias conjecture (as `rank` compares): observed for linear networks, not proven.
            let augmented = problem.augmented.x
            let certified = (try? CertifiedRank.rank(of: augmented).rank) ?? min(augmented.rowCount, augmented.columnCount)
            let augmentedRank = max(dataRank, min(dataRank + 1, certified))   // rank [X, 1] is r or r + 1
            let conjecture = BiasNetworkConjecture(widths: widths, dataRank: dataRank, augmentedDataRank: augmentedRank)
            formulaValues = [.loss: conjecture.loss.value, .outer: conjecture.outer.value, .functional: conjecture.functional.value]
        } else {
            let formulas = LinearNetworkFormulas(widths: widths, dataRank: dataRank)
            formulaValues = [.loss: formulas.loss.value, .outer: formulas.outer.value, .functional: formulas.functional.value]
        }
        let exact = try exactRanks(integer, activation: activation, parts: parts)
        let p = problem.parameterCount
        let calibrated = parts.map { part in
            let values = (try? Spectrum.symmetricEigenvalues(float.entries(part), n: p)) ?? []
            let spectrum = values.map(abs).sorted(by: >)
            return CalibratedPart(
                part: part, reference: exact == nil ? .formula : .exact,
                referenceRank: exact?[part]?.rank ?? formulaValues[part]!, referenceErrorBound: exact?[part]?.errorBound,
                formula: formulaValues[part]!, spectrum: spectrum,
                outcomes: rules.map { NumericalRank.evaluate($0, singularValues: spectrum, rows: p, columns: p) })
        }
        return CalibrationResult(calibrationCase: c, activation: activation, seed: seed, dataRank: dataRank, parts: calibrated)
    }

    /// Exact ranks for piecewise-linear networks (`ExactHessians`), modulo a random 63-bit prime drawn from the
    /// system's entropy (independent of the seed and the data); nil for tanh, sigmoid and elu.
    static func exactRanks(_ problem: Problem, activation: Activation, parts: [HessianPart]) throws(PiecewiseLinearHessian.Kink) -> [HessianPart: RankResult]? {
        guard activation.isPiecewiseLinear else { return nil }
        let hessian = try ExactHessians.build(problem, activation: activation)
        return Dictionary(uniqueKeysWithValues: parts.map { part in
            (part, ModularRank.rank(of: hessian.rankSource(for: part), primes: .random(count: 1)))
        })
    }
}
