// The one pipeline of the exact path for drawn networks: draw -> build -> redraw on a kink -> rank -> bound and
// verdict. rank, verify and sweep analyse their drawn networks through `Analyzer.analyzeDrawn` (bias and bench call
// its analysis step, `Analyzer.analyze`, on networks they draw themselves); certify, fixtures and calibrate, which
// make other things than an analysis of the drawn network, take its draw step, `Analyzer.drawOffKinks`. The prime
// of generic mode comes from the options' `PrimeChoice` here and nowhere else.
//
// Data from files (`--x`, `--y`) are one more plan, `.files`: the network is drawn as `.integers` (or `.largeValues`)
// draws it at the same seed, its data (and targets, when given) replaced by the files' values, and the whole brought to
// one integer problem with the same Hessian ranks by `Problem.exactWithExponents`. The drawn values are integers, so
// their exponents are 0 and the problem's `InputExponents` depend on the files alone (x and y: the data's power of two
// b, raised to the targets' c when c > b; each bias at its layer's scale, the same), never on the seed: a redraw on a
// kink changes the weights, not the data or their scale.
import ExactAlgebra
import HessianConstructions
import NetworkModel

/// How the exact path draws a network from a seed (`Generator`; one stream per purpose).
public enum DrawPlan: Sendable {
    /// `Generator.draw`: integers in -16...16 (data in 0...256 for `.uniform01`), data of exactly rank r when given.
    case integers(dataRank: Int?, distribution: DataDistribution = .integer)
    /// `Generator.drawLargeValues`: values in -2^20...2^20, for piecewise-linear studies at scale (kinks unlikely).
    case largeValues(nonnegativeData: Bool)
    /// Data from files, exact at their values (finite doubles: integers over powers of two, `Dyadic`), N = x.count
    /// rows; targets too when `y` is given. The weights and biases (and without `y` the targets) are those `.integers`
    /// draws at the seed, or with `largeValues` those of `.largeValues` (in -2^20...2^20: wide piecewise-linear
    /// networks then rarely sit on a kink).
    case files(x: [[Double]], y: [[Double]]?, largeValues: Bool = false)
    /// Generic mode: every value uniform over F_p, for the prime the pipeline draws from the options.
    case field(dataRank: Int?)

    /// The problem of `seed`; `prime` is the field's in generic mode.
    public func draw(_ architecture: Architecture, samples: Int, seed: UInt64, prime: UInt?) throws(InputError) -> Problem {
        try drawWithExponents(architecture, samples: samples, seed: seed, prime: prime).problem
    }

    /// The problem of `seed` and the powers of two that map it back to the values drawn or given: all 0 but for
    /// `.files` (`Problem.exactWithExponents`).
    public func drawWithExponents(_ architecture: Architecture, samples: Int, seed: UInt64,
                                  prime: UInt?) throws(InputError) -> (problem: Problem, exponents: InputExponents) {
        let problem: Problem
        switch self {
        case let .integers(dataRank, distribution):
            problem = try Generator.draw(architecture, samples: samples, dataRank: dataRank, data: distribution, seed: seed)
        case .largeValues(let nonnegative):
            problem = try Generator.drawLargeValues(architecture, samples: samples, nonnegativeData: nonnegative, seed: seed)
        case .files:
            let values = try givenValues(architecture, samples: samples, seed: seed)!
            return try Problem.exactWithExponents(weights: values.weights, biases: values.biases, x: values.x, y: values.y)
        case .field(let dataRank):
            problem = try Generator.drawField(architecture, samples: samples, dataRank: dataRank, prime: prime!, seed: seed)
        }
        return (problem, .zero(depth: architecture.depth, bias: architecture.bias))
    }

