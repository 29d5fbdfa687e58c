// `hessian-rank sweep`: the paper's width, depth and sample-size studies, with exact ranks; `--shard i/n` for job arrays.
import ArgumentParser
import Foundation
import HessianCore

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce the paper's rank studies (width, depth, samples) and the CNN channels study with exact ranks.",
        discussion: """
            width: d = 64, hidden [w, w], K = 10, N = 100, w = 4 ... 56; depth: d = 16, 1 ... 9 hidden layers of \
            width 25, K = 10, N = 50; samples: d = 64, hidden [10, 10], K = 10, N = 10 ... 400. For each point the \
            exact ranks of H_L, H_O and H_F beside the formula and p; point i uses seed + i. With --activation relu \
            the networks have ReLU hidden layers and their exact ranks stand beside the linear formula (the paper's \
            comparison); their values are drawn from -2^20...2^20 so that no pre-activation is exactly zero, and a \
            draw on such a kink is redrawn with seed + i + k 2^32. --x runs a study on your data (d = 64 for width and \
            samples, 16 for depth): every point uses the file's first N rows, exactly at their values (--y: the \
            targets, K = 10; drawn otherwise), and its records say "data": "file:NAME".

            --shard i/n runs every n-th point (index = i - 1 mod n) and prints one JSON line per point, so a job \
            array of n tasks covers the study once; `hessian-rank merge` combines the lines into the table, JSON \
            or plot. Example (Slurm):

              #SBATCH --array=1-4
              hessian-rank sweep --study width --shard $SLURM_ARRAY_TASK_ID/4 > width-$SLURM_ARRAY_TASK_ID.jsonl
              # afterwards:
              hessian-rank merge width-*.jsonl --plot width.svg
            """
    )

    @Option(name: .long, help: ArgumentHelp("width, depth or samples (the paper's), or channels (linear CNNs: input 1x8x8, two 3x3 convolutions of c = 1, 2, 4, 6, 8 channels, dense to 10, N = 100).", valueName: "name"))
    var study: String

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Base seed: point i uses seed + i.", valueName: "S"))
    var seed: String = "1"

    @Option(name: .long, help: ArgumentHelp("Run only shard i of n (1-based), printing JSON lines.", valueName: "i/n"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp("""
        Run only the points whose varied value is listed (w, hidden layers, N, or c for channels), e.g. --only 4,8. \
        Each keeps its seed (seed + its index in the whole study), so its row is the whole run's row.
        """, valueName: "list"))
    var only: String?

    @Option(name: .long, help: ArgumentHelp("integers (default) or prime (generic mode over F_p, as for rank).", valueName: "field"))
    var field: String = "integers"

    @OptionGroup var model: ExactActivationOption
    var activation: Activation { model.activation }

    @Flag(name: .long, help: "Give every layer of every point a bias (ranks beside the with-bias conjecture for linear networks).")
    var bias = false

    @Option(name: .long, help: ArgumentHelp("""
        With --activation relu: signed (default; inputs in -2^20...2^20) or nonnegative (inputs in 0...2^20, i.e. \
        [0, 1] scaled, as in the paper).
        """, valueName: "kind"))
    var data: String?

    @OptionGroup var dataFiles: DataFileOptions

    @OptionGroup var output: SweepOutputOptions

    @Option(name: .long, help: ArgumentHelp(
        "mse (default), or cross-entropy or log-cosh: certified rank intervals at each point (see rank --loss; points with p <= \(Rank.ballParameterLimit)), beside the paper's formula (K - 1 classes for cross-entropy). The same for --activation tanh, sigmoid or elu.",
        valueName: "mse|cross-entropy|log-cosh"))
    var loss: String = "mse"

    @Option(name: .customLong("max-parameters"), help: ArgumentHelp("With --loss (or a smooth --activation): run only the points with at most this many parameters (default and most: \(Rank.ballParameterLimit)).", valueName: "p"))
    var maxParameters: Int?

    @Option(name: .customLong("data-rank"), help: ArgumentHelp("With --loss (or a smooth --activation): draw every point's data of this rank.", valueName: "r"))
    var dataRank: Int?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse a study whose largest point needs more memory.", valueName: "size"))
    var maxMemory: String = "8G"

    var studyValue: SweepStudy { SweepStudy(rawValue: study)! }

    /// (i, n) from "i/n".
    var shardValue: (Int, Int)? { shard.flatMap(Validate.shard) }

    /// The values --only lists (nil without it; a validated list once `validate` has passed).
    var onlyValues: [Int]? {
        guard let only else { return nil }
        return isChannelStudy
            ? try? Validate.only(only, values: ChannelStudy.channels, variable: "c", study: "channels")
            : try? Validate.only(only, values: studyValue.points.map(\.variable), variable: studyValue.variableName, study: study)
    }

    /// The points that run: the study's, those --only lists, or those of the shard.
    var selectedPoints: [SweepStudy.Point] {
        if let onlyValues { return studyValue.points(only: onlyValues) }
        return shardValue.map { studyValue.points(shard: $0.0, of: $0.1) } ?? studyValue.points
    }

    func validate() throws {
        if isChannelStudy { return try validateChannels() }
        guard let study = SweepStudy(rawValue: study) else {
            throw ValidationError("--study: expected width, depth, samples or channels; got '\(self.study)'")
        }
        if let only {
            _ = try Validate.only(only, values: study.points.map(\.variable), variable: study.variableName, study: self.study)
            if shard != nil { throw ValidationError("--only: not with --shard (merge combines the shards of the whole study)") }
        }
        try validateLoss()
        if certifiedIntervals { return try Validate.seed(seed) }
        try Validate.seed(seed)
        guard field == "integers" || field == "prime" else { throw ValidationError("--field: expected integers or prime; got '\(field)'") }
        if let data, data != "signed" && data != "nonnegative" {
            throw ValidationError("--data: expected signed or nonnegative; got '\(data)'")
        }
        try dataFiles.refuse("--data", given: data != nil)
        try dataFiles.refuse("--field prime", given: field == "prime",
                             because: "the file's values are the point; generic mode draws every value uniformly over F_p")
        if data == "nonnegative" && !activation.hasKinks {
            throw ValidationError("--data nonnegative: only with --activation relu or leaky-relu (linear studies use the documented integer draw)")
        }
        if activation != .linear && field == "prime" {
            throw ValidationError("--activation \(activation): not with --field prime (generic mode is for linear networks)")
        }
        if let shard, shardValue == nil {
            throw ValidationError("--shard: expected i/n with 1 <= i <= n, e.g. --shard 2/8; got '\(shard)'")
        }
        if shard != nil && (output.json || output.plot != nil) {
            throw ValidationError("--shard: prints JSON lines for `hessian-rank merge`; drop --json and --plot (merge makes them)")
        }
        try NetworkOptions.checkMemory(selectedPoints.map { ($0.architecture.withBias(bias), $0.samples) },
                                       values: activation.hasKinks ? .large : .integers, limit: maxMemory, workload: workload)
        try output.validatePlot()
    }

    /// The data of the points that run: drawn, or with --x the files' values, checked against the study (d and K)
    /// and those points (enough rows for the largest N) from the headers, and judged for memory again with the values'
    /// real size (exit 2).
    func sweepData(_ points: [SweepStudy.Point]) throws -> SweepData {
        guard dataFiles.given else { return data == "nonnegative" ? .nonnegative : .signed }
        guard let largest = points.max(by: { $0.samples < $1.samples }) else { return .signed }
        let architecture = largest.architecture.withBias(bias)
        let headers = try dataFiles.headers(inputs: architecture.inputWidth, outputs: architecture.outputWidth,
                                            what: "the \(study) study")
        if headers.samples < largest.samples {
            throw ValidationError("--x \(headers.x.path): the data have \(headers.samples) rows, but point \(largest.index) of the \(study) study" + (shard.map { " (run by --shard \($0))" } ?? "") + " has N = \(largest.samples); give at least \(largest.samples) rows (each point uses the first N)")
        }
        let values = try dataFiles.values(headers)
        let files = SweepData.file(name: String(dataFiles.label.dropFirst("file:".count)), x: values.x, y: values.y)
        // The largest value of any point's problem (the files' scale, raised by the targets' when they are finer).
        let bits = try points.map { point in
            try files.plan(point, generic: false, activation: activation)
                .draw(point.architecture.withBias(bias), samples: point.samples, seed: UInt64(seed)! &+ UInt64(point.index), prime: nil)
                .valueBits
        }.max() ?? 0
        try NetworkOptions.checkMemory(points.map { ($0.architecture.withBias(bias), $0.samples) }, values: .bits(bits),
                                       limit: maxMemory, workload: workload)
        return files
    }

    /// What every point builds, for the memory check.
    var workload: MemoryEstimate.Workload {
        .rank(reduced: activation == .linear && !bias, activation: activation, generic: field == "prime")
    }

    func run() throws {
        if isChannelStudy { return try runChannels() }
        if certifiedIntervals { return try runLoss() }
        let points = selectedPoints
        let sweepData = try self.sweepData(points)
        var progress = Progress("sweep \(study)", total: points.count)
        var records: [SweepRecord] = []
        for (n, point) in points.enumerated() {
            progress.update(n, "\(point.architecture) N=\(point.samples)")
            let record = try SweepRunner.run(studyValue, point, seed: UInt64(seed)!, generic: field == "prime",
                                             activation: activation, bias: bias, data: sweepData)
            if shard != nil {
                print(String(decoding: try JSONEncoder.sorted.encode(record), as: UTF8.self))
            }
            records.append(record)
        }
        progress.update(points.count)
        progress.finish()
        if shard == nil { try output.emit(records) }
    }
}

