// `hessian-rank fixtures`: ground truth for other people's test suites, as .npy files and JSON. Exact ranks for
// piecewise-linear networks under mse; certified rank intervals (`LossIntervals`, format version 2) with --loss
// cross-entropy|log-cosh or --activation tanh|sigmoid|elu, whose Hessian entries are transcendental.
import ArgumentParser
import Foundation
import HessianCore
import NumericalAlgebra
import SHA256Digest

struct Fixtures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write ground-truth fixtures (.npy and JSON) with exact Hessian ranks (or certified rank intervals), for other pipelines' tests.",
        discussion: """
            For each case (a preset, or one network with --arch and --samples): a folder with x.npy (N x d), y.npy \
            (N x K), w1.npy ... wL.npy (W_i is M_i x M_(i-1)), with --bias b1.npy ... bL.npy (1-d, M_i values), \
            hessian_loss.npy, hessian_outer.npy, hessian_functional.npy when every entry is exact in float64 (the \
            true Hessians; for leaky-relu:a/b, whose exact Hessians are b^(2(L-1)) H, when b is a power of two), and \
            case.json (exact ranks, formula values, method); then manifest.json with the SHA-256 of every file. Ranks are certified (so networks \
            have at most \(CertificationLimit.parameters) parameters). Every file is written to a \
            temporary name and renamed, the manifest last: a fixture counts only if the manifest lists it with a \
            matching hash. Rerunning writes the same bytes. With --arch and --x (and --y), one fixture on your data \
            (and targets): x.npy and y.npy hold them as given, the Hessian files the true Hessians at those values. \
            With --loss cross-entropy or log-cosh, or --activation tanh, sigmoid or elu (drawn networks only: small \
            integers, one-hot targets for cross-entropy; presets leave out K = 1 cases under cross-entropy): the \
            Hessian files are the float64 Hessians of that loss and activation (rounded), and case.json (format \
            version 2) has per part a certified rank interval (`intervals`: lower, upper, upperStatement, basis, exact, \
            precisionBits) instead of exact ranks. Linear convolutional networks (--preset conv, or one network with \
            --input, --layers and --samples; format version 3): x.npy is N x C x H x W (or N x C x L), w_t.npy each \
            layer's weight in PyTorch's shape ((C, C_in, k, k), or (K, in) for a dense layer), b_t.npy for the layers \
            with a bias, the Hessians in PyTorch's parameter order, and case.json the exact ranks with the tightest \
            upper bound proven at that point (proofs/convolution.md). Examples:

              hessian-rank fixtures --out fixtures
              hessian-rank fixtures --out smooth --activation tanh --loss cross-entropy
              hessian-rank fixtures --out mine --arch 64,4,10 --x first100.npy --y targets100.npy --activation relu
              hessian-rank fixtures --out cnn --preset conv
              hessian-rank fixtures --out cnn1 --input 1x6x6 --layers conv:2:3:same,dense:3 --samples 4
              python3 -c "import numpy as np, json; print(json.load(open('fixtures/01-linear-3x2-n4-seed1/case.json'))['ranks'])"
            """
    )

    @Option(name: .long, help: ArgumentHelp("The folder to write (created if missing; its parent folder must exist).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Cases: default (8 small networks), demo (the paper's demo configuration) or conv (6 small linear CNNs, format version 3; see also --input and --layers).", valueName: "name"))
    var preset: String = "default"

    @OptionGroup var model: ExactActivationOption
    var activation: Activation { model.activation }

    @Option(name: .long, help: ArgumentHelp(
        "The loss: mse (default; exact ranks for linear, relu and leaky-relu networks), cross-entropy (K >= 2 outputs) or log-cosh: certified rank intervals, as for --activation tanh, sigmoid or elu.",
        valueName: "name"))
    var loss: String = "mse"
    var lossValue: Loss { (try? Loss(parsing: loss)) ?? .mse }

    /// Whether the fixtures carry certified intervals (a loss or an activation with transcendental Hessian entries).
    var intervals: Bool { LossIntervals.applies(loss: lossValue, activation: activation) }

    @OptionGroup var network: NetworkOptions

    @OptionGroup var dataFiles: DataFileOptions

    @OptionGroup var convolution: ConvolutionOptions

    /// Whether the fixtures are of linear convolutional networks (`--preset conv`, or --input and --layers).
    var convolutional: Bool { preset == "conv" || convolution.given }

    func validate() throws {
        if convolutional { return try validateConvolution() }
        do { _ = try Loss(parsing: loss) } catch { throw ValidationError("--loss: \(error.message)") }
        if intervals {
            try validateIntervals()
        } else {
            try model.activation.requireExact()
        }
        guard FixturePresets.names.contains(preset) else {
            throw ValidationError("--preset: expected \(FixturePresets.names.joined(separator: " or ")); got '\(preset)'")
        }
        if let xFile = dataFiles.xFile {
            guard network.arch != nil else { throw ValidationError("--x \(xFile): only with --arch (the network that reads the data)") }
            try dataFiles.refuse("--data-rank", given: network.dataRank != nil)
            // The files are read in run(): their headers first, for the memory check (exit 2).
        } else if network.arch != nil || network.samples != nil {
            try network.requireDraw()
            try network.checkMemory(.fixtures(activation: activation))
        }
        if network.arch != nil {
            // Fixtures are byte-identical on a rerun: their ranks are certified, never Monte Carlo.
            let p = network.architecture.parameterCount, limit = CertificationLimit.parameters
            if p > limit {
                throw ValidationError("--arch: fixtures carry certified ranks, offered up to p = \(limit) parameters; \(network.architecture) has p = \(p)")
            }
        }
        try Validate.outputFolder(out, option: "--out")
    }

    /// The refusals of the certified-interval fixtures (exit 2), before anything is written.
    func validateIntervals() throws {
        let option = lossValue == .mse ? "--activation \(activation)" : "--loss \(lossValue)"
        // LossIntervals has no leaky-relu route, and small-valued draws put ReLU units on kinks almost always.
        guard !activation.hasKinks else {
            throw ValidationError("\(option): certified-interval fixtures take linear, tanh, sigmoid or elu hidden layers (small-valued draws put ReLU units on kinks); got --activation \(activation)")
        }
        guard !dataFiles.given else {
            throw ValidationError("\(option): certified-interval fixtures are drawn networks only so far; leave out --x and --y")
        }
        if network.arch != nil, lossValue == .crossEntropy, network.architecture.outputWidth < 2 {
            throw ValidationError("--loss cross-entropy: needs at least 2 outputs (classes); got K = \(network.architecture.outputWidth) in --arch \(network.architecture)")
        }
    }

    /// The cases; with --x the one case of the files' data (`filePlan`), which give N. Under cross-entropy a preset's
    /// cases with one output (no classes to tell apart) are left out.
    func cases(samples given: Int?) -> [NetworkCase] {
        if network.arch != nil {
            return [NetworkCase(architecture: network.architecture, samples: given ?? network.sampleCount,
                                dataRank: network.dataRankValue, seed: network.seedValue)]
        }
        return FixturePresets.cases(preset, seed: network.seedValue)!.map {
            $0.with(architecture: $0.architecture.withBias(network.bias))
        }.filter { lossValue != .crossEntropy || $0.architecture.outputWidth >= 2 }
    }

    func run() throws {
        if convolutional { return try runConvolution() }
        // The float flags in case.json must not depend on the BLAS thread count (`BLASThreads`).
        BLASThreads.pinToOne()
        let files = dataFiles.given ? try filePlan() : nil
        let root = URL(fileURLWithPath: out)
        let cases = self.cases(samples: files?.samples)
        var progress = Progress("fixtures", total: cases.count)
        // Every case first, in memory (at most p = 1000 each), then the folder: a run that fails leaves none.
        var built: [(name: String, files: [String: Data])] = []
        for (index, c) in cases.enumerated() {
            progress.update(index, c.architecture.description)
            let (seed, files) = try draw(c, activation: activation, plan: files?.plan)
            built.append((FixtureWriter.name(index, c.with(seed: seed), activation: activation, loss: lossValue), files))
        }
        let written = try write(built)
        progress.update(cases.count)
        progress.finish()
        try AtomicFile.write(try FixtureWriter.manifest(written, activation: activation, bias: network.bias,
                                                        intervals: intervals ? lossValue : nil),
                             to: root.appendingPathComponent("manifest.json").path)
        let kind = intervals ? " \(lossValue.rawValue) fixtures with certified rank intervals" : " fixtures"
        print("wrote \(written.count) \(activation.rawValue)\(kind)\(network.bias ? " with bias" : "") to \(out) (manifest.json lists each file with its SHA-256)")
    }

    /// With --x: the plan of the files' data (`DrawPlan.files`) and N, refused (exit 2) above --max-memory: judged
    /// from the headers before any value is read, then again with the values' real size.
    func filePlan() throws -> (plan: DrawPlan, samples: Int) {
        let architecture = network.architecture
        let headers = try dataFiles.headers(inputs: architecture.inputWidth, outputs: architecture.outputWidth, what: "--arch")
        try DataFileOptions.checkSamples(network.samples, headers)
        try NetworkOptions.checkMemory(architecture, samples: headers.samples, limit: network.maxMemory,
                                       workload: .fixtures(activation: activation))
        let values = try dataFiles.values(headers)
        let plan = DrawPlan.files(x: values.x, y: values.y)
        try plan.checkMemory(architecture, samples: headers.samples, seed: network.seedValue, limit: network.maxMemory,
                             workload: .fixtures(activation: activation))
        return (plan, headers.samples)
    }

    /// The files of a case, from its first draw off every kink (the pipeline's draw step), by `plan` when the data
    /// come from files.
    func draw(_ c: NetworkCase, activation: Activation, plan: DrawPlan?) throws -> (UInt64, [String: Data]) {
        if intervals { return try drawForIntervals(c) }
        let drawn = try Analyzer.drawOffKinksWithExponents(c.architecture, samples: c.samples,
                                                           plan: plan ?? .integers(dataRank: c.dataRank), seed: c.seed,
                                                           activation: activation)
        let given = try plan?.givenValues(c.architecture, samples: c.samples, seed: drawn.seed).map {
            FixtureData(values: $0, exponents: drawn.exponents, label: dataFiles.label)
        }
        return (drawn.seed, try FixtureWriter.files(for: drawn.problem, seed: drawn.seed, activation: activation, given: given))
    }
}

