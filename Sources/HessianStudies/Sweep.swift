// The paper's three studies (arXiv 2106.16225), with exact ranks: rank against width, depth and sample size.
//
// - width:   d = 64, hidden [w, w], K = 10, N = 100, w = 4, 8, ..., 56 (p up to 7,280);
// - depth:   d = 16, 1 ... 9 hidden layers of width 25, K = 10, N = 50;
// - samples: d = 64, hidden [10, 10], K = 10, N = 10, 25, 50, 75, 100, 150, 200, 300, 400.
// Point i is drawn with seed + i. A shard i/n runs the points whose index is i - 1 modulo n, so a job array of n
// tasks covers every point once, deterministically. With ReLU hidden layers (the paper's comparison) every value is
// drawn from -2^20...2^20 (`Generator.drawLargeValues`: with -16...16 nearly every wide network sits on a kink), and a
// draw that still sits on a kink, where there is no Hessian, is redrawn with seed + i + k 2^32, k = 1, 2, ...; the
// record keeps the seed used. Data from files (`SweepData.file`, `sweep --x`) replace the drawn data: point i uses the
// first N rows (N its samples), exactly at their values, with weights and biases drawn as above (`DrawPlan.files`).
import ExactAlgebra
import Foundation
import HessianAnalysis
import HessianConstructions
import NetworkModel

public enum SweepStudy: String, Sendable, CaseIterable, Codable {
    case width, depth, samples

    public struct Point: Sendable, Equatable {
        public let index: Int
        /// The study's variable: w, the number of hidden layers, or N.
        public let variable: Int
        public let architecture: Architecture
        public let samples: Int
    }

    public var variableName: String {
        switch self {
        case .width: "w"
        case .depth: "hidden layers"
        case .samples: "N"
        }
    }

    public var points: [Point] {
        let specs: [(Int, [Int], Int)]
        switch self {
        case .width: specs = stride(from: 4, through: 56, by: 4).map { ($0, [64, $0, $0, 10], 100) }
        case .depth: specs = (1...9).map { ($0, [16] + Array(repeating: 25, count: $0) + [10], 50) }
        case .samples: specs = [10, 25, 50, 75, 100, 150, 200, 300, 400].map { ($0, [64, 10, 10, 10], $0) }
        }
        return specs.enumerated().map { index, spec in
            // The shapes above are valid by construction.
            Point(index: index, variable: spec.0, architecture: try! Architecture(widths: spec.1), samples: spec.2)
        }
    }

    /// The points of shard `shard` (1-based) of `count`.
    public func points(shard: Int, of count: Int) -> [Point] {
        points.filter { $0.index % count == shard - 1 }
    }

    /// The points whose variable is in `values`, each with its index (and so its seed) in the whole study: a run of
    /// a few points prints the same rows as the whole run.
    public func points(only values: [Int]) -> [Point] {
        points.filter { values.contains($0.variable) }
    }
}

/// One analysed point of a sweep: a line of the sweep's JSON-lines output, and what `merge` reads.
public struct SweepRecord: Codable, Sendable, Equatable {
    /// 2 added `activation` and leaves out `generic` for ReLU.
    /// 3 replaced `generic` by `conditionsHold` (the diagnostics C1-C4, proofs/genericity.md) and added `primes`.
    /// 4 added `exactBy`. With --certify, `primes` lists only the largest and smallest of the certification's primes
    /// (same field and type, so still 4: `merge` keeps reading earlier sweeps).
    public static let currentFormatVersion = 4

    public struct Values: Codable, Sendable, Equatable {
        public let loss: Int
        public let outer: Int
        public let functional: Int
    }

    public let formatVersion: Int
    public let study: SweepStudy
    public let index: Int
    public let variable: Int
    public let architecture: [Int]
    /// true when every layer has a bias (`sweep --bias`); absent otherwise.
    public let bias: Bool?
    /// "linear", "relu" or "leaky-relu:a/b" (hidden layers).
    public let activation: String
    /// "signed" (the default draws), "nonnegative" (ReLU studies with inputs in [0, 1] scaled: `--data nonnegative`)
    /// or "file:NAME" (data from a file, `--x`; "file:X,Y" with targets from a file too): `SweepData.label`.
    public let data: String
    public let samples: Int
    public let seed: String
    public let parameters: Int
    public let dataRank: Int
    public let ranks: Values
    public let formula: Values
    public let verdicts: [String]
    /// Whether the diagnostics C1-C4 hold; absent for ReLU (the diagnosis is the linear network's).
    public let conditionsHold: Bool?
    public let errorBound: Double
    /// Per part (loss, outer, functional): the id of the upper bound proven at every point that the rank meets, which
    /// makes it exact whatever the primes (proofs/upper-bounds.md), or null; absent in generic mode.
    public let exactBy: [String?]?
    /// The primes the point was ranked with (decimal strings), drawn from the system's entropy by the run; with
    /// --certify the largest and smallest of certification's fixed sequence (`AnalysisReport.Method.primes`).
    public let primes: [String]
    public let seconds: Double

