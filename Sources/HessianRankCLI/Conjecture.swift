// `hessian-rank conjecture`: a user's rank formulas, checked exactly on a grid of networks, with the smallest
// counterexample when one fails.
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

struct ConjectureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conjecture",
        abstract: "Check your own rank formulas exactly on a grid of networks, and shrink a counterexample to a minimal one.",
        discussion: """
            Give a formula for any of the parts with --loss (H_L), --outer (H_O) and --functional (H_F). Each is an \
            integer expression, optionally preceded by <= or >= to claim a bound instead of equality:

              hessian-rank conjecture --outer 'q*(r + K - q)' --functional '<= 2*q*sum(hidden) + 2*q*s - L*q^2'

            Names: d, K, N, L, p (parameters, biases included); M[i] or M_i (M[0] = d, M[L] = K) and the lists \
            hidden and widths; r = rank X, s = min(r, K), q = min(r, K, hidden); rtilde = rank [X, 1], stilde, qtilde \
            (the same with rtilde); omega = rank Omega (linear networks); bias (1 or 0); Keff (K, or K - 1 for \
            cross-entropy). Operators + - * / % ^ (/ must divide exactly), comparisons == != < <= > >=, and, or, \
            not, if c then a else b, let x = a in b, min/max/sum/prod/len/abs of integers and lists, and indexed \
            forms such as sum(i = 1..L-1, M[i] * M[i+1]). --define 'name = expression' names a subexpression for \
            the formulas (repeatable). The full reference is proofs/conjecture-language.md.

            Linear convolutional networks: --input SHAPE (repeatable, e.g. 1x8 or 2x6x6) and --layers TEMPLATE \
            (repeatable: the layers syntax of rank --layers, each integer a value or a range a..b, e.g. \
            'conv:1..3:2..3,dense:1..2') give the grid of every input and every valid expansion (kernels that do not \
            fit are left out), N from --samples (default C0 d + 2, the input's entries plus two). The names above \
            read the unrolled dense network (d and M[i] flattened, p the CNN's parameters, omega the unrolled \
            residual covariance's rank), and these are added: C0 (input channels), S (spatial axes, 1 or 2), the \
            per-layer lists channels[i], kernel[i] (0 for a dense layer), stride[i] (0 for a dense layer), \
            positions[i] (output positions per channel, 1 for a dense layer) and kappa[i] (entries of one filter, \
            C_{i-1} k^S; a dense layer's inputs), i = 1..L, and patchrank (rank G of proofs/convolution.md, for one \
            hidden convolution then a dense layer only). They are refused on dense grids. Convolutional networks \
            are bias-free, linear and under mse so far, and always drawn at integer points (ranks modulo random \
            primes, exact where they meet a bound proven at the point). A failing one is shrunk by dropping a hidden \
            layer (a convolution stays), one channel fewer, a smaller kernel, a smaller input, fewer outputs K and \
            fewer samples; the check command of the minimal one is rank --input ... --layers ... --certify.

            The grid is every combination of --inputs, --depth, --hidden (each hidden layer takes each width), \
            --outputs, --samples, --data-rank, --bias, --activation and --loss-function, without the networks with more than \
            --max-parameters parameters; or --random n of them drawn from the seed; or one shape with --arch. Network \
            i is drawn from seed + i.

            Ranks are taken in generic mode: every value uniform over F_p for one prime p (drawn from the system's \
            entropy and printed, or given with --prime), each rank a certain lower bound on the generic rank over Q. \
            With --exact, at integer points (ranks over Q, modulo random primes). relu and leaky-relu networks are \
            always drawn as integers. Under cross-entropy or log-cosh, and with tanh, sigmoid or elu, the entries are \
            transcendental: each rank is a certified interval at the normalized dyadic point of `sweep --loss` (ball \
            arithmetic), and a claim whose value lies inside the interval is undecided (never a failure). Verdicts: equal; within (a bound that holds with room); ABOVE, which refutes a \
            claimed value or upper bound for certain (the rank at a point never exceeds the generic rank); IMPOSSIBLE, a value claimed equal (or a lower bound) above p, or N K for H_O, \
            which no point attains; below, a \
            shortfall that survived \(ConjectureCheck.defaultRedraws) redraws (seed + k 2^32) where the point \
            looks generic (C1-C4 hold, or no diagnosis exists): evidence against the formula; below(C fails), a \
            shortfall at a point where a diagnostic fails, which says nothing. A failing network is shrunk (fewer \
            layers, narrower widths, smaller d, K, N, data rank; bias and activation dropped) while it still fails, \
            and the minimal one is printed with its ranks certified at an integer point and the commands that \
            reproduce it and write a certificate. Exit 0 iff no formula fails and every formula has a value; 1 \
            otherwise; 2 on bad input (a formula's error names the character).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Formula for rank H_L (the loss Hessian).", valueName: "formula"))
    var loss: String?

    @Option(name: .long, help: ArgumentHelp("Formula for rank H_O (the outer-product part).", valueName: "formula"))
    var outer: String?

    @Option(name: .long, help: ArgumentHelp("Formula for rank H_F (the functional part).", valueName: "formula"))
    var functional: String?

    @Option(name: .customLong("define"), help: ArgumentHelp(
        "A named subexpression, 'name = expression', usable in the formulas and later definitions (repeatable).",
        valueName: "name=expression"))
    var definitions: [String] = []

    @Option(name: .long, help: ArgumentHelp("Input widths d: a range and/or list, e.g. 2..8 or 1,2,3,5 (default 1..6).", valueName: "set"))
    var inputs: String?

    @Option(name: .long, help: ArgumentHelp("Depths L, the numbers of weight matrices (default 1..3).", valueName: "set"))
    var depth: String?

    @Option(name: .long, help: ArgumentHelp("The widths each hidden layer takes (default 1..4).", valueName: "set"))
    var hidden: String?

    @Option(name: .long, help: ArgumentHelp("Output widths K (default 1..4).", valueName: "set"))
    var outputs: String?

    @Option(name: .long, help: ArgumentHelp(
        "Sample counts N (default 1..8; for convolutional networks C0 d + 2 per input).", valueName: "set"))
    var samples: String?

    @Option(name: .customLong("data-rank"), help: ArgumentHelp(
        "full (rank X = min(N, d)) or a set of ranks r, each used where 1 <= r <= min(N, d).",
        valueName: "full|set"))
    var dataRank: String = "full"

    @Option(name: .long, help: ArgumentHelp("off, on or both: a bias in every layer.", valueName: "off|on|both"))
    var bias: String = "off"

    @Option(name: .long, help: ArgumentHelp(
        "Hidden activations, comma-separated: linear, relu, leaky-relu[:slope], tanh, sigmoid, elu.", valueName: "list"))
    var activation: String = "linear"

    @Option(name: .customLong("loss-function"), help: ArgumentHelp(
        "Losses, comma-separated: mse, cross-entropy, log-cosh.", valueName: "list"))
    var lossFunction: String = "mse"

    @Option(name: .customLong("max-parameters"), help: ArgumentHelp(
        "Leave out the networks with more parameters than this.", valueName: "p"))
    var maxParameters: Int = 400

    @Option(name: .long, help: ArgumentHelp(
        "One shape d,M_1,...,K instead of --inputs, --depth, --hidden and --outputs.", valueName: "widths"))
    var arch: String?

    @Option(name: .long, help: ArgumentHelp(
        "A convolutional network's input shape, channels x length or channels x height x width, e.g. 1x8 or 2x6x6 (repeatable; with --layers).",
        valueName: "CxHxW"))
    var input: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Convolutional layers, the syntax of rank --layers with each integer a value or a range a..b, e.g. 'conv:1..3:2..3,dense:1..2' (repeatable; with --input).",
        valueName: "template"))
    var layers: [String] = []

    @Option(name: .long, help: ArgumentHelp("Check n networks drawn from the grid with the seed instead of all of them.", valueName: "n"))
    var random: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Base seed: network i is drawn from seed + i.", valueName: "S"))
    var seed: String = "1"

    @Option(name: .customLong("prime"), help: ArgumentHelp(
        "The prime of generic mode (and of the ranks modulo a prime), to replay a run; a prime in [2^62, 2^63).",
        valueName: "P"))
    var prime: String?

    @Flag(name: .long, help: "Integer points (ranks over Q modulo random primes) instead of generic mode over F_p.")
    var exact = false

    @Flag(name: .customLong("no-shrink"), help: "Report the first failure as found, without shrinking it.")
    var noShrink = false

    @Option(name: .long, help: ArgumentHelp("Run only shard i of n (1-based): the networks whose index is i - 1 modulo n.", valueName: "i/n"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp("How many failing networks the table lists.", valueName: "n"))
    var show: Int = 20

    @Flag(name: .long, help: "Print one JSON document instead of the table.")
    var json = false

    // MARK: Reading the options

    /// The formulas as given, by part, in the order loss, outer, functional.
    var formulaTexts: [(FormulaPart, String)] {
        [(FormulaPart.loss, loss), (.outer, outer), (.functional, functional)].compactMap { part, text in text.map { (part, $0) } }
    }

    /// A grid of convolutional networks (--input and --layers) rather than dense ones.
    var convolutional: Bool { !input.isEmpty || !layers.isEmpty }

    func parsedConjecture() throws -> Conjecture {
        let kind: NetworkKind = convolutional ? .convolutional : .dense
        let parsedDefinitions: FormulaDefinitions
        do { parsedDefinitions = try FormulaDefinitions(parsing: definitions, for: kind) } catch {
            throw ValidationError("--define '\(error.source)': \(error)")
        }
        var formulas: [FormulaPart: Formula] = [:]
        for (part, text) in formulaTexts {
            do { formulas[part] = try Formula(parsing: text, definitions: parsedDefinitions, for: kind) } catch {
                throw ValidationError("--\(part.rawValue) '\(text)': \(error)")
            }
        }
        return Conjecture(name: "your conjecture", definitions: parsedDefinitions, formulas: formulas)
    }

    func set(_ text: String, _ name: String) throws -> IntegerSet {
        do throws(InputError) { return try IntegerSet(parsing: text, name: name) } catch { throw ValidationError(error.message) }
    }

    var activations: [Activation] {
        get throws {
            try activation.split(separator: ",").map { text in
                do throws(InputError) { return try Activation(parsing: String(text)) } catch {
                    throw ValidationError("--activation: \(error.message)")
                }
            }
        }
    }

    var losses: [Loss] {
        get throws {
            let parsed = try lossFunction.split(separator: ",").map { text in
                do throws(InputError) { return try Loss(parsing: String(text)) } catch {
                    throw ValidationError("--loss-function: \(error.message)")
                }
            }
            if parsed.contains(where: { $0 != .mse }), let leaky = try activations.first(where: { if case .leakyReLU = $0 { true } else { false } }) {
                throw ValidationError("--activation \(leaky): with --loss-function cross-entropy or log-cosh, the certified intervals cover linear, relu, tanh, sigmoid and elu")
            }
            return parsed
        }
    }

    var biases: [Bool] {
        get throws {
            switch bias {
            case "off": return [false]
            case "on": return [true]
            case "both": return [false, true]
            default: throw ValidationError("--bias: expected off, on or both; got '\(bias)'")
            }
        }
    }

    var shardValue: (Int, Int)? { shard.flatMap(Validate.shard) }

    func validate() throws {
        guard !formulaTexts.isEmpty else {
            throw ValidationError("give a formula with --loss, --outer or --functional, e.g. --outer 'q*(r + K - q)'")
        }
        try refuseForConvolutions()
        _ = try parsedConjecture()
        if convolutional { _ = try convolutionalCases() } else { _ = try cases() }
        try Validate.seed(seed)
        if let prime {
            guard let value = UInt(prime), Primes.isInRange(value) else {
                throw ValidationError("--prime: expected a prime in [2^62, 2^63) such as a run prints; got '\(prime)'")
            }
        }
        if let random, random < 1 { throw ValidationError("--random: expected a positive number of networks; got \(random)") }
        if shard != nil && shardValue == nil {
            throw ValidationError("--shard: expected i/n with 1 <= i <= n, e.g. --shard 2/8; got '\(shard!)'")
        }
        guard show >= 0 else { throw ValidationError("--show: expected a number >= 0; got \(show)") }
    }

    /// The networks to check, each with its index in the whole grid (its seed is seed + index).
    func cases() throws -> [(index: Int, item: GridCase)] {
        let ranks: DataRankChoice = dataRank == "full" ? .full : .values(try set(dataRank, "--data-rank"))
        // One shape (--arch) replaces the grid's d, depths, hidden widths and K.
        var shape: Architecture? = nil
        if let arch {
            let given = [("--inputs", inputs), ("--depth", depth), ("--hidden", hidden), ("--outputs", outputs)]
            if let option = given.first(where: { $0.1 != nil }) {
                throw ValidationError("\(option.0): not with --arch, which gives the shape \(arch) (d, hidden widths and K)")
            }
            if random != nil { throw ValidationError("--random: not with --arch (one shape; its networks are all checked)") }
            do { shape = try Architecture(parsing: arch) } catch { throw ValidationError("--arch: \(error.message)") }
        }
        let grid: ConjectureGrid
        do {
            grid = try ConjectureGrid(
                inputs: try shape.map { IntegerSet([$0.inputWidth]) } ?? set(inputs ?? "1..6", "--inputs"),
                depths: try shape.map { IntegerSet([$0.depth]) } ?? set(depth ?? "1..3", "--depth"),
                hidden: try shape.map { _ in IntegerSet([1]) } ?? set(hidden ?? "1..4", "--hidden"),
                outputs: try shape.map { IntegerSet([$0.outputWidth]) } ?? set(outputs ?? "1..4", "--outputs"),
                samples: try set(samples ?? "1..8", "--samples"), dataRanks: ranks, biases: try biases,
                activations: try activations, losses: try losses, maximumParameters: maxParameters)
        } catch let error as InputError { throw ValidationError(error.message) }
        let all: [GridCase]
        if let shape {
            all = grid.cases(widths: shape.widths)
            guard !all.isEmpty else {
                throw ValidationError("--arch \(arch!): no network to check (p = \(shape.parameterCount) exceeds --max-parameters \(maxParameters)?)")
            }
        } else {
            all = random.map { grid.randomCases($0, seed: UInt64(seed) ?? 0) } ?? Array(grid.cases())
            guard !all.isEmpty else { throw ValidationError("the grid has no network with at most \(maxParameters) parameters") }
        }
        let (i, n) = shardValue ?? (1, 1)
        return ConjectureGrid.shard(all, i, of: n)
    }

    // MARK: Running

    func run() throws {
        let conjecture = try parsedConjecture()
        let runPrime = prime.map { UInt($0)! } ?? Primes.fromSystemEntropy()
        let primes: PrimeChoice = prime == nil ? .random(count: 1) : .given([runPrime])
        if convolutional {
            // Integer points only: no prime of generic mode.
            let checker = ConjectureCheck(conjecture: conjecture, options: RankOptions(primes: primes), fieldPrime: nil)
            try run(conjecture, cases: try convolutionalCases(), runPrime: runPrime, check: { try checker.check($0, seed: $1) },
                    shrink: { checker.shrink($0) },
                    confirm: { $0.network.architecture.parameterCount <= Rank.convolutionCertificationLimit ? checker.confirm($0) : nil },
                    certify: convolutionCheckCommand)
        } else {
            let checker = ConjectureCheck(conjecture: conjecture, options: RankOptions(primes: primes),
                                          fieldPrime: exact ? nil : runPrime)
            try run(conjecture, cases: try cases(), runPrime: runPrime, check: { try checker.check($0, seed: $1) },
                    shrink: { checker.shrink($0) }, confirm: { checker.confirm($0) }, certify: certifyCommand)
        }
    }

    /// Checks every case (network i from seed + i), shrinks and confirms the first failure, and prints the report.
    func run<Checked: ReportedCheck>(_ conjecture: Conjecture, cases: [(index: Int, item: Checked.Network)], runPrime: UInt,
                                     check: (Checked.Network, UInt64) throws -> Checked, shrink: (Checked) -> Shrinking<Checked>,
                                     confirm: (Checked) -> Checked?, certify: (Checked, Checked?) -> String) throws {
        let base = UInt64(seed)!
        var progress = Progress("conjecture", total: cases.count)
        var checks: [Checked] = []
        var failures: [String] = []
        for (n, c) in cases.enumerated() {
            if n % 64 == 0 { progress.update(n, c.item.description) }
            do {
                checks.append(try check(c.item, base &+ UInt64(c.index)))
            } catch {
                failures.append("\(c.item): \(error)")
            }
        }
        progress.update(cases.count)
        progress.finish()

        var shrinking: Shrinking<Checked>? = nil
        var confirmation: Checked? = nil
        if let first = checks.first(where: \.failed), !noShrink {
            StandardError.write("conjecture: shrinking \(first.network) ...\n")
            let result = shrink(first)
            shrinking = result
            confirmation = confirm(result.minimal)
        }
        let generic = !exact && !convolutional
        let report = ConjectureReport(conjecture: conjecture, definitions: definitions, checks: checks, notDrawn: failures,
                                      shrinking: shrinking,
                                      confirmation: confirmation, seed: seed, prime: !generic && prime == nil ? nil : runPrime,
                                      generic: generic, convolutional: convolutional,
                                      reproduce: shrinking.map { reproduceCommand($0.minimal, runPrime: runPrime) },
                                      certify: shrinking.map { certify($0.minimal, confirmation) })
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
        } else {
            print(report.table(show: show), terminator: "")
        }
        if !report.summary.passed { throw CommandFailure.checkFailed }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The command that checks exactly this network again, at the same seed and prime.
    func reproduceCommand<Checked: ReportedCheck>(_ minimal: Checked, runPrime: UInt) -> String {
        var words = ["hessian-rank", "conjecture"]
        for (part, text) in formulaTexts { words += ["--\(part.rawValue)", Self.quoted(text)] }
        for d in definitions { words += ["--define", Self.quoted(d)] }
        words += minimal.networkOptions
        words += ["--seed", String(minimal.seeds[0])]
        if exact { words.append("--exact") }
        // Generic mode's points are those of the run's prime; integer points need no prime unless one was given.
        if (!exact && !convolutional) || prime != nil { words += ["--prime", String(runPrime)] }
        return words.joined(separator: " ")
    }

    /// The command that writes a certificate of the ranks at the integer point where the minimal network was
    /// confirmed (`certify` draws the same point from the same seed).
    func certifyCommand(_ minimal: CaseCheck, confirmed: CaseCheck?) -> String {
        let c = minimal.gridCase
        var words = ["hessian-rank", minimal.intervals == nil ? "certify" : "rank", "--arch",
                     c.architecture.widths.map(String.init).joined(separator: ","), "--samples", String(c.samples)]
        if let r = c.dataRank { words += ["--data-rank", String(r)] }
        if c.architecture.bias { words.append("--bias") }
        if c.activation != .linear { words += ["--activation", c.activation.rawValue] }
        if minimal.intervals != nil {
            // rank --loss draws the same point from the same seed and certifies the same intervals.
            words += ["--loss", c.loss.rawValue, "--point", "normalized", "--seed", String(minimal.drawnSeed)]
            return words.joined(separator: " ")
        }
        words += ["--seed", String(confirmed?.drawnSeed ?? minimal.seeds[0]), "--part", minimal.failingParts.first?.rawValue ?? "all",
                  "--out", "counterexample.json"]
        return words.joined(separator: " ")
    }
}
