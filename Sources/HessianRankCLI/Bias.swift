// `hessian-rank bias`: the with-bias conjecture (not the paper's), checked at uniform points of F_p on the built-in grid.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

struct Bias: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the with-bias conjecture (an empirical fit, not the paper's theorem) exactly on the built-in grid.",
        discussion: """
            The networks of `verify`'s grid, with a bias in every layer: f(x) = W_L(...(W_1 x + b_1)...) + b_L, \
            each once with generic data (rank [X, 1] = rank X + 1 when N > d) and once with a constant first input \
            (rank [X, 1] = rank X). Weights, biases, data and targets are drawn uniformly modulo a random 63-bit prime \
            (generic mode: the conjecture is about generic ranks; one prime for the run), and the ranks of H_L, H_O, \
            H_F there stand beside the conjecture (proofs/statements/bias.md), judged by the engine of `hessian-rank \
            conjecture`, which redraws a shortfall up to \(ConjectureCheck.defaultRedraws) times (seed + k 2^32) \
            before it counts. Verdicts: equal; ABOVE, \
            which refutes the conjecture for certain (the rank at a point never exceeds the generic rank over Q); \
            below, which refutes it unless the draw was unlucky: the rank fell below the generic rank over F_p \
            (probability at most the stated bound), r or r~ fell short over F_p, or the prime is one of the finitely \
            many where ranks over F_p and Q differ. Exit 0 iff every rank equals the conjecture; 1 otherwise.

            The column certified lists the parts (L, O, F) whose rank meets an upper bound proven at every point: \
            the bounds of the augmented bias-free network, read with the largest rank [X, 1] the draw allows \
            (proofs/upper-bounds.md). For those parts the generic rank over Q is that number for certain, whatever \
            the prime; the conjecture itself is never used as a bound. --json lists them per record (certifiedBy).

            With --arch and --samples (and optionally --data-rank, --constant-feature) it checks that one network \
            instead, e.g. hessian-rank bias --arch 6,2,5,2,5 --samples 9.
            """
    )

    @OptionGroup var network: NetworkOptions

    @Flag(name: .customLong("constant-feature"), help: "With --arch: make the first input 1 in every sample, so rank [X, 1] = rank X.")
    var constantFeature = false

    @Option(name: .long, help: ArgumentHelp("""
        default (verify's grid, 155 networks) or wide: every network with d in {2, 3, 5}, 1 to 3 hidden layers of \
        widths in {1, 2, 3, 5}, K in {1, 2, 4}, N in {d - 1, d + 2}, each with drawn data and with a constant first \
        input (3,024 networks).
        """, valueName: "name"))
    var grid: String = "default"

    /// The wide grid: every shape in the product above, in a fixed order.
    static var wideShapes: [(widths: [Int], samples: Int)] {
        var shapes: [(widths: [Int], samples: Int)] = []
        func hidden(_ count: Int) -> [[Int]] {
            count == 0 ? [[]] : hidden(count - 1).flatMap { prefix in [1, 2, 3, 5].map { prefix + [$0] } }
        }
        for layers in 1...3 {
            for d in [2, 3, 5] {
                for middle in hidden(layers) {
                    for k in [1, 2, 4] {
                        for n in [d - 1, d + 2] { shapes.append(([d] + middle + [k], n)) }
                    }
                }
            }
        }
        return shapes
    }

    @Flag(name: .long, help: "Print one JSON document instead of the table.")
    var json = false

    func validate() throws {
        guard !network.bias else { throw ValidationError("--bias: the bias command gives every layer a bias already; leave --bias out") }
        guard grid == "default" || grid == "wide" else { throw ValidationError("--grid: expected default or wide; got '\(grid)'") }
        if network.arch != nil || network.samples != nil {
            try network.requireDraw()
            // The augmented network [[W, b], [0, 1]] on [X, 1] is what gets ranked.
            let augmented: Architecture
            do { augmented = try Problem.augmentedArchitecture(network.architecture) } catch {
                throw NetworkOptions.refusal(error, prefix: "--arch: with biases, ", widths: "\(network.architecture) with biases",
                                             samples: network.sampleCount, limit: network.maxMemory)
            }
            try NetworkOptions.checkMemory(augmented, samples: network.sampleCount, dataRank: network.dataRankValue,
                                           values: .field, limit: network.maxMemory, workload: .bias)
        } else if constantFeature || network.dataRank != nil {
            throw ValidationError("--constant-feature and --data-rank: only with --arch and --samples (the grid has its own)")
        }
    }

    struct Record: Encodable {
        let architecture: [Int]
        let samples: Int
        /// Whether the first input is the constant 1 (so rank [X, 1] = rank X).
        let constantFeature: Bool
        let seed: String
        let prime: String
        let parameters: Int
        let dataRank: Int
        let augmentedDataRank: Int
        /// loss, outer, functional.
        let ranks: [Int]
        let conjecture: [Int]
        let verdicts: [String]
        /// Per part, the id of the upper bound proven at every point that the rank meets (so the generic rank over Q
        /// is that rank, for certain), or null.
        let certifiedBy: [String?]
        let errorBound: Double
    }

    struct Report: Encodable {
        /// 2 added `certifiedBy` and `certifiedRanks`.
        let formatVersion = 2
        let seed: String
        let records: [Record]
        let networks: Int
        let equalRanks: Int
        let ranksAbove: Int
        let ranksBelow: Int
        let certifiedRanks: Int
        let confirmed: Bool
    }

    /// The engine's verdict, as this table has always written it (the conjecture's texts always have a value).
    static func verdict(_ verdict: Verdict) -> String {
        verdict == .equal ? "equal" : verdict == .above ? "ABOVE" : "below"
    }

    func run() throws {
        let base = network.seedValue
        // One network from --arch; or every grid case with generic data, then every one without a prescribed rank
        // with a constant first input (seeds continue after the grid's). Each case pairs with whether its first input
        // is the constant 1.
        let cases: [(network: NetworkCase, constant: Bool)]
        if network.arch != nil {
            cases = [(NetworkCase(architecture: network.architecture, samples: network.sampleCount,
                                  dataRank: network.dataRankValue, seed: base), constantFeature)]
        } else if grid == "wide" {
            // The shapes are valid by construction; shape i uses seed + 2i (drawn data) and seed + 2i + 1 (constant).
            cases = Self.wideShapes.enumerated().flatMap { i, shape in
                [false, true].enumerated().map { j, constant in
                    (NetworkCase(architecture: try! Architecture(widths: shape.widths), samples: shape.samples,
                                 seed: base &+ UInt64(2 * i + j)), constant)
                }
            }
        } else {
            let verifyGrid = VerifyGrid.cases(seed: base)
            cases = verifyGrid.map { ($0, false) }
                + verifyGrid.filter { $0.dataRank == nil }.enumerated()
                    .map { ($1.with(seed: base &+ UInt64(verifyGrid.count + $0)), true) }
        }
        // The with-bias conjecture's texts through the engine every conjecture goes through (`ConjectureCheck`), in
        // generic mode over one prime for the run; a shortfall is drawn again before it counts.
        let checker = ConjectureCheck(conjecture: BuiltInConjectures.bias, options: RankOptions(primes: .random(count: 1)),
                                      fieldPrime: Primes.fromSystemEntropy())
        var progress = Progress("bias", total: cases.count)
        var analyses: [BiasAnalysis] = []
        var judgements: [[FormulaJudgement]] = []
        for (n, c) in cases.enumerated() {
            progress.update(n, c.network.architecture.description)
            let check = try checker.check(GridCase(architecture: c.network.architecture.withBias(true), samples: c.network.samples,
                                                   dataRank: c.network.dataRank, activation: .linear, loss: .mse,
                                                   constantFeature: c.constant),
                                          seed: c.network.seed)
            // Linear networks under mse: exact ranks, never intervals.
            analyses.append(BiasAnalysis(analysis: check.analysis!, constantFeature: c.constant, requestedDataRank: c.network.dataRank))
            judgements.append(check.judgements)
        }
        progress.update(cases.count)
        progress.finish()
        let pairs = analyses.flatMap { a in zip(a.ranks, a.formulas.map(\.value)) }
        let report = Report(
            seed: network.seed,
            records: zip(analyses, judgements).map { a, judged in
                Record(architecture: a.problem.architecture.widths, samples: a.problem.sampleCount,
                       constantFeature: a.constantFeature, seed: String(a.seed), prime: String(a.prime), parameters: a.problem.parameterCount,
                       dataRank: a.dataRank, augmentedDataRank: a.augmentedDataRank, ranks: a.ranks,
                       conjecture: a.formulas.map(\.value),
                       verdicts: judged.map { Self.verdict($0.verdict!) },
                       certifiedBy: a.certifiedBy.map { $0?.statement }, errorBound: a.errorBound)
            },
            networks: analyses.count, equalRanks: pairs.filter { $0 == $1 }.count,
            ranksAbove: pairs.filter { $0 > $1 }.count, ranksBelow: pairs.filter { $0 < $1 }.count,
            certifiedRanks: analyses.reduce(0) { $0 + $1.certifiedBy.compactMap { $0 }.count },
            confirmed: pairs.allSatisfy { $0 == $1 })
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
        } else {
            print(Self.table(report))
        }
        if !report.confirmed { throw CommandFailure.checkFailed }
    }

    /// One row per network, then the summary line.
    static func table(_ report: Report) -> String {
        let pad = Rank.pad
        var lines = [pad("widths", 18) + pad("N", 4) + pad("x_1", 6) + pad("p", 5) + pad("r", 4) + pad("r~", 4)
                     + pad("rank L/O/F", 15) + pad("conjecture L/O/F", 18) + pad("certified", 10) + "verdicts"]
        for r in report.records {
            let verdicts = Set(r.verdicts) == ["equal"] ? "equal"
                : zip(["H_L", "H_O", "H_F"], r.verdicts).map { "\($0) \($1)" }.joined(separator: ", ")
            lines.append(pad(r.architecture.map(String.init).joined(separator: ","), 18) + pad(String(r.samples), 4)
                         + pad(r.constantFeature ? "1" : "drawn", 6) + pad(String(r.parameters), 5)
                         + pad(String(r.dataRank), 4) + pad(String(r.augmentedDataRank), 4)
                         + pad(r.ranks.map(String.init).joined(separator: "/"), 15)
                         + pad(r.conjecture.map(String.init).joined(separator: "/"), 18)
                         + pad(Self.certifiedParts(r.certifiedBy), 10) + verdicts)
        }
        let bound = report.records.map(\.errorBound).max() ?? 0
        let ranks = report.equalRanks + report.ranksAbove + report.ranksBelow
        lines.append((report.confirmed ? "CONFIRMED" : "REFUTED")
            + ": \(report.networks) bias network\(report.networks == 1 ? "" : "s"), \(ranks) ranks: "
            + "\(report.equalRanks) equal to the conjecture, \(report.ranksAbove) above (each refutes it for certain), "
            + "\(report.ranksBelow) below; generic mode over F_p: each rank is a certain lower bound on the generic "
            + String(format: "rank over Q, below the generic rank over F_p with probability <= %.1e ", bound)
            + "over the points drawn from the seeds (the bound assumes the seed was chosen at random, independently of "
            + "the networks; the run's prime was drawn from the system's entropy; a shortfall was drawn again up to "
            + "\(ConjectureCheck.defaultRedraws) times before it counted); "
            + "\(report.certifiedRanks) of \(ranks) ranks certified: each meets an upper bound proven at every point, read "
            + "with the largest rank [X, 1] the draw allows (proofs/upper-bounds.md), so the generic rank over Q is that "
            + "number for certain (column certified: L, O, F)")
        return lines.joined(separator: "\n")
    }

    /// "L,O", "O", "-": the parts whose rank meets a proven bound.
    static func certifiedParts(_ by: [String?]) -> String {
        let names = zip(["L", "O", "F"], by).compactMap { $1 == nil ? nil : $0 }
        return names.isEmpty ? "-" : names.joined(separator: ",")
    }
}