    public init(study: SweepStudy, point: SweepStudy.Point, analysis: Analysis, data: SweepData = .signed, seconds: Double) {
        formatVersion = Self.currentFormatVersion
        self.study = study
        index = point.index
        variable = point.variable
        architecture = point.architecture.widths
        bias = analysis.problem.architecture.bias ? true : nil
        activation = analysis.activation.rawValue
        self.data = data.label
        samples = point.samples
        seed = String(analysis.seed)
        parameters = analysis.problem.parameterCount
        dataRank = analysis.dataRank
        func values(_ value: (PartAnalysis) -> Int) -> Values {
            Values(loss: value(analysis.part(.loss)), outer: value(analysis.part(.outer)), functional: value(analysis.part(.functional)))
        }
        ranks = values(\.rank.rank)
        formula = values(\.formula.value)
        verdicts = analysis.parts.map(\.verdict.rawValue)
        conditionsHold = analysis.diagnosis?.conditionsHold
        // A sweep draws its primes from the system's entropy, so its bounds always apply; 1 is the trivial bound.
        errorBound = analysis.errorBound ?? 1
        exactBy = analysis.parts[0].upperBound == nil ? nil : analysis.parts.map { $0.exactBy?.statement }
        primes = analysis.reportedPrimes.map { String($0) }
        self.seconds = seconds
    }
}

/// Where a sweep's data come from.
public enum SweepData: Sendable {
    /// Drawn: integers in -16...16, or for studies with kinks in -2^20...2^20.
    case signed
    /// Drawn, for studies with kinks: inputs in 0...2^20 ([0, 1] scaled, as in the paper).
    case nonnegative
    /// From files: data (N_max x d) and optionally targets (N_max x K); point i uses their first N rows.
    case file(name: String, x: [[Double]], y: [[Double]]?)

    /// The records' `data`: "signed", "nonnegative" or "file:NAME".
    public var label: String {
        switch self {
        case .signed: "signed"
        case .nonnegative: "nonnegative"
        case .file(let name, _, _): "file:\(name)"
        }
    }

    /// How `point` is drawn: integers, or uniformly over F_p in generic mode (linear networks); with kinks every drawn
    /// value from -2^20...2^20; files' data (the first N rows) in place of drawn ones.
    public func plan(_ point: SweepStudy.Point, generic: Bool, activation: Activation) -> DrawPlan {
        switch self {
        case .file(_, let x, let y):
            .files(x: Array(x.prefix(point.samples)), y: y.map { Array($0.prefix(point.samples)) },
                   largeValues: activation.hasKinks)
        case .signed, .nonnegative:
            generic ? .field(dataRank: nil)
                : activation.hasKinks ? .largeValues(nonnegativeData: self.isNonnegative) : .integers(dataRank: nil)
        }
    }

    var isNonnegative: Bool { if case .nonnegative = self { true } else { false } }
}

public enum SweepRunner {
    /// Analyses one point on the pipeline (`Analyzer.analyzeDrawn`) with seed + index, drawn by `data.plan`; a
    /// network with kinks (relu, leaky-relu) is redrawn on a kink. With `bias`, every layer of the point gets a bias.
    public static func run(_ study: SweepStudy, _ point: SweepStudy.Point, seed: UInt64, generic: Bool,
                           activation: Activation = .linear, bias: Bool = false,
                           data: SweepData = .signed) throws -> SweepRecord {
        precondition(activation.isPiecewiseLinear && !(generic && activation != .linear), "SweepRunner: piecewise linear over Z, or linear over F_p")
        precondition(!data.isNonnegative || activation.hasKinks, "SweepRunner: non-negative data are for ReLU studies")
        if case .file(_, let x, _) = data {
            precondition(!generic && x.count >= point.samples, "SweepRunner: a file's data are ranked over Z, with N rows at least")
        }
        let pointSeed = seed &+ UInt64(point.index)
        let clock = ContinuousClock()
        let start = clock.now
        let analysis = try Analyzer.analyzeDrawn(point.architecture.withBias(bias), samples: point.samples,
                                                 plan: data.plan(point, generic: generic, activation: activation),
                                                 seed: pointSeed, options: RankOptions(activation: activation))
        return SweepRecord(study: study, point: point, analysis: analysis, data: data, seconds: (clock.now - start).seconds)
    }
}
