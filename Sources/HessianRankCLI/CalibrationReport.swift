// The JSON document of `hessian-rank calibrate --json` (format version 4): per case and part the spectrum, the
// reference (an exact rank, or a certified interval with its proven ends), every rule's outcome with its verdict; per
// rule the summary. Non-finite margins (no nonzero value) are null. A convolutional case has `input` and `layers`
// instead of `architecture`, and per part `upperBound` and `upperBoundStatement` instead of `formula`.
import HessianCore
import NumericalAlgebra

/// The JSON form of a calibration run.
struct CalibrationReport: Encodable {
    struct Outcome: Encodable {
        let rule: String
        let rank: Int
        let threshold: Double
        let marginDecades: Double?
        /// right, undecided (inside an interval that is not exact) or wrong.
        let verdict: String
        /// For a wrong rank, its distance to the reference (the interval's nearest end); absent otherwise.
        let missBy: Int?
    }

    struct Part: Encodable {
        let part: String
        /// "exact" or "interval".
        let reference: String
        /// The exact rank (absent for an interval reference).
        let referenceRank: Int?
        /// For an exact reference, the bound on the probability that it is below the rank over Q (absent for an
        /// interval, which is proven).
        let referenceErrorBound: Double?
        /// The certified interval (absent for an exact reference).
        let interval: IntervalReport?
        /// The linear formula (dense networks; absent for convolutional ones).
        let formula: Int?
        /// Convolutional networks: the tightest upper bound proven at the exact point, and its statement (p,
        /// jacobian-rows, unrolled:<id>: proofs/convolution.md); absent for dense networks.
        let upperBound: Int?
        let upperBoundStatement: String?
        let spectrum: [Double]
        let outcomes: [Outcome]
    }

    struct Case: Encodable {
        /// A dense network's widths (absent for a convolutional one).
        let architecture: [Int]?
        /// A convolutional network's input shape (e.g. 1x8x8) and layers in --layers syntax (absent for a dense one).
        let input: String?
        let layers: String?
        let samples: Int
        let data: String
        let seed: String
        let dataRank: Int
        /// The dyadic float network: W_t / 2^weights[t], x / 2^data, y / 2^targets.
        let scaling: FloatScaling
        let parts: [Part]
    }

    struct Summary: Encodable {
        let rule: String
        let agreements: Int
        let undecided: Int
        let wrong: Int
        let largestMiss: Int
        let total: Int
        let smallestMarginDecades: Double?
    }

    /// 2 added `referenceErrorBound`; 3 added `loss`, `scaling`, the interval reference (`interval`, with
    /// `referenceRank` then absent), each outcome's `verdict` and `missBy`, and the summary's `undecided`, `wrong` and
    /// `largestMiss`; 4 added convolutional cases (`input` and `layers` in place of `architecture`, `upperBound` and
    /// `upperBoundStatement` in place of `formula`).
    let formatVersion = 4
    let activation: String
    let loss: String
    let cases: [Case]
    let summary: [Summary]
    let recommended: String?

    init(activation: Activation, loss: Loss, results: [CalibrationResult], summaries: [RuleSummary], recommended: RuleSummary?) {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        self.activation = activation.rawValue
        self.loss = loss.rawValue
        cases = results.map { r in
            let dense: [Int]?, convolutional: ConvolutionalArchitecture?
            switch r.network {
            case .dense(let c): (dense, convolutional) = (c.architecture.widths, nil)
            case .convolutional(let c): (dense, convolutional) = (nil, c.architecture)
            }
            return Case(architecture: dense, input: convolutional?.input.description, layers: convolutional?.layersText,
                        samples: r.network.samples, data: r.network.dataLabel, seed: String(r.seed), dataRank: r.dataRank,
                        scaling: r.scaling,
                        parts: r.parts.map { p in
                            Part(part: p.part.rawValue, reference: p.reference.rawValue, referenceRank: p.referenceRank,
                                 referenceErrorBound: p.referenceErrorBound,
                                 interval: p.interval.map { IntervalReport($0) },
                                 formula: p.formula, upperBound: p.upperBound?.value, upperBoundStatement: p.upperBound?.statement,
                                 spectrum: p.spectrum,
                                 outcomes: zip(p.outcomes, p.verdicts).map { outcome, verdict in
                                     Outcome(rule: outcome.rule.description, rank: outcome.rank, threshold: outcome.threshold,
                                             marginDecades: finite(outcome.marginDecades), verdict: verdict.description,
                                             missBy: verdict.miss)
                                 })
                        })
        }
        summary = summaries.map { Summary(rule: $0.rule.description, agreements: $0.agreements, undecided: $0.undecided,
                                          wrong: $0.wrong, largestMiss: $0.largestMiss, total: $0.total,
                                          smallestMarginDecades: finite($0.smallestMargin)) }
        self.recommended = recommended?.rule.description
    }
}
