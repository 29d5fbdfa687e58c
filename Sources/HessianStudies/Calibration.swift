// Tolerance calibration: the float spectrum of each Hessian, the rank every numerical rule reads off it, and the
// ground truth to judge them by (the exact rank for linear and ReLU networks, the formula for tanh).
//
// One draw serves both paths. The generator's integers are scaled by powers of two for the float path: W_t by
// 2^-a_t with a_t = 4 + ceil(log2 sqrt(fan-in)) (so |W| <= 1 / sqrt(fan-in)), the data by 2^-4 (integers) or 2^-8
// (`uniform01`, inputs in [0, 1]) or by the common power of two of given data (`Dyadic`), the targets by 2^-4. These
// Doubles are exact. The exact path ranks the integer
// problem with the targets multiplied by 2^(sum a + b - c): with f~ the integer network (ReLU is positively
// homogeneous), f = f~ / 2^(sum a + b) and y = y~' / 2^(sum a + b), so the float Hessian equals D H~ D / 2^(2(sum a + b))
// with D = diag(2^a_t) per layer, and has exactly the same rank as the integer one, H~.
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
    /// Given (a file): the values are x / 2^exponent exactly (`Dyadic.integers`).
    case given(name: String, x: IntegerMatrix, exponent: Int)

    public var label: String {
        switch self {
        case .drawn(let distribution): distribution.rawValue
        case .given(let name, _, _): name
        }
    }

    /// The float path divides the integer data by 2^floatExponent.
    var floatExponent: Int {
        switch self {
        case .drawn(let distribution): distribution.floatExponent
        case .given(_, _, let exponent): exponent
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
    /// Calibrates one case, at its first draw off every kink (the pipeline's draw step, `Analyzer.drawOffKinks`);
    /// throws InputError when every draw sits on one.
    public static func run(_ c: CalibrationCase, activation: Activation, parts: [HessianPart] = HessianPart.allCases,
                           rules: [RankRule]) throws(InputError) -> CalibrationResult {
        do {
            let plan: DrawPlan
            switch c.data {
            case .drawn(let distribution): plan = .integers(dataRank: c.dataRank, distribution: distribution)
            case .given(_, let x, _): plan = .data(x)
            }
            let (seed, problem) = try Analyzer.drawOffKinks(c.architecture, samples: c.samples, plan: plan, seed: c.seed,
                                                            activation: activation)
            return try run(problem, c, activation: activation, parts: parts, rules: rules, seed: seed)
        } catch let error as InputError {
            throw error
        } catch {
            preconditionFailure("Calibrator: unexpected \(error)")
        }
    }

    static func run(_ problem: Problem, _ c: CalibrationCase, activation: Activation, parts: [HessianPart],
                    rules: [RankRule], seed: UInt64) throws(PiecewiseLinearHessian.Kink) -> CalibrationResult {
        let widths = problem.architecture.widths
        let weightExponents = (0..<problem.architecture.depth).map { 4 + Int(ceil(log2(Double(widths[$0]).squareRoot()))) }
        let (dataExponent, targetExponent) = (c.data.floatExponent, 4)
        let float = FloatHessian.compute(FloatNetwork(problem, activation: activation, weightExponents: weightExponents,
                                                      dataExponent: dataExponent, targetExponent: targetExponent))
        // The integer problem with the same ranks (see the top of this file).
        let integer = problem.matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: dataExponent,
                                                            targetExponent: targetExponent)
        let dataRank = (try? CertifiedRank.rank(of: problem.x).rank) ?? min(problem.x.rowCount, problem.x.columnCount)
        let formulas = LinearNetworkFormulas(widths: widths, dataRank: dataRank)
        let formulaValues: [HessianPart: Int] = [.loss: formulas.loss.value, .outer: formulas.outer.value,
                                                 .functional: formulas.functional.value]
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