extension Fixtures {
    /// The refusals of convolutional fixtures (exit 2): linear networks under mse, drawn, within the certification
    /// limit.
    func validateConvolution() throws {
        guard network.arch == nil, !dataFiles.given, network.dataRank == nil else {
            throw ValidationError("--preset conv, --input and --layers: convolutional fixtures are drawn from their own shapes; leave out --arch, --x, --y and --data-rank")
        }
        guard activation == .linear, lossValue == .mse, (try? Loss(parsing: loss)) != nil else {
            throw ValidationError("--preset conv, --input and --layers: convolutional networks are linear under mse so far; leave out --activation and --loss")
        }
        try Validate.seed(network.seed)
        if convolution.given {
            guard preset == "default" else {
                throw ValidationError("--preset \(preset): give either a preset or one network with --input and --layers")
            }
            let architecture = try convolution.architecture(bias: network.bias)
            guard let samples = network.samples else { throw ValidationError("--layers: give the number of samples with --samples N") }
            guard let n = Int(samples), n >= 1 else {
                throw ValidationError("--samples: expected a positive integer number of samples, e.g. --samples 50; got '\(samples)'")
            }
            let p = architecture.parameterCount, limit = CertificationLimit.parameters
            guard p <= limit else {
                throw ValidationError("--layers: fixtures carry certified ranks, offered up to p = \(limit) parameters; input \(architecture.input), layers \(architecture.layersText) has p = \(p)")
            }
        } else if network.samples != nil {
            throw ValidationError("--samples: the conv preset's cases have their own N; give one network with --input and --layers to choose it")
        }
        try Validate.outputFolder(out, option: "--out")
    }

