// The conjecture engine on linear convolutional networks (`ConvolutionalCase`): drawn at integer points
// (`ConvolutionalProblem.draw`, as `rank --input --layers` draws them), ranked modulo random primes
// (`ParametrizedHessians.ranks`) or certified (`CertifiedRank` on `ParametrizedLinearHessian`), and judged, redrawn and
// shrunk by the same code as dense networks (`ConjectureCheck`, `Verdict`). Generic mode over F_p is not available:
// the Hessians are built over Z.
//
// A formula reads the network through its unrolled dense network (d and the widths flattened, p the CNN's own
// parameters, r = rank X, omega = rank of the unrolled residual covariance, all certified at the point) and through
// `ConvolutionQuantities` (C0, S, the per-layer lists, patchrank = rank G). No diagnosis of the point exists (the
// conditions C1-C4 are about dense networks), so a shortfall is redrawn and then counts as evidence (`belowUndiagnosed`).
// A rank that meets a bound proven at its point (`PointUpperBounds.bounds`: the unrolled network's, `conv-outer`,
// `conv-functional`, p, N K) is exact over Q (`exactBy`).
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import RankFormulas

/// One convolutional network checked: the draws tried, the ranks at the last and the judgement of each formula.
public struct ConvolutionalCaseCheck: JudgedNetwork {
    public let network: ConvolutionalCase
    public let seeds: [UInt64]
    /// The rank of each judged part at the last seed: modulo primes, or certified.
    public let ranks: [FormulaPart: RankResult]
    public let quantities: NetworkQuantities
    public let judgements: [FormulaJudgement]

    /// The largest probability that a rank here fell short (0 when certified; nil when the primes were given).
    public var errorBound: Double? { RankResult.worstBound(ranks.values.map(\.errorBound)) }
    /// Every rank certified over Q.
    public var certified: Bool { ranks.values.allSatisfy(\.certified) }
}

extension ConvolutionQuantities {
    /// The sizes of `architecture` (bias-free), with rank G where it is known.
    public init(_ architecture: ConvolutionalArchitecture, patchResidualRank: Int?) {
        let a = architecture, layers = 0..<a.depth
        func convolution(_ t: Int) -> ConvolutionSpec? {
            if case .convolution(let c) = a.layers[t] { return c }
            return nil
        }
        self.init(inputChannels: a.input.channels, spatialAxes: a.input.spatial.count,
                  channels: layers.map { a.shapes[$0].channels },
                  kernels: layers.map { convolution($0)?.kernel ?? 0 },
                  strides: layers.map { convolution($0)?.stride ?? 0 },
                  positions: layers.map { a.shapes[$0].positions },
                  // (C_{t-1}, k, ...) of a convolution's weight, or the flattened inputs of a dense layer's.
                  filterEntries: layers.map { a.fanIn($0) },
                  patchResidualRank: a.oneHiddenConvolution == nil ? nil : patchResidualRank)
    }
}

extension ConjectureCheck {
    /// Checks the convolutional network at `seed`, redrawing a shortfall like `check(_: GridCase, seed:)`. Always at
    /// integer points: `fieldPrime` is not used. Throws `InputError` and the certification's errors.
    public func check(_ network: ConvolutionalCase, seed: UInt64) throws -> ConvolutionalCaseCheck {
        try redrawing(seed) { seeds in try rankAndJudge(network, seeds: seeds) }
    }

    func rankAndJudge(_ network: ConvolutionalCase, seeds: [UInt64]) throws -> ConvolutionalCaseCheck {
        let problem = try ConvolutionalProblem.draw(network.architecture, samples: network.samples, seed: seeds.last!)
        let analysis = try ConvolutionalAnalysis(problem, primes: options.primes, certify: options.certify,
                                                 parts: Set(conjecture.parts.map { HessianPart(rawValue: $0.rawValue)! }))
        let point = analysis.point!
        var ranks: [FormulaPart: RankResult] = [:]
        for part in conjecture.parts { ranks[part] = analysis.part(HessianPart(rawValue: part.rawValue)!)!.result }
        let a = network.architecture
        let quantities = NetworkQuantities(
            widths: [a.input.count] + a.shapes.map(\.count), samples: problem.sampleCount, parameterCount: problem.parameterCount,
            dataRank: point.dataRank, augmentedDataRank: try CertifiedRank.rank(of: problem.augmentedData).rank,
            residualRank: point.residualRank, bias: false, effectiveOutputs: a.outputWidth,
            convolution: ConvolutionQuantities(a, patchResidualRank: point.patchResidualRank))
        let judgements = conjecture.parts.map { part in
            let ranked = analysis.part(HessianPart(rawValue: part.rawValue)!)!
            let rank = ranked.rank
            return judgement(part, quantities, loss: .mse, rank: rank, upper: nil, exactBy: ranked.exactBy) { value, relation in
                Verdict(rank: rank, value: value, relation: relation, attainment: nil, conditionsHold: nil)
            }
        }
        return ConvolutionalCaseCheck(network: network, seeds: seeds, ranks: ranks, quantities: quantities, judgements: judgements)
    }

    /// Shrinks a failing convolutional network (`ConvolutionalCase.shrinkSteps`) like a dense one.
    public func shrink(_ failure: ConvolutionalCaseCheck, progress: ((ConvolutionalCase) -> Void)? = nil) -> Shrinking<ConvolutionalCaseCheck> {
        shrink(failure, steps: { $0.shrinkSteps() }, check: { try check($0, seed: $1) }, progress: progress)
    }

    /// Re-checks `failure`'s network from its first seed with every rank certified over Q, redrawn like `check`: the
    /// ranks `rank --input --layers --certify` gives at the last seed. nil when that fails.
    public func confirm(_ failure: ConvolutionalCaseCheck) -> ConvolutionalCaseCheck? {
        var options = self.options
        options.certify = true
        let exact = ConjectureCheck(conjecture: conjecture, options: options, fieldPrime: nil,
                                    provenAttainment: false, redraws: redraws, intervalPoint: intervalPoint)
        return try? exact.check(failure.network, seed: failure.seeds[0])
    }
}

extension ConvolutionalProblem {
    /// [X, 1]: the data with a column of ones, whose rank is rtilde.
    public var augmentedData: IntegerMatrix {
        var augmented = IntegerMatrix(rows: sampleCount, columns: x.columnCount + 1)
        for n in 0..<sampleCount {
            for j in 0..<x.columnCount { augmented.addEntry(n, j, from: x, n, j) }
            augmented[n, x.columnCount] = 1
        }
        return augmented
    }
}
