// The one pipeline of the exact path for drawn networks: draw -> build -> redraw on a kink -> rank -> bound and
// verdict. rank, verify and sweep analyse their drawn networks through `Analyzer.analyzeDrawn` (bias and bench call
// its analysis step, `Analyzer.analyze`, on networks they draw themselves); certify, fixtures and calibrate, which
// make other things than an analysis of the drawn network, take its draw step, `Analyzer.drawOffKinks`. The prime
// of generic mode comes from the options' `PrimeChoice` here and nowhere else.
import ExactAlgebra
import HessianConstructions
import NetworkModel

/// How the exact path draws a network from a seed (`Generator`; one stream per purpose).
public enum DrawPlan: Sendable {
    /// `Generator.draw`: integers in -16...16 (data in 0...256 for `.uniform01`), data of exactly rank r when given.
    case integers(dataRank: Int?, distribution: DataDistribution = .integer)
    /// `Generator.drawLargeValues`: values in -2^20...2^20, for piecewise-linear studies at scale (kinks unlikely).
    case largeValues(nonnegativeData: Bool)
    /// Given data X (from a file): weights, biases and targets drawn.
    case data(IntegerMatrix)
    /// Generic mode: every value uniform over F_p, for the prime the pipeline draws from the options.
    case field(dataRank: Int?)

    /// The problem of `seed`; `prime` is the field's in generic mode.
    public func draw(_ architecture: Architecture, samples: Int, seed: UInt64, prime: UInt?) throws(InputError) -> Problem {
        switch self {
        case let .integers(dataRank, distribution):
            try Generator.draw(architecture, samples: samples, dataRank: dataRank, data: distribution, seed: seed)
        case .largeValues(let nonnegative): try Generator.drawLargeValues(architecture, samples: samples,
                                                                          nonnegativeData: nonnegative, seed: seed)
        case .data(let x): try Generator.draw(architecture, x: x, seed: seed)
        case .field(let dataRank): try Generator.drawField(architecture, samples: samples, dataRank: dataRank,
                                                           prime: prime!, seed: seed)
        }
    }

    public var isGeneric: Bool { if case .field = self { true } else { false } }
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
        let what = "\(architecture.summary), N = \(samples)"
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
        guard activation.hasKinks else {
            return (seed, try plan.draw(architecture, samples: samples, seed: seed, prime: prime))
        }
        let drawn = try KinkRedraw.first(seed: seed, what: "\(architecture.summary), N = \(samples)") { drawSeed in
            let problem = try plan.draw(architecture, samples: samples, seed: drawSeed, prime: prime)
            _ = try ExactHessians.build(problem, activation: activation)
            return problem
        }
        return (drawn.seed, drawn.value)
    }
}
