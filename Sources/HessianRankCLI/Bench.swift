// `hessian-rank bench`: the speed of the exact path on the paper's width sweep (d = 64, hidden [w, w], K = 10,
// N = 100). Times are medians over --repeat runs; run with OPENBLAS_NUM_THREADS=1 like every benchmark here.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time assembly and each rank on d = 64, hidden [w, w], K = 10, N = 100.",
        discussion: """
            For each width w: p; the size n of the matrix each part is ranked through (the reduced Hessian Q^T H Q, \
            or for H_O the reduced Jacobian J Q when N K is smaller; with --full-matrices the p x p Hessians and J); \
            the setup (products, moments, genericity, reduction); per part the time to assemble its matrix modulo a \
            prime and the time of the rank (elimination); the wall-clock total with the three parts ranked \
            concurrently; and the peak resident memory. Medians over --repeat runs. Build with -c release.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Comma-separated hidden widths w.", valueName: "w,..."))
    var widths: String = "8,16,32"

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Runs per width; the median is reported.", valueName: "n"))
    var runs: Int = 3

    @Option(name: .long, help: ArgumentHelp("Seed of the draw.", valueName: "S"))
    var seed: UInt64 = 1

    @Option(name: .customLong("max-memory"), help: ArgumentHelp(
        "Refuse a width whose Hessians would need more memory than this (e.g. 8G, 512M, or bytes).", valueName: "size"))
    var maxMemory: String = "8G"

    @Flag(name: .customLong("full-matrices"), help: "Rank the full p x p Hessians, as before the reduction, for comparison.")
    var fullMatrices = false

    @Option(name: .customLong("elimination"), help: ArgumentHelp("""
        Instead of the width sweep: time one rank of an n x n integer matrix of rank about 0.93 n, for each n, by \
        FLINT's nmod_mat_lu modulo the largest prime below 2^63 and the largest below 2^23, and by the BLAS \
        elimination of --certify modulo the latter (same matrix).
        """, valueName: "n,..."))
    var elimination: String?

    var eliminationSizes: [Int] { elimination?.split(separator: ",").compactMap { Int($0) } ?? [] }

    @Option(name: .customLong("midrad-rank"), help: ArgumentHelp("""
        Instead of the width sweep: time a certified rank lower bound by midpoint-radius doubles (MidradRank) on a \
        seeded symmetric n x n matrix of the given rank with radii 1e-12 relative, the rank as the goal: the seconds \
        of choosing the minor and of verifying it.
        """, valueName: "n,rank"))
    var midradRank: String?

    @Flag(name: .long, help: ArgumentHelp("""
        Instead of the width sweep: time certified rank intervals (LossIntervals, double balls) on fixed networks at \
        their normalized dyadic points: tanh and sigmoid under mse (16,28,28,5, N = 40, p = 1,372), and the \
        cross-entropy width study's w = 20 point (64,20,20,10, N = 100, p = 1,880).
        """))
    var certified = false

    @Option(name: .long, help: ArgumentHelp("""
        Instead of the width sweep: the throughput of `hessian-rank conjecture` in generic mode: n networks drawn from \
        d 1..10, depth 1..4, hidden widths 1..8, K 1..6, N 1..16 with p <= 200, the paper's three formulas checked as a \
        user's conjecture; networks per minute.
        """, valueName: "n"))
    var conjecture: Int?

    /// (n, rank) of --midrad-rank, once validated.
    var midradShape: (n: Int, rank: Int)? {
        guard let fields = midradRank?.split(separator: ",").compactMap({ Int($0) }), fields.count == 2 else { return nil }
        return (fields[0], fields[1])
    }

    static let samples = 100

    var widthValues: [Int] { widths.split(separator: ",").compactMap { Int($0) } }

    static func architecture(_ w: Int) throws(InputError) -> Architecture { try Architecture(widths: [64, w, w, 10]) }

    /// The process's peak resident memory so far (getrusage; Linux reports KiB). Widths run in increasing order, so
    /// each row's figure is the peak of the largest network so far.
    static func peakResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    func validate() throws {
        if let elimination {
            let fields = elimination.split(separator: ",", omittingEmptySubsequences: false)
            guard !fields.isEmpty, fields.allSatisfy({ Int($0).map { $0 >= 1 && $0 <= 10_000 } ?? false }) else {
                throw ValidationError("--elimination: expected comma-separated sizes from 1 to 10000, e.g. --elimination 1000,2000; got '\(elimination)'")
            }
        }
        if midradRank != nil {
            guard let (n, rank) = midradShape, n >= 1 && n <= 10_000 && rank >= 0 && rank <= n else {
                throw ValidationError("--midrad-rank: expected n,rank with 1 <= n <= 10000 and 0 <= rank <= n, e.g. --midrad-rank 1500,1500; got '\(midradRank!)'")
            }
        }
        let fields = widths.split(separator: ",", omittingEmptySubsequences: false)
        guard !fields.isEmpty, fields.allSatisfy({ Int($0).map { $0 >= 1 } ?? false }) else {
            throw ValidationError("--widths: expected comma-separated positive integers, e.g. --widths 8,16,32; got '\(widths)'")
        }
        if let conjecture, conjecture < 1 || conjecture > 10_000_000 {
            throw ValidationError("--conjecture: expected a number of networks from 1 to 10000000; got \(conjecture)")
        }
        guard runs >= 1 else { throw ValidationError("--repeat: expected a positive integer; got \(runs)") }
        var networks: [(architecture: Architecture, samples: Int)] = []
        for w in widthValues {
            do { networks.append((try Self.architecture(w), Self.samples)) } catch {
                throw NetworkOptions.refusal(error, prefix: "--widths: ", widths: "64,\(w),\(w),10", samples: Self.samples, limit: maxMemory)
            }
        }
        try NetworkOptions.checkMemory(networks, limit: maxMemory, workload: .rank(reduced: !fullMatrices))
    }

    func run() throws {
        if elimination != nil { return runElimination() }
        if let (n, rank) = midradShape { return runMidradRank(n: n, rank: rank) }
        if certified { return try runCertified() }
        if let conjecture { return try runConjecture(networks: conjecture) }
        let header = ["w", "p", "n L/O/F", "setup"] + HessianPart.allCases.flatMap { ["\($0.symbol) asm", "\($0.symbol) rank"] }
            + ["wall", "peak MiB", "ranks L/O/F"]
        // The n column holds three sizes; every other column fits in 11.
        func line(_ cells: [String]) -> String { cells.enumerated().map { Rank.pad($1, $0 == 2 ? 16 : 11) }.joined() }
        print(line(header))
        for w in widthValues {
            // Drawn once, outside the timings; each run is the pipeline's analysis of it.
            let problem = try DrawPlan.integers(dataRank: nil).draw(Self.architecture(w), samples: Self.samples, seed: seed, prime: nil)
            var timed: [(wall: Double, analysis: Analysis)] = []
            for _ in 0..<runs {
                let clock = ContinuousClock()
                let start = clock.now
                let analysis = try Analyzer.analyze(problem, seed: seed, options: RankOptions(fullMatrices: fullMatrices))
                timed.append(((clock.now - start).seconds, analysis))
            }
            timed.sort { $0.wall < $1.wall }
            let (wall, a) = timed[timed.count / 2]
            var cells = [String(w), String(problem.parameterCount), a.parts.map { String($0.rankedShape.rows) }.joined(separator: "/"),
                         String(format: "%.3f", a.setupSeconds)]
            for part in HessianPart.allCases {
                let r = a.part(part).rank
                cells += [String(format: "%.3f", r.reductionSeconds), String(format: "%.3f", r.eliminationSeconds)]
            }
            cells += [String(format: "%.3f", wall), String(Self.peakResidentMiB()),
                      a.parts.map { String($0.rank.rank) }.joined(separator: "/")]
            print(line(cells))
        }
        print("seconds; median of \(runs) run(s); ranks modulo one random 63-bit prime; FLINT \(FLINTRuntime.version)")
    }
}