    /// The convolutional cases: the preset's, or the one of --input and --layers.
    func convolutionCases() throws -> [ConvolutionalNetworkCase] {
        if convolution.given {
            return [ConvolutionalNetworkCase(architecture: try convolution.architecture(bias: network.bias),
                                           samples: network.sampleCount, seed: network.seedValue)]
        }
        return FixturePresets.convolutionCases(seed: network.seedValue, bias: network.bias)
    }

    /// Every case in memory first (p <= 1000 each), then the folder, the manifest last.
    func runConvolution() throws {
        BLASThreads.pinToOne()
        let cases = try convolutionCases()
        var progress = Progress("fixtures", total: cases.count)
        var built: [(name: String, files: [String: Data])] = []
        for (index, c) in cases.enumerated() {
            progress.update(index, "input \(c.architecture.input), layers \(c.architecture.layersText)")
            let problem = try c.draw()
            built.append((FixtureWriter.convolutionName(index, c), try FixtureWriter.convolutionFiles(for: problem, seed: c.seed)))
        }
        progress.update(cases.count)
        progress.finish()
        let written = try write(built)
        try AtomicFile.write(try FixtureWriter.convolutionManifest(written), to: URL(fileURLWithPath: out).appendingPathComponent("manifest.json").path)
        print("wrote \(written.count) linear convolutional fixtures to \(out) (manifest.json lists each file with its SHA-256)")
    }

    /// Writes the built cases under --out, each file atomically, and returns their hashes.
    func write(_ built: [(name: String, files: [String: Data])]) throws -> [WrittenFixture] {
        let root = URL(fileURLWithPath: out)
        try AtomicFile.createFolder(root.path)
        var written: [WrittenFixture] = []
        for (name, files) in built {
            let folder = root.appendingPathComponent(name)
            try AtomicFile.createFolder(folder.path)
            var hashes: [String: String] = [:]
            for (file, data) in files.sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(data, to: folder.appendingPathComponent(file).path)
                hashes[file] = SHA256.hex(data)
            }
            written.append(WrittenFixture(name: name, files: hashes))
        }
        return written
    }

    /// The files of a certified-interval case: `Generator.drawForLoss` at the case's seed, drawn again with
    /// seed + k 2^32 (`KinkRedraw`) while an elu pre-activation is not proven nonzero (no second derivative there).
    func drawForIntervals(_ c: NetworkCase) throws -> (UInt64, [String: Data]) {
        let loss = lossValue
        do {
            return try KinkRedraw.first(seed: c.seed, what: KinkRedraw.describe(c.architecture, samples: c.samples)) { seed in
                let problem = try Generator.drawForLoss(c.architecture, samples: c.samples, dataRank: c.dataRank, loss: loss, seed: seed)
                return try FixtureWriter.intervalFiles(for: problem, seed: seed, loss: loss, activation: activation)
            }
        } catch let error as InputError {
            throw ValidationError("--loss \(loss.rawValue) --activation \(activation): \(error.message)")
        }
    }
}
