// The JSON document of `hessian-rank calibrate --json` (format version 1): per case and part the spectrum, the
// reference rank and every rule's outcome; per rule the summary. Non-finite margins (no nonzero value) are null.
import HessianCore
import NumericalAlgebra

/// The JSON form of a calibration run.
struct CalibrationReport: Encodable {
    struct Outcome: Encodable {
        let rule: String
        let rank: Int
        let threshold: Double
        let marginDecades: Double?
    }

    struct Part: Encodable {
        let part: String
        let reference: String
        let referenceRank: Int
        /// For an exact reference, the bound on the probability that it is below the rank over Q (absent for the
        /// formula).
        let referenceErrorBound: Double?
        let formula: Int
        let spectrum: [Double]
        let outcomes: [Outcome]
    }

    struct Case: Encodable {
        let architecture: [Int]
        let samples: Int
        let data: String
        let seed: String
        let dataRank: Int
        let parts: [Part]
    }

    struct Summary: Encodable {
        let rule: String
        let agreements: Int
        let total: Int
        let smallestMarginDecades: Double?
    }

    /// 2 added `referenceErrorBound`.
    let formatVersion = 2
    let activation: String
    let cases: [Case]
    let summary: [Summary]
    let recommended: String?

    init(activation: Activation, results: [CalibrationResult], summaries: [RuleSummary], recommended: RuleSummary?) {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        self.activation = activation.rawValue
        cases = results.map { r in
            Case(architecture: r.calibrationCase.architecture.widths, samples: r.calibrationCase.samples,
                 data: r.calibrationCase.data.label, seed: String(r.seed), dataRank: r.dataRank,
                 parts: r.parts.map { p in
                     Part(part: p.part.rawValue, reference: p.reference.rawValue, referenceRank: p.referenceRank,
                          referenceErrorBound: p.referenceErrorBound, formula: p.formula, spectrum: p.spectrum,
                          outcomes: p.outcomes.map { Outcome(rule: $0.rule.description, rank: $0.rank, threshold: $0.threshold,
                                                             marginDecades: finite($0.marginDecades)) })
                 })
        }
        summary = summaries.map { Summary(rule: $0.rule.description, agreements: $0.agreements, total: $0.total,
                                          smallestMarginDecades: finite($0.smallestMargin)) }
        self.recommended = recommended?.rule.description
    }
}
