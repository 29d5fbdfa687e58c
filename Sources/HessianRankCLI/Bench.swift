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
            For each width w: p, the setup (products, moments, genericity), and per Hessian part the time to assemble \
            it modulo a prime and the time of the rank (elimination; H_O is ranked through its Jacobian factor J, \
            H_O = J^T J, when N K < p), then the wall-clock total with the three parts ranked concurrently, and the \
            peak resident memory. Medians over --repeat runs. Build with -c release for meaningful figures.
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
        let fields = widths.split(separator: ",", omittingEmptySubsequences: false)
        guard !fields.isEmpty, fields.allSatisfy({ Int($0).map { $0 >= 1 } ?? false }) else {
            throw ValidationError("--widths: expected comma-separated positive integers, e.g. --widths 8,16,32; got '\(widths)'")
        }
        guard runs >= 1 else { throw ValidationError("--repeat: expected a positive integer; got \(runs)") }
        for w in widthValues {
            let architecture: Architecture
            do { architecture = try Self.architecture(w) } catch { throw ValidationError("--widths: \(error.message)") }
            try NetworkOptions.checkMemory(architecture, samples: Self.samples, limit: maxMemory)
        }
    }

    func run() throws {
        let header = ["w", "p", "setup"] + HessianPart.allCases.flatMap { ["\($0.symbol) asm", "\($0.symbol) rank"] }
            + ["wall", "peak MiB", "ranks L/O/F"]
        print(header.map { Rank.pad($0, 11) }.joined())
        for w in widthValues {
            let problem = try Generator.draw(Self.architecture(w), samples: Self.samples, seed: seed)
            var timed: [(wall: Double, analysis: Analysis)] = []
            for _ in 0..<runs {
                let clock = ContinuousClock()
                let start = clock.now
                let analysis = try Analyzer.analyze(problem, seed: seed)
                timed.append(((clock.now - start).seconds, analysis))
            }
            timed.sort { $0.wall < $1.wall }
            let (wall, a) = timed[timed.count / 2]
            var cells = [String(w), String(problem.parameterCount), String(format: "%.3f", a.setupSeconds)]
            for part in HessianPart.allCases {
                let r = a.part(part).rank
                cells += [String(format: "%.3f", r.reductionSeconds), String(format: "%.3f", r.eliminationSeconds)]
            }
            cells += [String(format: "%.3f", wall), String(Self.peakResidentMiB()),
                      a.parts.map { String($0.rank.rank) }.joined(separator: "/")]
            print(cells.map { Rank.pad($0, 11) }.joined())
        }
        print("seconds; median of \(runs) run(s); ranks modulo one random 63-bit prime; FLINT \(FLINTRuntime.version)")
    }
}
