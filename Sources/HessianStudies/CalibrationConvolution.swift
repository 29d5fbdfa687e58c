// Tolerance calibration for linear convolutional networks under mse: the float64 Hessians a float pipeline computes
// (`ParametrizedHessians.float`: the exact construction's algorithm run over `DoubleMatrix`, products by BLAS), their
// spectra (LAPACK, as for dense networks), every rule's rank, judged against the exact rank of the same Hessian.
//
// The point is `ConvolutionalProblem.draw` at the case's seed (the one `rank --input --layers` and `fixtures --preset
// conv` draw), scaled by powers of two as the dense calibration scales its draws (Calibration.swift): layer t's weights
// by 2^-a_t with a_t = 4 + ceil(log2 sqrt(fan-in)) (fan-in C_in k or C_in k^2 for a convolution, the flattened input
// for a dense layer, so |W| <= 1 / sqrt(fan-in)), the data by 2^-4 (to [-1, 1]), the targets by 2^-4, and layer t's
// biases by 2^-(a_1 + ... + a_t + 4), the scale of its pre-activation. The float Hessian is then D H~ D / 2^(2S) of
// the exact Hessian H~ of the integer problem with its targets times 2^(S - 4) (`ParametrizedHessians.matchedProblem`,
// where the argument is written out), D a diagonal of powers of two: the same rank, which is the reference, modulo a
// prime drawn from the system's entropy with its error bound, as for dense networks. No closed form is known here, so
// each part carries instead the tightest upper bound proven at that integer point (`PointUpperBounds.bounds`).
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import NumericalAlgebra
import RankFormulas

extension Calibrator {
    /// The float path's exponents for a convolutional network (see the top of this file): a_t per layer from its
    /// fan-in, data and targets over 2^4.
    public static func scaling(_ architecture: ConvolutionalArchitecture) -> FloatScaling {
        let exponent = DataDistribution.integer.floatExponent
        return FloatScaling(weights: (0..<architecture.depth).map { weightExponent(fanIn: architecture.fanIn($0)) },
                            data: exponent, targets: exponent)
    }

    /// Calibrates one linear convolutional network under mse: the float64 Hessians' spectra, every rule's rank, the
    /// exact rank of the same Hessians as the reference.
    public static func run(_ c: ConvolutionalNetworkCase, parts: [HessianPart] = HessianPart.allCases,
                           rules: [RankRule]) throws(InputError) -> CalibrationResult {
        let problem = try c.draw()
        let scaling = scaling(c.architecture)
        let float = ParametrizedHessians.float(problem, weightExponents: scaling.weights, dataExponent: scaling.data,
                                               targetExponent: scaling.targets, parts: Set(parts))
        // The integer problem whose Hessians are the float ones up to a diagonal power-of-two scaling.
        let matched = ParametrizedHessians.matchedProblem(problem, weightExponents: scaling.weights, dataExponent: scaling.data,
                                                          targetExponent: scaling.targets)
        let exact = ParametrizedHessians.ranks(matched, primes: .random(count: 1))
        let bounds: [HessianPart: [UpperBound]]
        do { bounds = try PointUpperBounds.bounds(matched) } catch {
            // Certified ranks of the small data and residual matrices; their failure is a bug, not bad input.
            preconditionFailure("Calibrator: the bounds at a convolutional point: \(error)")
        }
        let dataRank = (try? CertifiedRank.rank(of: problem.x).rank) ?? min(problem.x.rowCount, problem.x.columnCount)
        let p = problem.parameterCount
        let calibrated = parts.map { part in
            let values = (try? Spectrum.symmetricEigenvalues(float[part]!.entries, n: p)) ?? []
            let spectrum = values.map(abs).sorted(by: >)
            let reference = exact[HessianPart.allCases.firstIndex(of: part)!]
            return CalibratedPart(
                part: part, reference: .exact, referenceRank: reference.rank, interval: nil,
                referenceErrorBound: reference.errorBound, formula: nil, upperBound: UpperBound.tightest(bounds[part]!),
                spectrum: spectrum,
                outcomes: rules.map { NumericalRank.evaluate($0, singularValues: spectrum, rows: p, columns: p) })
        }
        return CalibrationResult(network: .convolutional(c), activation: .linear, loss: .mse, seed: c.seed, dataRank: dataRank,
                                 parts: calibrated, scaling: scaling)
    }
}
