// `hessian-rank fixtures`: ground truth for other people's test suites, as .npy files and JSON.
import ArgumentParser
import Foundation
import HessianCore
import NumericalAlgebra
import SHA256Digest

struct Fixtures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write ground-truth fixtures (.npy and JSON) with exact Hessian ranks, for other pipelines' tests.",
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
            Examples:

              hessian-rank fixtures --out fixtures
              hessian-rank fixtures --out mine --arch 64,4,10 --x first100.npy --y targets100.npy --activation relu
              python3 -c "import numpy as np, json; print(json.load(open('fixtures/01-linear-3x2-n4-seed1/case.json'))['ranks'])"
            """
    )

    @Option(name: .long, help: ArgumentHelp("The folder to write (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Cases: default (8 small networks) or demo (the paper's demo configuration).", valueName: "name"))
    var preset: String = "default"

    @OptionGroup var model: ExactActivationOption
    var activation: Activation { model.activation }

    @OptionGroup var network: NetworkOptions

    @OptionGroup var dataFiles: DataFileOptions

    func validate() throws {
        try model.activation.requireExact()
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

    /// The cases; with --x the one case of the files' data (`filePlan`), which give N.
    func cases(samples given: Int?) -> [NetworkCase] {
        if network.arch != nil {
            return [NetworkCase(architecture: network.architecture, samples: given ?? network.sampleCount,
                                dataRank: network.dataRankValue, seed: network.seedValue)]
        }
        return FixturePresets.cases(preset, seed: network.seedValue)!.map {
            $0.with(architecture: $0.architecture.withBias(network.bias))
        }
    }

    func run() throws {
        // The float flags in case.json must not depend on the BLAS thread count (`BLASThreads`).
        BLASThreads.pinToOne()
        let files = dataFiles.given ? try filePlan() : nil
        let root = URL(fileURLWithPath: out)
        try AtomicFile.createFolder(root.path)
        let cases = self.cases(samples: files?.samples)
        var progress = Progress("fixtures", total: cases.count)
        var written: [WrittenFixture] = []
        for (index, c) in cases.enumerated() {
            progress.update(index, c.architecture.description)
            let (seed, files) = try draw(c, activation: activation, plan: files?.plan)
            let drawn = c.with(seed: seed)
            let name = FixtureWriter.name(index, drawn, activation: activation)
            let folder = root.appendingPathComponent(name)
            try AtomicFile.createFolder(folder.path)
            var hashes: [String: String] = [:]
            for (file, data) in files.sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(data, to: folder.appendingPathComponent(file).path)
                hashes[file] = SHA256.hex(data)
            }
            written.append(WrittenFixture(name: name, files: hashes))
        }
        progress.update(cases.count)
        progress.finish()
        try AtomicFile.write(try FixtureWriter.manifest(written, activation: activation, bias: network.bias),
                             to: root.appendingPathComponent("manifest.json").path)
        print("wrote \(written.count) \(activation.rawValue) fixtures\(network.bias ? " with bias" : "") to \(out) (manifest.json lists each file with its SHA-256)")
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
        let drawn = try Analyzer.drawOffKinksWithExponents(c.architecture, samples: c.samples,
                                                           plan: plan ?? .integers(dataRank: c.dataRank), seed: c.seed,
                                                           activation: activation)
        let given = try plan?.givenValues(c.architecture, samples: c.samples, seed: drawn.seed).map {
            FixtureData(values: $0, exponents: drawn.exponents, label: dataFiles.label)
        }
        return (drawn.seed, try FixtureWriter.files(for: drawn.problem, seed: drawn.seed, activation: activation, given: given))
    }
}