    /// For `.files`: the network at its values as given, before they are brought to integers: the drawn weights and
    /// biases (and targets without `y`) as Doubles (exact: integers below 2^53), the files' data and targets as they
    /// are. nil for the other plans, whose values are the problem's own.
    public func givenValues(_ architecture: Architecture, samples: Int, seed: UInt64) throws(InputError) -> GivenValues? {
        guard case let .files(x, y, largeValues) = self else { return nil }
        guard x.count == samples else { throw InputError("the data have \(x.count) rows, not N = \(samples)") }
        guard x.allSatisfy({ $0.count == architecture.inputWidth }) else {
            throw InputError("the data have \(x.first?.count ?? 0) columns but the network has d = \(architecture.inputWidth) inputs")
        }
        if let y, y.count != samples || !y.allSatisfy({ $0.count == architecture.outputWidth }) {
            throw InputError("the targets must be N x K = \(samples) x \(architecture.outputWidth); got \(y.count) x \(y.first?.count ?? 0)")
        }
        // The same streams as every draw with this seed (weights 1, targets 3, biases 5); the drawn data are dropped.
        let drawn = try (largeValues ? DrawPlan.largeValues(nonnegativeData: false) : .integers(dataRank: nil))
            .draw(architecture, samples: samples, seed: seed, prime: nil)
        func doubles(_ m: IntegerMatrix) -> [[Double]] {
            (0..<m.rowCount).map { i in (0..<m.columnCount).map { j in Double(m[i, j]) } }
        }
        return GivenValues(weights: drawn.weights.map(doubles), biases: drawn.biases.map { doubles($0).map { $0[0] } },
                           x: x, y: y ?? doubles(drawn.y))
    }

    public var isGeneric: Bool { if case .field = self { true } else { false } }
}

/// A network at the values a user gave or the tool drew, as Doubles: W_1 ... W_L (rows), b_1 ... b_L (none without
/// biases), the data X (N x d) and the targets Y (N x K).
public struct GivenValues: Sendable, Equatable {
    public let weights: [[[Double]]]
    public let biases: [[Double]]
    public let x: [[Double]]
    public let y: [[Double]]
}

extension Analyzer {
    /// Draws `architecture` with `samples` from `seed` by `plan`, and analyses it with `options`. In generic mode
    /// (`.field`) the field's prime is the first of `options.primes` (drawn from the system's entropy, or given), and
    /// the options rank over it. A network whose activation has kinks is drawn again on a kink (`KinkRedraw`: the
    /// seed it was analysed at is the analysis's `seed`). Throws `InputError` (a draw, or every redraw on a kink) and
    /// `AnalysisFailure.certification`.
    public static func analyzeDrawn(_ architecture: Architecture, samples: Int, plan: DrawPlan, seed: UInt64,
                                    options: RankOptions = RankOptions()) throws -> Analysis {
        var options = options
        var prime: UInt? = nil
        if plan.isGeneric {
            prime = options.primes.draw()[0]
            options.fieldPrime = prime
        }
        let what = KinkRedraw.describe(architecture, samples: samples)
        guard options.activation.hasKinks else {
            return try analyze(plan.draw(architecture, samples: samples, seed: seed, prime: prime), seed: seed, options: options)
        }
        return try KinkRedraw.first(seed: seed, what: what) { drawSeed in
            try analyze(plan.draw(architecture, samples: samples, seed: drawSeed, prime: prime), seed: drawSeed, options: options)
        }.value
    }

    /// The draw step alone: the first draw by `plan` (seed + k 2^32, `KinkRedraw`) at which a network with
    /// `activation` has exact Hessians, with its seed. For linear networks that is the first draw.
    public static func drawOffKinks(_ architecture: Architecture, samples: Int, plan: DrawPlan, seed: UInt64,
                                    activation: Activation, prime: UInt? = nil) throws -> (seed: UInt64, problem: Problem) {
        let drawn = try drawOffKinksWithExponents(architecture, samples: samples, plan: plan, seed: seed,
                                                  activation: activation, prime: prime)
        return (drawn.seed, drawn.problem)
    }

    /// `drawOffKinks` with the powers of two that map the problem back to the values drawn or given
    /// (`DrawPlan.drawWithExponents`).
    public static func drawOffKinksWithExponents(_ architecture: Architecture, samples: Int, plan: DrawPlan, seed: UInt64,
                                                 activation: Activation, prime: UInt? = nil)
        throws -> (seed: UInt64, problem: Problem, exponents: InputExponents) {
        guard activation.hasKinks else {
            let drawn = try plan.drawWithExponents(architecture, samples: samples, seed: seed, prime: prime)
            return (seed, drawn.problem, drawn.exponents)
        }
        let drawn = try KinkRedraw.first(seed: seed, what: KinkRedraw.describe(architecture, samples: samples)) { drawSeed in
            let drawn = try plan.drawWithExponents(architecture, samples: samples, seed: drawSeed, prime: prime)
            _ = try ExactHessians.build(drawn.problem, activation: activation)
            return drawn
        }
        return (drawn.seed, drawn.value.problem, drawn.value.exponents)
    }
}
