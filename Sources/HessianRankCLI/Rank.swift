// `hessian-rank rank`: one network, its three Hessian ranks, the formulas and the verdicts.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore

struct Rank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank the Hessians of one deep linear network and compare with the formulas.",
        discussion: """
            Draws integer weights (nonzero, in -16...16), data X (N x d, in -16...16, or X = U V of rank r with \
            --data-rank) and targets Y (N x K, in -16...16) from --seed, builds H_L, H_O and H_F exactly and ranks \
            them. Example:

              hessian-rank rank --arch 25,5,10,10 --samples 50
              hessian-rank rank --arch 6,2,5 --samples 4 --data-rank 3 --certify --json

            The JSON (--json) is a stable interface: see the README, section "JSON interface".
            """
    )

    @OptionGroup var network: NetworkOptions
    @OptionGroup var rankOptions: RankMethodOptions

    @Option(name: .long, help: ArgumentHelp(
        "Rank at your own weights: a folder with w1.npy ... wL.npy (W_i is M_i x M_(i-1)); needs --x and --y.",
        valueName: "dir"))
    var weights: String?

    @Option(name: .customLong("x"), help: ArgumentHelp("With --weights: the data, N x d (.npy).", valueName: "file.npy"))
    var xFile: String?

    @Option(name: .customLong("y"), help: ArgumentHelp("With --weights: the targets, N x K (.npy).", valueName: "file.npy"))
    var yFile: String?

    @Flag(name: .long, help: "Print one JSON document (the stable interface) instead of the report.")
    var json = false

    func validate() throws {
        if weights == nil {
            guard xFile == nil, yFile == nil else { throw ValidationError("--x and --y: only with --weights") }
            try network.requireDraw()
            try network.checkMemory(rankOptions.memoryWorkload)
            if rankOptions.generic && network.dataRank != nil {
                throw ValidationError("--data-rank: not with --field prime (uniform data over F_p has rank min(N, d) generically)")
            }
            if rankOptions.certify {
                try RankMethodOptions.checkCertificationSize(network.architecture, samples: network.sampleCount,
                                                             reduced: rankOptions.reduces, option: "--certify")
            }
        } else {
            guard !rankOptions.generic else { throw ValidationError("--field prime: not with --weights (your weights are the point)") }
            guard network.arch == nil, network.samples == nil, network.dataRank == nil else {
                throw ValidationError("--weights: the files give the network and data; leave out --arch, --samples and --data-rank")
            }
            // The files are read once, in run(), which applies the same size checks (still exit 2).
        }
    }

    /// The problem from --weights, --x and --y, exactly (every float64 is an integer over a power of two), refused
    /// (exit 2) when it is above --max-memory or, with --certify, above the certification limit.
    func loadProblem() throws -> (problem: Problem, exponents: InputExponents?) {
        guard let weights else { return (try network.draw(), nil) }
        guard let xFile, let yFile else { throw ValidationError("--weights: give the data with --x FILE.npy and the targets with --y FILE.npy") }
        let loaded = try WeightFiles.load(directory: weights, x: xFile, y: yFile)
        let (problem, exponents): (Problem, InputExponents)
        do {
            (problem, exponents) = try Problem.exactWithExponents(weights: loaded.weights, x: loaded.x, y: loaded.y)
        } catch {
            throw ValidationError("--weights: \(error.message)")
        }
        try NetworkOptions.checkMemory(problem.architecture, samples: problem.sampleCount, values: .bits(problem.valueBits),
                                       limit: network.maxMemory, workload: rankOptions.memoryWorkload)
        if rankOptions.certify {
            try RankMethodOptions.checkCertificationSize(problem.architecture, samples: problem.sampleCount,
                                                         reduced: rankOptions.reduces, option: "--certify")
        }
        return (problem, exponents)
    }

    func run() throws {
        var fieldPrime: UInt? = nil
        var exponents: InputExponents? = nil
        let problem: Problem
        if rankOptions.generic {
            (problem, fieldPrime) = try Generator.drawField(network.architecture, samples: network.sampleCount, seed: network.seedValue)
        } else {
            (problem, exponents) = try loadProblem()
        }
        if problem.parameterCount >= 1_000 {
            let how = rankOptions.certify ? "certifying" : "ranking"
            let p = problem.parameterCount
            if rankOptions.reduces {
                let shapes = zip(HessianPart.allCases, ReducedHessian.rankedShapes(architecture: problem.architecture,
                                                                                   samples: problem.sampleCount))
                    .map { "\($0.symbol) \($1.rows) x \($1.columns)" }
                StandardError.write("rank: \(how) the reduced Hessians of p = \(p) parameters (\(shapes.joined(separator: ", ")))...\n")
            } else {
                StandardError.write("rank: \(how) three \(p) x \(p) Hessians (H_L, H_O, H_F)...\n")
            }
        }
        let analysis: Analysis
        do {
            analysis = try Analyzer.analyze(problem, seed: network.seedValue, options: rankOptions.options(fieldPrime: fieldPrime))
        } catch {
            switch error {
            case .kink: throw InputError(error.description)
            case .certification:
                throw InputError(rankOptions.certify
                    ? "--certify: \(error.description); drop --certify for the modular rank with its error bound"
                    : "the exact rank of the data, a partial product or Omega: \(error.description)")
            }
        }
        if json {
            let data = try AnalysisReport.encoder().encode(AnalysisReport(analysis, inputExponents: exponents))
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Self.report(analysis, origin: weights.map { "the files in \($0) (exact values; primes from seed \(network.seed))" }),
                  terminator: "")
        }
    }

    /// The human-readable report; `origin` names where the network came from when it was not drawn.
    static func report(_ a: Analysis, origin: String? = nil) -> String {
        let arch = a.problem.architecture
        var lines = [
            "network   \(arch) (L = \(arch.depth), p = \(a.problem.parameterCount)), N = \(a.problem.sampleCount), "
                + (origin.map { "from \($0)" } ?? "seed \(a.seed)"),
            "data      r = \(a.dataRank), s = \(a.formulas.s), q = \(a.formulas.q)",
            "draw      " + (a.genericity.map {
                $0.isGeneric ? "generic (every partial product has full rank, rank Omega = s)"
                    : "NOT generic: " + $0.deficiencies.joined(separator: "; ")
            } ?? "ReLU network, exact away from kinks; the formulas below are the linear network's, for comparison"),
            "",
            "part  " + pad("rank", 7) + pad("formula", 9) + pad("status", 52) + "verdict",
        ]
        for part in a.parts {
            lines.append(pad(part.part.symbol, 6) + pad(String(part.rank.rank), 7) + pad(String(part.formula.value), 9)
                         + pad(part.formula.status.rawValue, 52) + part.verdict.rawValue)
        }
        lines.append("")
        lines.append("method    " + methodDescription(a))
        lines.append(String(format: "timings   assemble %.3f s, rank %.3f s (CPU, summed over parts)", a.assembleSeconds, a.rankSeconds))
        return lines.joined(separator: "\n") + "\n"
    }

    static func methodDescription(_ a: Analysis) -> String {
        if a.parts[0].rank.method == .primeField {
            return "generic mode: ranks over F_p at a uniform point, p = \(a.primes[0]); each is a certain lower bound on "
                + String(format: "the generic rank over Q, and below the generic rank over F_p of the matrix ranked with probability <= %.1e", a.errorBound)
        }
        if a.certified {
            return "certified exact (ranks modulo the \(a.primes.count) largest primes below 2^63, Hadamard bound)"
        }
        let primes = a.primes.count == 1 ? "1 random 63-bit prime" : "\(a.primes.count) random 63-bit primes"
        return "rank modulo \(primes): each rank is a proven lower bound, "
            + String(format: "below the rank over Q with probability <= %.1e", a.errorBound)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