/// How a sweep's records are shown: table (default), --json, --plot.
struct SweepOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of the table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also draw the study to this SVG file.", valueName: "file"))
    var plot: String?

    func validatePlot() throws {
        if let plot { try Validate.outputFile(plot, option: "--plot") }
    }

    func emit(_ records: [SweepRecord]) throws {
        let sorted = records.sorted { $0.index < $1.index }
        if let plot { try AtomicFile.write(Data(SweepPlot.svg(sorted).utf8), to: plot) }
        if json {
            struct Document: Encodable {
                let formatVersion = SweepRecord.currentFormatVersion
                let study: String
                let records: [SweepRecord]
            }
            let document = Document(study: sorted.first?.study.rawValue ?? "", records: sorted)
            print(String(decoding: try AnalysisReport.encoder().encode(document), as: UTF8.self))
        } else {
            print(Self.table(sorted), terminator: "")
        }
    }

    static func table(_ records: [SweepRecord]) -> String {
        let pad = Rank.pad
        var lines = [pad(records.first?.study.variableName ?? "", 15) + pad("widths", 34) + pad("N", 5) + pad("p", 6)
                     + pad("rank L/O/F", 17) + pad("formula L/O/F", 17) + "verdicts"]
        for r in records {
            let verdicts = r.activation != "linear" ? piecewiseLinearComparison(r)
                : Set(r.verdicts) == ["equal"] ? "equal" : r.verdicts.joined(separator: "; ")
            lines.append(pad(String(r.variable), 15) + pad(r.architecture.map(String.init).joined(separator: ","), 34)
                         + pad(String(r.samples), 5) + pad(String(r.parameters), 6)
                         + pad("\(r.ranks.loss)/\(r.ranks.outer)/\(r.ranks.functional)", 17)
                         + pad("\(r.formula.loss)/\(r.formula.outer)/\(r.formula.functional)", 17) + verdicts)
        }
        lines.append(certainty(records))
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the ranks are: how many meet an upper bound proven at every point (exact whatever the primes), and the
    /// probability statement for the others; in generic mode, the Schwartz-Zippel statement.
    static func certainty(_ records: [SweepRecord]) -> String {
        let worst = records.map(\.errorBound).max() ?? 0
        guard records.allSatisfy({ $0.exactBy != nil }) else {
            return "generic mode over F_p: each rank is a certain lower bound on the generic rank over Q, "
                + String(format: "below the generic rank over F_p of the matrix ranked with probability <= %.1e ", worst)
                + "over the point drawn from the seed (the bound assumes the seed was chosen at random)"
        }
        let total = 3 * records.count
        let exact = records.reduce(0) { $0 + ($1.exactBy ?? []).compactMap { $0 }.count }
        if exact == total {
            return "certified: all \(total) ranks meet an upper bound that holds at every point (proofs/upper-bounds.md), so each is the rank over Q exactly, whatever the primes"
        }
        return "\(exact) of \(total) ranks certified (each meets an upper bound that holds at every point: proofs/upper-bounds.md); "
            + String(format: "each other rank is a proven lower bound, low with probability <= %.1e, over the primes drawn by the run (the records list them)", worst)
    }

    /// A relu or leaky-relu point against the linear formula (with biases: the with-bias conjecture): "relu: equal to
    /// the linear formula", or per part below/equal/above.
    static func piecewiseLinearComparison(_ r: SweepRecord) -> String {
        let pairs = [("H_L", r.ranks.loss, r.formula.loss), ("H_O", r.ranks.outer, r.formula.outer),
                     ("H_F", r.ranks.functional, r.formula.functional)]
        let formula = r.bias == true ? "with-bias conjecture" : "linear formula"
        if pairs.allSatisfy({ $0.1 == $0.2 }) { return "\(r.activation): equal to the \(formula)" }
        return "\(r.activation): " + pairs.map { "\($0.0) \($0.1 < $0.2 ? "below" : $0.1 > $0.2 ? "above" : "equal")" }.joined(separator: ", ")
    }
}

extension JSONEncoder {
    /// Compact, sorted keys: one JSON value per line.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
