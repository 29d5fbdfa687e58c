// `hessian-rank calibrate`: which numerical-rank rule reads the true rank off a float Hessian spectrum? Judged against
// the exact rank (linear and ReLU networks under mse) or the certified interval of the same float Hessian (tanh,
// sigmoid, elu; any network under cross-entropy or log-cosh), where a rule inside an interval that is not exact is
// undecided rather than right. Linear convolutional networks (--input and --layers, or --preset conv) are judged
// against the exact rank too (`Calibrator.run(_: ConvolutionalNetworkCase, ...)`).
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import NPYFormat
import NumericalAlgebra

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibrate numerical-rank tolerances against exact ranks (linear, ReLU) or certified intervals (tanh, other losses).",
        discussion: """
            For each network of a preset grid (or the one given by --arch and --samples), builds H_L, H_O and H_F in \
            Double, takes their eigenvalues with LAPACK (dsyevd), and reads a rank off the spectrum with every rule: \
            numpy's default (s_max * max(m, n) * eps), relative thresholds 1e-6 ... 1e-13, an absolute threshold \
            (--absolute) and the largest gap in the log-spectrum. Each is compared with the exact rank of the same \
            Hessian over Q (linear and ReLU networks under mse) or with the certified interval [lower, upper] of the \
            same float Hessian (tanh, sigmoid and elu networks, and any network under --loss cross-entropy or \
            log-cosh, whose Hessians are not rational): a rank inside an exact interval is right, inside a wider one \
            undecided, outside it wrong (by its distance to the interval). The linear formula is printed beside it \
            for comparison. The summary gives, per rule, the right (and undecided, wrong) counts and the smallest \
            margin (decades between the threshold and the nearest eigenvalue), and recommends a rule. --bias gives \
            every layer a bias; --x (and --y) with --arch calibrates on your data (and targets), exactly at their \
            values.

            Linear convolutional networks under mse: --input and --layers (as for rank) with --samples give one \
            network, --preset conv twelve (the six of fixtures --preset conv, then six up to p = 612). Their float64 \
            Hessians are the exact construction's algorithm run in Double (BLAS products) at the drawn point scaled \
            by powers of two (weights over 2^(4 + ceil(log2 sqrt(fan-in))), fan-in C_in k^2 for a 2-D convolution, \
            data and targets over 2^4, biases at their pre-activation's scale), a diagonal power-of-two rescaling of \
            the exact Hessian, so the reference is its exact rank. No closed form is compared: the last column \
            (bound; upperBound in --json, in place of formula) is the tightest upper bound proven at that point. \
            Other activations, losses and data are refused for them.

            Examples:

              OPENBLAS_NUM_THREADS=1 hessian-rank calibrate --activation relu
              hessian-rank calibrate --activation tanh --preset paper --plot tanh.svg
              hessian-rank calibrate --activation relu --loss cross-entropy --arch 6,4,4,3 --samples 8
              hessian-rank calibrate --activation linear --arch 8,4,4,3 --samples 12 --json
              hessian-rank calibrate --activation relu --arch 64,8,8,10 --x digits.npy --bias
              OPENBLAS_NUM_THREADS=1 hessian-rank calibrate --preset conv
              hessian-rank calibrate --input 1x8x8 --layers conv:2:3:same,dense:10 --samples 20 --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Hidden activation: \(Activation.names); or all (linear, relu and tanh: one summary per activation). Default: relu; convolutional networks are linear only.", valueName: "name"))
    var activation: String?

    @Option(name: .long, help: ArgumentHelp("""
        mse (default), cross-entropy or log-cosh: the loss of the float Hessians (targets drawn as rank --loss draws \
        them: one-hot rows for cross-entropy), judged against certified intervals; drawn data only.
        """, valueName: "loss"))
    var loss: String = "mse"

    @Option(name: .long, help: ArgumentHelp("Grid: default (10 small networks), paper (d = 64, hidden [w, w], K = 10) or conv (12 linear convolutional networks, p <= 612).", valueName: "name"))
    var preset: String = "default"

    @Option(name: .long, help: ArgumentHelp("One network instead of the grid: all widths, input first.", valueName: "widths"))
    var arch: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Samples N (with --arch, or --input and --layers).", valueName: "N"))
    var samples: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seed; grid case i uses seed + i.", valueName: "S"))
    var seed: String = "1"

    @Option(name: .long, help: ArgumentHelp("Data: integer (scaled to [-1, 1]) or uniform01 ([0, 1]). Default: the preset's.", valueName: "kind"))
    var data: String?

    @OptionGroup var dataFiles: DataFileOptions

    @OptionGroup var convolution: ConvolutionOptions

    @Flag(name: .long, help: """
        Give every layer a bias b_t (drawn like the weights; in the float network at the scale of its layer's \
        pre-activation). The formula column is then the with-bias conjecture's, as in rank. With --layers or \
        --preset conv, every convolution and dense layer gets one.
        """)
    var bias = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The absolute threshold rule's value.", valueName: "t"))
    var absolute: String = "1e-8"

    @Flag(name: .long, help: "Print one JSON document instead of the tables.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also draw the spectra, thresholds and exact ranks to this SVG file.", valueName: "file"))
    var plot: String?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp(
        "With --arch: refuse a network whose Hessians would need more memory than this (e.g. 8G, 512M, or bytes).", valueName: "size"))
    var maxMemory: String = "8G"

    /// Above this many parameters a convolutional network is refused (three dense p x p float Hessians, their
    /// eigenvalues, and the exact ranks modulo a prime).
    static let convolutionParameterLimit = 4_000

    /// Whether the run is on convolutional networks (--input and --layers, or --preset conv).
    var isConvolutional: Bool { convolution.given || preset == "conv" }
    var activationName: String { activation ?? "relu" }
    var activations: [Activation] {
        if isConvolutional { return [.linear] }
        return activationName == "all" ? Activation.calibrationDefaults : [Activation(rawValue: activationName)!]
    }
    var rules: [RankRule] { RankRule.standard(absolute: Double(absolute)!) }
    var lossValue: Loss { (try? Loss(parsing: loss)) ?? .mse }

    func validate() throws {
        guard CalibrationGrid.presets.contains(preset) else {
            let names = CalibrationGrid.presets
            throw ValidationError("--preset: expected \(names.dropLast().joined(separator: ", ")) or \(names.last!); got '\(preset)'")
        }
        if isConvolutional { return try validateConvolution() }
        guard activationName == "all" || Activation(rawValue: activationName) != nil else {
            throw ValidationError("--activation: expected \(Activation.names), or all (linear, relu and tanh); got '\(activationName)'")
        }
        try Validate.seed(seed)
        do { _ = try Loss(parsing: loss) } catch { throw ValidationError("--loss: \(error.message)") }
        if lossValue != .mse {
            if let unsupported = activations.first(where: { if case .leakyReLU = $0 { true } else { false } }) {
                throw ValidationError("--loss \(lossValue): linear, relu, tanh, sigmoid or elu hidden layers (no certified intervals for leaky-relu yet); got --activation \(unsupported)")
            }
            if dataFiles.given {
                throw ValidationError("--loss \(lossValue): drawn data only (not yet --x, --y); leave out --x and --y, or use --loss mse")
            }
            if lossValue == .crossEntropy, let arch, let architecture = try? Architecture(parsing: arch, bias: bias),
               architecture.outputWidth < 2 {
                throw ValidationError("--loss cross-entropy: needs at least 2 outputs (classes); --arch \(arch) has K = \(architecture.outputWidth)")
            }
        }
        if let data, DataDistribution(rawValue: data) == nil {
            throw ValidationError("--data: expected integer or uniform01; got '\(data)'")
        }
        try validateAbsolute()
        _ = try NetworkOptions.memoryLimit(maxMemory)
        if let arch {
            let architecture: Architecture
            do { architecture = try Architecture(parsing: arch, bias: bias) } catch {
                throw NetworkOptions.refusal(error, prefix: "--arch: ", widths: arch, samples: samples.flatMap { Int($0) }, limit: maxMemory)
            }
            if activations.contains(where: { Calibrator.usesIntervals(loss: lossValue, activation: $0) }),
               architecture.parameterCount > Rank.ballParameterLimit {
                throw ValidationError("--arch \(arch): p = \(architecture.parameterCount) parameters is above the limit of \(Rank.ballParameterLimit) for the certified intervals (dense p x p double balls)")
            }
            if dataFiles.given {
                // The files are read once, in run() (`cases()`), which checks them against --arch and --samples.
                try dataFiles.refuse("--data", given: data != nil)
            } else {
                guard let text = samples, let n = Int(text), n >= 1 else {
                    throw ValidationError("--samples: with --arch, give a positive number of samples, e.g. --samples 20")
                }
                let distribution = data.flatMap(DataDistribution.init(rawValue:)) ?? .integer
                try NetworkOptions.checkMemory(architecture, samples: n, values: distribution == .integer ? .integers : .bits(8),
                                               limit: maxMemory,
                                               workload: .calibrate(activations: activations, dataExponent: distribution.floatExponent))
            }
        } else if samples != nil {
            throw ValidationError("--samples: only with --arch or --input and --layers (a preset fixes its own sample sizes)")
        } else if let xFile = dataFiles.xFile {
            throw ValidationError("--x \(xFile): only with --arch (the network that reads the data)")
        }
        try validatePlot()
    }

    func validateAbsolute() throws {
        guard let t = Double(absolute), t > 0, t.isFinite else {
            throw ValidationError("--absolute: expected a positive number such as 1e-8; got '\(absolute)'")
        }
    }

    func validatePlot() throws {
        if let plot {
            try Validate.outputFile(plot, option: "--plot")
            try Validate.output(plot, option: "--plot", isNotAmong: dataFiles.paths)
        }
    }

    /// Convolutional networks (--input and --layers, or --preset conv): linear, under mse, on drawn data; the options
    /// that would change that are refused, each by name.
    func validateConvolution() throws {
        let what = convolution.given ? "the network of --input and --layers" : "--preset conv"
        if let activation, activation != Activation.linear.rawValue {
            throw ValidationError("--activation \(activation): \(what) is calibrated linear only (convolutional networks: linear, mse); leave out --activation")
        }
        if (try? Loss(parsing: loss)) != .mse {
            throw ValidationError("--loss \(loss): \(what) is calibrated under mse only (convolutional networks: linear, mse); leave out --loss")
        }
        if convolution.given && preset != "default" {
            throw ValidationError("--preset \(preset): the network is given by --input and --layers; leave out --preset")
        }
        if let arch {
            throw ValidationError("--arch \(arch): not with \(what) (a convolutional network); leave out --arch")
        }
        if let xFile = dataFiles.xFile {
            throw ValidationError("--x \(xFile): not with \(what) (convolutional networks are calibrated on drawn data so far); leave out --x and --y")
        }
        if let data {
            throw ValidationError("--data \(data): not with \(what) (convolutional networks draw integer data, scaled to [-1, 1]); leave out --data")
        }
        try Validate.seed(seed)
        try validateAbsolute()
        if convolution.given {
            let architecture = try convolution.architecture(bias: bias)
            guard let text = samples, (Int(text) ?? 0) >= 1 else {
                throw ValidationError("--samples: with --input and --layers, give a positive number of samples, e.g. --samples 20")
            }
            guard architecture.parameterCount <= Self.convolutionParameterLimit else {
                throw ValidationError("--layers: p = \(architecture.parameterCount) parameters; calibrate takes convolutional networks up to p = \(Self.convolutionParameterLimit) (three dense p x p float Hessians and their eigenvalues)")
            }
        } else if samples != nil {
            throw ValidationError("--samples: only with --arch or --input and --layers (a preset fixes its own sample sizes)")
        }
        try validatePlot()
    }

    /// The cases to run; with --x, reads the files (once) and checks them against --arch and --samples (exit 2).
    func cases() throws -> [CalibrationCase] {
        let seedValue = UInt64(seed)!
        let distribution = data.flatMap(DataDistribution.init(rawValue:))
        guard let arch else {
            return CalibrationGrid.cases(preset: preset, seed: seedValue, data: distribution)!.map {
                CalibrationCase(architecture: $0.architecture.withBias(bias), samples: $0.samples, dataRank: $0.dataRank,
                                data: $0.data, seed: $0.seed)
            }
        }
        let architecture = try! Architecture(parsing: arch, bias: bias)   // validate() has parsed it
        guard dataFiles.given else {
            return [CalibrationCase(architecture: architecture, samples: Int(samples!)!, data: .drawn(distribution ?? .integer), seed: seedValue)]
        }
        let headers = try dataFiles.headers(inputs: architecture.inputWidth, outputs: architecture.outputWidth, what: "--arch")
        try DataFileOptions.checkSamples(samples, headers)
        // Judged from the headers first (as if the values were small integers), then again with the values' real size.
        try NetworkOptions.checkMemory(architecture, samples: headers.samples, limit: maxMemory,
                                       workload: .calibrate(activations: activations, dataExponent: 0))
        let values = try dataFiles.values(headers)
        // Networks with kinks draw from -2^20...2^20 on given data, their float scales 16 bits a layer larger
        // (`Calibrator`): judged on the larger draw when any activation run has kinks.
        let large = activations.contains { $0.hasKinks }
        let plan = DrawPlan.files(x: values.x, y: values.y, largeValues: large)
        let exponents = try plan.drawWithExponents(architecture, samples: headers.samples, seed: seedValue, prime: nil).exponents
        let shift = large ? architecture.depth * Calibrator.largeValueShift : 0
        try plan.checkMemory(architecture, samples: headers.samples, seed: seedValue, limit: maxMemory,
                             workload: .calibrate(activations: activations, dataExponent: exponents.x + shift))
        let given = CalibrationData.given(name: String(dataFiles.label.dropFirst("file:".count)), x: values.x, y: values.y)
        return [CalibrationCase(architecture: architecture, samples: headers.samples, data: given, seed: seedValue)]
    }

    /// The convolutional cases: the network of --input and --layers, or the conv preset's.
    func convolutionCases() throws -> [ConvolutionalNetworkCase] {
        let seedValue = UInt64(seed)!
        guard convolution.given else { return CalibrationGrid.convolutionCases(seed: seedValue, bias: bias) }
        return [ConvolutionalNetworkCase(architecture: try convolution.architecture(bias: bias), samples: Int(samples!)!,
                                             seed: seedValue)]
    }

    /// Every case calibrated, one list of results per activation (one, linear, for convolutional networks).
    func calibrations() throws -> [(activation: Activation, results: [CalibrationResult])] {
        if isConvolutional {
            let cases = try convolutionCases()
            var progress = Progress("calibrate", total: cases.count)
            var results: [CalibrationResult] = []
            for c in cases {
                progress.update(results.count, "\(c.architecture.input) \(c.architecture.layersText)")
                results.append(try Calibrator.run(c, rules: rules))
            }
            progress.update(cases.count)
            progress.finish()
            return [(.linear, results)]
        }
        let cases = try self.cases()
        var progress = Progress("calibrate", total: cases.count * activations.count)
        var runs: [(activation: Activation, results: [CalibrationResult])] = []
        for activation in activations {
            var results: [CalibrationResult] = []
            for c in cases {
                progress.update(runs.count * cases.count + results.count, "\(activation.rawValue) \(c.architecture)")
                results.append(try Calibrator.run(c, activation: activation, loss: lossValue, rules: rules))
            }
            runs.append((activation, results))
        }
        progress.update(cases.count * activations.count)
        progress.finish()
        return runs
    }

    func run() throws {
        let runs = try calibrations()
        if let plot {
            try AtomicFile.write(Data(CalibrationPlot.svg(runs.flatMap(\.results), rules: rules).utf8), to: plot)
        }
        let reports = runs.map { run in
            let summaries = CalibrationSummary.summarize(run.results, rules: rules)
            return (run, summaries, CalibrationSummary.recommended(summaries))
        }
        if json {
            let documents = reports.map { CalibrationReport(activation: $0.0.activation, loss: lossValue, results: $0.0.results,
                                                            summaries: $0.1, recommended: $0.2) }
            let encoder = AnalysisReport.encoder()
            // One activation: its report; all: an array of reports, one per activation.
            let data = documents.count == 1 ? try encoder.encode(documents[0]) : try encoder.encode(documents)
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (run, summaries, recommended) in reports {
                print(Self.caseTable(run.results, rules: rules), terminator: "")
                print("")
                print(Self.summaryTable(summaries, recommended: recommended, activation: run.activation, results: run.results),
                      terminator: "")
                if run.activation != reports.last?.0.activation { print("") }
            }
        }
    }

    static func short(_ rule: RankRule) -> String {
        switch rule {
        case .numpyDefault: "numpy"
        case .relative(let k): "1e-\(k)"
        case .absolute: "abs"
        case .largestGap: "gap"
        }
    }

    static func caseTable(_ results: [CalibrationResult], rules: [RankRule]) -> String {
        if results.flatMap(\.parts).contains(where: { $0.reference == .interval }) { return intervalCaseTable(results, rules: rules) }
        let pad = Rank.pad
        // Convolutional networks: labelled by input and layers, with the tightest proven bound as the last column.
        let convolutional = results.contains { $0.network.isConvolutional }
        let width = labelWidth(results)
        var lines = ["float ranks by rule; * marks a rank that differs from the reference (the exact rank of the same Hessian);",
                     "the line below each gives every rule's margin: decades between its threshold and the nearest eigenvalue",
                     (pad(convolutional ? "network" : "widths", width) + pad("N", 5) + pad("part", 5) + pad("reference", 14)
                        + rules.map { pad(short($0), 7) }.joined() + (convolutional ? "bound" : "")).trimmingTrailingSpaces]
        for result in results {
            for part in result.parts {
                var row = pad(result.network.label, width) + pad(String(result.network.samples), 5)
                    + pad(part.part.symbol, 5) + pad(part.referenceLabel, 14)
                var margins = pad("", width + 24)
                for outcome in part.outcomes {
                    row += pad(String(outcome.rank) + (outcome.rank == part.referenceRank ? "" : "*"), 7)
                    margins += pad(outcome.marginDecades.isFinite ? String(format: "%.1f", outcome.marginDecades) : "-", 7)
                }
                if let bound = part.upperBound { row += String(bound.value) }
                lines.append(row.trimmingCharacters(in: .whitespaces))
                lines.append(margins.trimmingTrailingSpaces)
            }
        }
        let bounds = results.flatMap(\.parts).filter { $0.reference == .exact }.map(\.referenceErrorBound)
        if let worst = RankResult.worstBound(bounds), !bounds.isEmpty {
            lines.append(String(format: "exact ranks: modulo a prime drawn from the system's entropy per network; each is a proven lower bound, below the rank over Q with probability <= %.1e", worst))
        }
        if convolutional {
            lines.append("bound: the tightest upper bound proven at the exact point (p, N K, or the unrolled dense network's: proofs/convolution.md; --json names it); no closed form is compared")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The width of the network column: 15 (the widths of dense networks), or more for longer labels.
    static func labelWidth(_ results: [CalibrationResult]) -> Int {
        max(15, (results.map(\.network.label.count).max() ?? 0) + 2)
    }

    /// The case table against certified intervals: each rule's rank marked * when outside the interval (certainly
    /// wrong), ? when inside an interval that is not exact (undecided); the linear formula last, for comparison.
    static func intervalCaseTable(_ results: [CalibrationResult], rules: [RankRule]) -> String {
        let pad = Rank.pad
        let loss = results.first?.loss ?? .mse
        let kMinusOne = loss == .crossEntropy ? " with K - 1 classes" : ""
        let width = labelWidth(results)
        var lines = ["float ranks by rule under \(loss), against the certified interval of the same float Hessian (one value: exact);",
                     "* marks a rank outside the interval (certainly wrong), ? one inside an interval that is not exact (undecided);",
                     "the line below each gives every rule's margin: decades between its threshold and the nearest eigenvalue",
                     (pad("widths", width) + pad("N", 5) + pad("part", 5) + pad("reference", 16)
                        + rules.map { pad(short($0), 7) }.joined() + "formula\(kMinusOne)").trimmingTrailingSpaces]
        for result in results {
            for part in result.parts {
                var row = pad(result.network.label, width) + pad(String(result.network.samples), 5)
                    + pad(part.part.symbol, 5) + pad(part.referenceLabel, 16)
                var margins = pad("", width + 26)
                for (outcome, verdict) in zip(part.outcomes, part.verdicts) {
                    let mark = switch verdict { case .right: ""; case .undecided: "?"; case .wrong: "*" }
                    row += pad(String(outcome.rank) + mark, 7)
                    margins += pad(outcome.marginDecades.isFinite ? String(format: "%.1f", outcome.marginDecades) : "-", 7)
                }
                row += part.formula.map(String.init) ?? "-"
                lines.append(row.trimmingCharacters(in: .whitespaces))
                lines.append(margins.trimmingTrailingSpaces)
            }
        }
        let parts = results.flatMap(\.parts)
        let exact = parts.filter { $0.interval?.isExact ?? true }.count
        lines.append("certified intervals: \(exact) of \(parts.count) exact; each lower bound a minor of the float network's Hessian proven nonsingular with double balls (H_O of a piecewise-linear network: exact), each upper bound a proven statement (--json names it); no tolerance is used")
        return lines.joined(separator: "\n") + "\n"
    }

    static func summaryTable(_ summaries: [RuleSummary], recommended: RuleSummary?, activation: Activation,
                             results: [CalibrationResult] = []) -> String {
        let pad = Rank.pad
        if let loss = results.first?.loss, results.flatMap(\.parts).contains(where: { $0.reference == .interval }) {
            let parts = results.flatMap(\.parts)
            let exact = parts.filter { $0.interval?.isExact ?? true }.count
            var lines = ["summary for \(activation.rawValue) networks under \(loss) (\(summaries.first?.total ?? 0) spectra; reference: certified intervals, \(exact) exact)",
                         pad("rule", 17) + pad("right", 8) + pad("undecided", 11) + pad("wrong", 7) + pad("largest miss", 14)
                            + "smallest margin (decades)"]
            for s in summaries {
                lines.append(pad(s.rule.description, 17) + pad("\(s.agreements)", 8) + pad("\(s.undecided)", 11)
                             + pad("\(s.wrong)", 7) + pad(s.wrong == 0 ? "-" : "\(s.largestMiss)", 14)
                             + String(format: "%.2f", s.smallestMargin) + (s.rule == recommended?.rule ? "   <- recommended" : ""))
            }
            if let r = recommended {
                lines.append("recommended: \(r.rule) (fewest wrong, then most right, then the widest smallest margin); right: equal to an exact interval; undecided: inside an interval that is not exact; wrong: outside it, missing by up to 'largest miss' ranks")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let networks = results.contains { $0.network.isConvolutional } ? "linear convolutional" : activation.rawValue
        var lines = ["summary for \(networks) networks (\(summaries.first?.total ?? 0) spectra)",
                     pad("rule", 17) + pad("agrees", 10) + pad("share", 8) + "smallest margin (decades)"]
        for s in summaries {
            lines.append(pad(s.rule.description, 17) + pad("\(s.agreements)/\(s.total)", 10)
                         + pad(String(format: "%.0f%%", 100 * s.share), 8) + String(format: "%.2f", s.smallestMargin)
                         + (s.rule == recommended?.rule ? "   <- recommended" : ""))
        }
        if let r = recommended {
            lines.append("recommended: \(r.rule) (highest agreement, then the widest smallest margin)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// This string without the spaces at its end (table rows are padded).
    var trimmingTrailingSpaces: String { String(reversed().drop { $0 == " " }.reversed()) }
}
