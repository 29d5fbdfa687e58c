// The options that name one network and its draw (widths, bias, samples, seed, data rank, memory limit), shared by
// `rank`, `certify`, `fixtures` and `bias` through @OptionGroup; and the options of the exact rank methods.
import ArgumentParser
import ExactAlgebra
import HessianCore

struct NetworkOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "All widths, input first and output last: d,M1,...,K. Two widths mean one weight matrix.",
        valueName: "widths"))
    var arch: String?

    @Flag(name: .long, help: "Give every layer a bias b_t (parameters per layer: W_t row-major, then b_t, as PyTorch's nn.Linear).")
    var bias = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Number of samples N.", valueName: "N"))
    var samples: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Seed of the draw (weights, data, targets). Primes never come from it: see --prime.", valueName: "S"))
    var seed: String = "1"

    @Option(name: .customLong("data-rank"), parsing: .unconditional, help: ArgumentHelp(
        "Draw data of exactly this rank r <= min(N, d), as X = U V with inner size r.", valueName: "r"))
    var dataRank: String?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp(
        "Refuse a network whose Hessians would need more memory than this (e.g. 8G, 512M, or bytes).", valueName: "size"))
    var maxMemory: String = "8G"

    /// The parsed values; `validate()` and `requireDraw()` guarantee they parse.
    var architecture: Architecture { try! Architecture(parsing: arch!, bias: bias) }
    var sampleCount: Int { Int(samples!)! }
    var seedValue: UInt64 { UInt64(seed)! }
    var dataRankValue: Int? { dataRank.map { Int($0)! } }

    /// For commands that draw a network: --arch and --samples must both be given.
    func requireDraw() throws {
        guard arch != nil else { throw ValidationError("Missing expected argument '--arch <widths>'") }
        guard samples != nil else { throw ValidationError("Missing expected argument '--samples <N>'") }
    }

    func validate() throws {
        try Validate.seed(seed)
        _ = try Self.memoryLimit(maxMemory)  // checked even when no network is drawn from these options (presets)
        guard let arch else { return }
        let architecture: Architecture
        do { architecture = try Architecture(parsing: arch, bias: bias) } catch {
            throw Self.refusal(error, prefix: "--arch: ", widths: arch, samples: samples.flatMap { Int($0) }, limit: maxMemory)
        }
        guard let samples else { return }
        guard let n = Int(samples), n >= 1 else {
            throw ValidationError("--samples: expected a positive integer number of samples, e.g. --samples 50; got '\(samples)'")
        }
        if let text = dataRank {
            guard let r = Int(text), r >= 0 else {
                throw ValidationError("--data-rank: expected a non-negative integer; got '\(text)'")
            }
            let limit = min(n, architecture.inputWidth)
            guard r <= limit else {
                throw ValidationError("--data-rank: \(r) exceeds min(N, d) = min(\(n), \(architecture.inputWidth)) = \(limit); give a rank in 0...\(limit)")
            }
        }
    }
}

