// `hessian-rank rank`: one network, its three Hessian ranks, the formulas and the verdicts.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore

struct Rank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank the Hessians of one network (linear, relu or leaky-relu; with or without biases; or a linear CNN with --layers) and compare with the formulas.",
        discussion: """
            Draws integer weights (nonzero, in -16...16), data X (N x d, in -16...16, or X = U V of rank r with \
            --data-rank) and targets Y (N x K, in -16...16) from --seed, builds H_L, H_O and H_F exactly and ranks \
            them. With --x (and --y) the data (and targets) come from files instead, exactly at their values, and the \
            file gives N; with --weights every value comes from files. --bias gives every layer a bias (drawn like \
            the weights); --activation relu or leaky-relu:a/b ranks a piecewise-linear network exactly away from kinks. \
            Examples:

              hessian-rank rank --arch 25,5,10,10 --samples 50
              hessian-rank rank --arch 6,2,5 --samples 4 --data-rank 3 --certify --json
              hessian-rank rank --arch 6,4,3 --samples 9 --bias --activation leaky-relu:1/8
              hessian-rank rank --arch 64,10,10,10 --x digits.npy --activation relu
              hessian-rank rank --input 1x8x8 --layers conv:4:3:same,conv:4:3:same,dense:10 --samples 100
              hessian-rank rank --input 1x8x8 --layers conv:2:3:same:bias,dense:10 --weights model.npz

            The JSON (--json) is a stable interface: see docs/json.md.
            """
    )

    @OptionGroup var network: NetworkOptions
    @OptionGroup var rankOptions: RankMethodOptions

    @Option(name: .long, help: ArgumentHelp(
        "Rank at your own weights: a folder with w1.npy ... wL.npy (W_i is M_i x M_(i-1)) and, for a network with biases, b1.npy ... bL.npy, with --x and --y; or one .npz (numpy.savez) or .safetensors file with the keys w1 ... wL, b1 ... bL, and x and y unless --x and --y give them. With --input and --layers (a linear CNN): w_t in PyTorch's shapes ((C, C_in, k), (C, C_in, k, k), or (K, in) for a dense layer), b_t for exactly the layers with a bias, x as N x C x H x W (N x C x L in 1-D) or already flattened N x (C H W), y N x K; the files give N.",
        valueName: "dir|file"))
    var weights: String?

    @OptionGroup var data: DataFileOptions

    @Flag(name: .long, help: "Print one JSON document (the stable interface) instead of the report.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "The loss: mse (default), or cross-entropy or log-cosh, whose Hessians have transcendental entries: certified rank intervals (H_O exact for linear networks; each part between a ball-arithmetic lower bound and a proven upper bound) for a drawn network with p <= 4000, weights nonzero in -2...2, data in -2...2 (proofs/upper-bounds.md, section Other losses), or with --weights at exactly the files' values (cross-entropy: targets that are probability vectors). The same intervals for --activation tanh, sigmoid or elu, under any loss.",
        valueName: "mse|cross-entropy|log-cosh"))
    var loss: String = "mse"

    @Option(name: .long, help: ArgumentHelp(
        "With --loss or a smooth --activation: integer (default) ranks the drawn integer network, where logits and pre-activations can be large (softmax probabilities like e^-300, saturated tanh), with Arb's rising precision up to p = 300; normalized ranks its dyadic version W_t / 2^a_t, x / 2^b with variance-preserving exponents (logits of order one; double balls only), as sweep --loss does.",
        valueName: "integer|normalized"))
    var point: String = "integer"

    @OptionGroup var convolution: ConvolutionOptions
    var input: String? { convolution.input }
    var layers: String? { convolution.layers }

    func validate() throws {
        if layers != nil || input != nil { return try validateConvolution() }
        try validateLoss()
        if certifiedIntervals { return }
        if weights == nil && data.given {
            guard network.arch != nil else {
                throw ValidationError("--x: give the network that reads the data with --arch (its d must be the file's columns)")
            }
            try data.refuse("--data-rank", given: network.dataRank != nil)
            try data.refuse("--field prime", given: rankOptions.generic,
                            because: "the file's values are the point; generic mode draws every value uniformly over F_p")
            // The files are read once, in run(): their headers first, for the memory and certification checks (exit 2).
        } else if weights == nil {
            try network.requireDraw()
            try network.checkMemory(rankOptions.memoryWorkload(network.architecture))
            if rankOptions.generic && network.dataRank != nil {
                throw ValidationError("--data-rank: not with --field prime (uniform data over F_p has rank min(N, d) generically)")
            }
            if rankOptions.certify {
                try RankMethodOptions.checkCertificationSize(network.architecture, samples: network.sampleCount,
                                                             reduced: rankOptions.reduces(network.architecture), option: "--certify")
            }
        } else {
            guard !rankOptions.generic else { throw ValidationError("--field prime: not with --weights (your weights are the point)") }
            guard network.arch == nil, network.samples == nil, network.dataRank == nil, !network.bias else {
                throw ValidationError("--weights: the files give the network and data; leave out --arch, --samples, --data-rank and --bias (biases come from b1.npy ... bL.npy, or the keys b1 ... bL)")
            }
            // The files are read once, in run(), which applies the same size checks (still exit 2).
        }
    }

    /// The problem from --weights (w1.npy ... wL.npy, and b1.npy ... bL.npy for a network with biases, or one file
    /// with those keys and perhaps x and y), --x and --y, exactly (every float64 is an integer over a power of two), refused
    /// (exit 2) when it is above --max-memory or, with --certify, above the certification limit: both judged from the
    /// files' headers, before any data are read.
    func loadProblem() throws -> (problem: Problem, exponents: InputExponents?) {
        guard let weights else { preconditionFailure("loadProblem: --weights is required") }
        let headers = try WeightFiles.headers(weights: weights, x: data.xFile, y: data.yFile)
        let architecture = try WeightFiles.architecture(headers)
        let samples = headers.x.rows
        try NetworkOptions.checkMemory(architecture, samples: samples, limit: network.maxMemory,
                                       workload: rankOptions.memoryWorkload(architecture))
        if rankOptions.certify {
            try RankMethodOptions.checkCertificationSize(architecture, samples: samples, reduced: rankOptions.reduces(architecture),
                                                         option: "--certify")
        }
        let (_, problem, exponents) = try WeightFiles.exactProblem(headers)
        // Judged again with the values' real size (the headers' check assumed small integers).
        try NetworkOptions.checkMemory(problem.architecture, samples: problem.sampleCount, values: .bits(problem.valueBits),
                                       limit: network.maxMemory, workload: rankOptions.memoryWorkload(problem.architecture))
        return (problem, exponents)
    }

    /// With --x and no --weights: the plan of the files' data (`DrawPlan.files`), refused (exit 2) when the network
    /// is above --max-memory or, with --certify, above the certification limit: judged from the headers before any
    /// value is read, and for memory again with the values' real size.
    func filePlan() throws -> (plan: DrawPlan, samples: Int) {
        let architecture = network.architecture
        let headers = try data.headers(inputs: architecture.inputWidth, outputs: architecture.outputWidth, what: "--arch")
        try DataFileOptions.checkSamples(network.samples, headers)
        let workload = rankOptions.memoryWorkload(architecture)
        try NetworkOptions.checkMemory(architecture, samples: headers.samples, limit: network.maxMemory, workload: workload)
        if rankOptions.certify {
            try RankMethodOptions.checkCertificationSize(architecture, samples: headers.samples,
                                                         reduced: rankOptions.reduces(architecture), option: "--certify")
        }
        let values = try data.values(headers)
        // With kinks, weights from -2^20...2^20 as sweep draws them: on data with thousands of samples, values in
        // -16...16 put some pre-activation exactly at zero in nearly every draw. A sweep point is then rank --x on the
        // file's first N rows at seed + i.
        let plan = DrawPlan.files(x: values.x, y: values.y, largeValues: rankOptions.activation.hasKinks)
        try plan.checkMemory(architecture, samples: headers.samples, seed: network.seedValue, limit: network.maxMemory,
                             workload: workload)
        return (plan, headers.samples)
    }

    func run() throws {
        if layers != nil { return try runConvolution() }
        if certifiedIntervals { return try runLoss() }
        // Files are read (and judged) first; a drawn network is only described here, and drawn by the pipeline.
        let given = weights == nil ? nil : try loadProblem()
        let fromFiles = weights == nil && data.given ? try filePlan() : nil
        let architecture = given?.problem.architecture ?? network.architecture
        let samples = given?.problem.sampleCount ?? fromFiles?.samples ?? network.sampleCount
        if architecture.parameterCount >= 1_000 {
            let how = rankOptions.certify ? "certifying" : "ranking"
            let p = architecture.parameterCount
            if rankOptions.reduces(architecture) {
                let shapes = zip(HessianPart.allCases, ReducedHessian.rankedShapes(architecture: architecture, samples: samples))
                    .map { "\($0.symbol) \($1.rows) x \($1.columns)" }
                StandardError.write("rank: \(how) the reduced Hessians of p = \(p) parameters (\(shapes.joined(separator: ", ")))...\n")
            } else {
                StandardError.write("rank: \(how) three \(p) x \(p) Hessians (H_L, H_O, H_F)...\n")
            }
        }
        var options = rankOptions.options
        if rankOptions.certify {
            options.certificationProgress = CertificationReporter(label: "rank --certify").report
        }
        let analysis: Analysis
        do {
            if let given {
                // Only a network the user gave is refused on a kink.
                analysis = try Analyzer.analyze(given.problem, seed: network.seedValue, options: options)
            } else {
                // A drawn network on a kink is the tool's choice: the pipeline draws again (`KinkRedraw`), on files'
                // data too (the weights change, not the data).
                let plan: DrawPlan = fromFiles?.plan
                    ?? (rankOptions.generic ? .field(dataRank: nil) : .integers(dataRank: network.dataRankValue))
                analysis = try Analyzer.analyzeDrawn(architecture, samples: samples, plan: plan, seed: network.seedValue,
                                                     options: options)
            }
        } catch let error as AnalysisFailure {
            switch error {
            case .kink: throw ValidationError(error.description)
            case .certification:
                throw ValidationError(rankOptions.certify
                    ? "--certify: \(error.description); drop --certify for the modular rank with its error bound"
                    : "the exact rank of the data, a partial product or Omega: \(error.description)")
            }
        }
        // The files' exponents, the same at every seed (`DrawPlan`): taken from the draw at the seed analysed.
        let exponents = try given?.exponents ?? fromFiles.map {
            try $0.plan.drawWithExponents(architecture, samples: samples, seed: analysis.seed, prime: nil).exponents
        }
        if json {
            let data = try AnalysisReport.encoder().encode(AnalysisReport(analysis, inputExponents: exponents))
            print(String(decoding: data, as: UTF8.self))
        } else {
            var redrawn = analysis.seed == network.seedValue ? nil
                : "seed \(analysis.seed) (seed \(network.seedValue) + k 2^32: the draws before it sat on a \(analysis.activation == .relu ? "ReLU " : "")kink)"
            if let xFile = data.xFile, weights == nil {
                redrawn = (redrawn ?? "seed \(analysis.seed)") + ", data from \(xFile)" + (data.yFile.map { ", targets from \($0)" } ?? "")
                    + " (exact values)"
            }
            print(Self.report(analysis, origin: weights.map { origin(weights: $0) } ?? redrawn), terminator: "")
        }
    }

    /// Where --weights took the network from, for the report.
    func origin(weights: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: weights, isDirectory: &isDirectory), isDirectory.boolValue {
            return "the files in \(weights) (exact values)"
        }
        return "the arrays in \(weights)" + (data.xFile.map { ", data from \($0)" } ?? "") + (data.yFile.map { ", targets from \($0)" } ?? "")
            + " (exact values)"
    }

    /// The human-readable report; `origin` names where the network came from when it was not drawn.
    static func report(_ a: Analysis, origin: String? = nil) -> String {
        let arch = a.problem.architecture
        var lines = [
            "network   \(arch.summary) (L = \(arch.depth), p = \(a.problem.parameterCount)), N = \(a.problem.sampleCount), "
                + (origin.map { "from \($0)" } ?? "seed \(a.seed)"),
            "data      r = \(a.dataRank), " + (a.augmentedDataRank.map { "r~ = rank [X, 1] = \($0), " } ?? "")
                + "s = \(a.formulas.s), q = \(a.formulas.q)",
        ] + diagnosisLines(a) + [
            "",
            "part  " + pad("rank", 7) + pad("formula", 9) + pad("status", 52) + "verdict",
        ]
        for part in a.parts {
            lines.append(pad(part.part.symbol, 6) + pad(String(part.rank.rank), 7) + pad(String(part.formula.value), 9)
                         + pad(part.formula.status.rawValue, 52) + part.verdict.rawValue)
        }
        lines.append("")
        lines.append("method    " + methodDescription(a))
        if let exact = exactDescription(a) { lines.append("certified " + exact) }
        lines.append(String(format: "timings   assemble %.3f s, rank %.3f s (CPU, summed over parts)", a.assembleSeconds, a.rankSeconds))
        return lines.joined(separator: "\n") + "\n"
    }

    /// What was checked about the point: the diagnostics C1-C4, and per part whether the formula is proven attained
    /// (proofs/genericity.md). Never "generic": that is a statement about minors no test here decides.
    static func diagnosisLines(_ a: Analysis) -> [String] {
        guard let d = a.diagnosis else {
            if a.activation == .linear {
                return ["point     linear network with biases, compared with the with-bias conjecture (observed, not proven); no diagnosis of the point"]
            }
            let name = a.activation == .relu ? "ReLU" : "\(a.activation)"
            let depth = a.problem.architecture.depth
            var scaled = ""
            if case .leakyReLU(let slope) = a.activation, slope.denominator > 1, depth > 1 {
                scaled = " (ranked as \(slope.denominator)^\(2 * (depth - 1)) H, an integer matrix of the same rank)"
            }
            return ["point     \(name) network, exact away from kinks\(scaled); the formulas below are the "
                    + (a.problem.architecture.bias ? "with-bias conjecture's" : "linear network's") + ", for comparison"]
        }
        let checks = d.conditionsHold ? "C1-C4 hold (partial products, feature matrices, Omega and W^{k-1:1} Omega^T W^{L:l+1} all of full rank)"
            : "C1-C4 do not all hold: " + d.failures.joined(separator: "; ")
        let proven: [String] = a.parts.compactMap { part in
            switch d.attainment(part.part) {
            case .always: "\(part.part.symbol) fixed by the data rank (L = 1)"
            case .provenCondition(let condition, let holds):
                "\(part.part.symbol) " + (holds ? "attained (\(condition) holds)" : "not proven attained (\(condition) fails: a non-generic point)")
            case .unproven: nil
            }
        }
        return ["point     " + checks, "proven    " + (proven.isEmpty ? "none" : proven.joined(separator: "; "))]
    }

    /// What the ranks are and what is claimed of them. Every probability printed is over randomness this run drew:
    /// the primes (from the system's entropy), or in generic mode the point (from the seed, hence the stated
    /// assumption). Primes the user gave carry no probability.
    static func methodDescription(_ a: Analysis) -> String {
        let primes = a.primes.map(String.init).joined(separator: ", ")
        let origin = a.primeChoice.isRandom ? "drawn from the system's entropy" : "given with --prime"
        if a.parts[0].rank.method == .primeField {
            return "generic mode: ranks over F_p at a uniform point, p = \(primes) (\(origin)); each is a certain lower bound "
                + "on the generic rank over Q, and below the generic rank over F_p of the matrix ranked with probability "
                + String(format: "<= %.1e over the point drawn from seed %llu ", a.errorBound ?? 1, a.seed)
                + "(the bound assumes that seed was chosen at random, independently of the network)"
        }
        if a.certified {
            return "certified exact (ranks modulo the " + (a.primes.count == 1 ? "largest prime" : "\(a.primes.count) largest primes") + " below 2^23, Hadamard bound)"
        }
        let count = a.primes.count == 1 ? "1 prime" : "\(a.primes.count) primes"
        guard let bound = a.errorBound else {
            return "rank modulo \(count) given with --prime (\(primes)): each rank is a proven lower bound; no probability "
                + "bound, since the primes were not drawn at random by this run"
        }
        return "rank modulo \(count) drawn from the system's entropy (\(primes); --prime replays this run): each rank is "
            + String(format: "a proven lower bound, below the rank over Q with probability <= %.1e, for every input, over this choice", bound)
    }

    /// The parts whose rank meets an upper bound proven at every point (proofs/upper-bounds.md): exact whatever the
    /// primes. nil when none does.
    static func exactDescription(_ a: Analysis) -> String? {
        let exact = a.exactParts
        guard !exact.isEmpty else { return nil }
        let parts = exact.map { part in
            let bound = part.exactBy!
            return "\(part.part.symbol) = \(part.rank.rank) meets `\(bound.statement)`" + (bound.basis == .cited ? " (cited)" : "")
        }
        return parts.joined(separator: ", ") + ": "
            + (exact.count == 1 ? "an upper bound that holds" : "upper bounds that hold") + " at every point (proofs/upper-bounds.md), so "
            + (exact.count == 1 ? "this rank is" : "these ranks are") + " the rank over Q exactly, whatever the prime"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