/// How ranks are computed, shared by every subcommand that ranks.
struct RankMethodOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Number of independent random 63-bit primes (default 1); the error bound is raised to this power.", valueName: "k"))
    var primes: String?

    @Option(name: .customLong("prime"), parsing: .unconditionalSingleValue, help: ArgumentHelp("""
        Replay a run with this prime (repeat for several) instead of drawing fresh ones. Every run draws its primes \
        from the system's entropy and prints them, so that its error bound holds for every input; with primes you \
        choose, the ranks are still proven lower bounds but no probability bound is stated. In generic mode \
        (--field prime) it is the field's prime. Each must be a prime in [2^62, 2^63).
        """, valueName: "P"))
    var givenPrimes: [String] = []

    @Flag(name: .long, help: """
        Certify every rank exactly: ranks modulo the largest primes below 2^23 (BLAS elimination, two primes at a \
        time) until their product exceeds the Hadamard bound of every (rank+1)-minor. Deterministic; offered for \
        matrices up to 3000 x 3000 (the reduced Hessians of a linear network) and up to 20,000 primes; docs/speed.md \
        quotes timings.
        """)
    var certify = false

    /// Above this many rows or columns of the matrices to certify, --certify is refused (`CertificationLimit.rankRows`);
    /// certificate files (`certify`) have their own limit (`CertificationLimit.parameters`).
    static func certificationLimit(forFiles: Bool) -> Int {
        forFiles ? CertificationLimit.parameters : CertificationLimit.rankRows
    }

    @OptionGroup var model: ExactActivationOption
    var activation: Activation { model.activation }

    @Option(name: .long, help: ArgumentHelp("""
        integers (default): integer draws, ranks over Q. prime: generic mode, entries drawn uniformly from F_p for a \
        random 63-bit prime p and ranks over F_p: a certain lower bound on the generic rank over Q, equal to it \
        except with a stated (Schwartz-Zippel) probability.
        """, valueName: "field"))
    var field: String = "integers"

    var generic: Bool { field == "prime" }

    @Flag(name: .customLong("full-matrices"), help: """
        Rank the full p x p Hessians of a linear network, not their reductions Q^T H Q to a subspace containing the \
        column space (same rank, several times smaller: proofs/reduced-hessian.md). For cross-checks; slower.
        """)
    var fullMatrices = false

    /// Whether the ranks go through the reduced Hessians (`RankOptions.reduces`).
    func reduces(_ architecture: Architecture) -> Bool {
        ExactHessians.reduces(architecture, activation: activation, fullMatrices: fullMatrices)
    }

    /// The primes of this run: the given ones (`--prime`, validated), or `--primes` fresh ones from the system's
    /// entropy.
    var primeChoice: PrimeChoice {
        givenPrimes.isEmpty ? .random(count: primes.map { Int($0)! } ?? 1) : .given(givenPrimes.map { UInt($0)! })
    }

    var options: RankOptions { options(fieldPrime: nil) }

    func options(fieldPrime: UInt?) -> RankOptions {
        RankOptions(primes: primeChoice, certify: certify, activation: activation,
                    fieldPrime: fieldPrime, fullMatrices: fullMatrices)
    }

    func validate() throws {
        guard field == "integers" || field == "prime" else {
            throw ValidationError("--field: expected integers or prime; got '\(field)'")
        }
        if generic && (certify || activation != .linear) {
            throw ValidationError("--field prime: generic mode ranks linear networks over F_p; drop --certify and --activation")
        }
        if let primes {
            guard let k = Int(primes), k >= 1, k <= 64 else {
                throw ValidationError("--primes: expected an integer from 1 to 64, e.g. --primes 2; got '\(primes)'")
            }
            guard givenPrimes.isEmpty else {
                throw ValidationError("--primes: not with --prime (the primes given are the primes used)")
            }
        }
        for text in givenPrimes {
            guard let prime = UInt(text), Primes.isInRange(prime) else {
                throw ValidationError("--prime: expected a prime in [2^62, 2^63) such as a run prints; got '\(text)'")
            }
        }
        guard givenPrimes.count <= 64 else { throw ValidationError("--prime: at most 64 primes; got \(givenPrimes.count)") }
        if !givenPrimes.isEmpty && certify {
            throw ValidationError("--prime: not with --certify (certification uses its own fixed primes)")
        }
        if generic && givenPrimes.count > 1 {
            throw ValidationError("--prime: generic mode (--field prime) takes one prime, the field's; got \(givenPrimes.count)")
        }
    }

    /// Refuses certification of a network whose matrices to certify are above the size limit: the p x p Hessians, or
    /// with `reduced` the reduced ones (`ReducedHessian.rankedShape`), which have the same ranks.
    /// `files`: for a certificate file (`certify`), whose limit is the checker's.
    static func checkCertificationSize(_ architecture: Architecture, samples: Int, reduced: Bool, option: String,
                                       files: Bool = false) throws {
        let p = architecture.parameterCount
        let limit = certificationLimit(forFiles: files)
        guard reduced else {
            if p > limit {
                throw ValidationError("\(option): p = \(p) parameters is above the certification limit of \(limit) (see docs/speed.md); drop \(option) for the modular rank and its error bound")
            }
            return
        }
        let size = ReducedHessian.rankedShapes(architecture: architecture, samples: samples).map { max($0.rows, $0.columns) }.max() ?? 0
        if size > limit {
            throw ValidationError("\(option): the reduced Hessians of p = \(p) parameters are up to \(size) x \(size), above the certification limit of \(limit) (see docs/speed.md); drop \(option) for the modular rank and its error bound")
        }
    }
}
