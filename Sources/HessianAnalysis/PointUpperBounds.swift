// The upper bounds on each part's rank that hold at one point (proofs/upper-bounds.md), for the network at hand:
// the formula module's bounds (`PartUpperBounds`) read with this point's exact ranks of the data and of the residual
// covariance. `Analyzer` compares every rank over Q with them; `CertificateBuilder` names the one a rank meets.
import ExactAlgebra
import NetworkModel
import RankFormulas

extension Problem {
    /// Omega = W^{L:1} X^T X - Y^T X (K x d), the residual covariance of a bias-free network read as linear
    /// (proofs/notation.md). For the augmented network of a bias network (`augmented`) it is Omega~.
    public var residualCovariance: IntegerMatrix {
        precondition(!architecture.bias, "Problem.residualCovariance: read the augmented network of a bias network")
        let endToEnd = weights.dropFirst().reduce(weights[0]) { $1 * $0 }
        return endToEnd * (x.transposed * x) - y.transposed * x
    }
}

public enum PointUpperBounds {
    /// The bounds of each part at `problem` with hidden `activation`: the closed forms for linear networks (with and
    /// without biases), the structural bounds for every network. `rank` gives the exact rank over Q of a small matrix
    /// (the data, Omega); `dataRank`, `residualRank` and `augmentedDataRank` are used when known.
    public static func bounds<E: Error>(_ problem: Problem, activation: Activation, dataRank: Int, residualRank: Int?,
                                        augmentedDataRank: Int?,
                                        rank: (IntegerMatrix) throws(E) -> Int) throws(E) -> [HessianPart: [UpperBound]] {
        let architecture = problem.architecture
        let samples = problem.sampleCount
        let set: PartUpperBounds
        if activation != .linear {
            set = .structural(parameters: problem.parameterCount, samples: samples, outputs: architecture.outputWidth)
        } else if architecture.bias {
            let augmented = problem.augmented
            let augmentedRank: Int
            if let augmentedDataRank { augmentedRank = augmentedDataRank } else { augmentedRank = try rank(augmented.x) }
            set = .biasNetwork(widths: architecture.widths, parameters: problem.parameterCount, samples: samples,
                               augmentedDataRank: augmentedRank,
                               augmentedResidualRank: try rank(augmented.residualCovariance))
        } else {
            let omega: Int
            if let residualRank { omega = residualRank } else { omega = try rank(problem.residualCovariance) }
            set = .linear(LinearNetworkFormulas(widths: architecture.widths, dataRank: dataRank), samples: samples,
                          residualRank: omega)
        }
        return [.outer: set.outer, .functional: set.functional, .loss: set.loss]
    }
}

extension PointUpperBounds {
    /// The exact ranks a convolutional network's bounds read at its point: rank X, the rank of the unrolled network's
    /// residual covariance Omega = W^{L:1} X^T X - Y^T X, and rank G of `conv-functional` (one hidden convolution then a
    /// dense layer only), each certified over Q.
    public struct ConvolutionPointRanks: Sendable, Equatable {
        public let dataRank: Int
        public let residualRank: Int
        /// nil unless the network is one hidden convolution then a dense layer, both without bias.
        public let patchResidualRank: Int?
    }

    /// The ranks of `ConvolutionPointRanks` at `problem`'s point (bias-free networks).
    public static func pointRanks(_ problem: ConvolutionalProblem) throws -> ConvolutionPointRanks {
        precondition(!problem.architecture.hasBias, "PointUpperBounds.pointRanks: bias-free networks")
        let w = problem.unrolledMatrices
        let endToEnd = w.dropFirst().reduce(w[0]) { $1 * $0 }
        let omega = endToEnd * (problem.x.transposed * problem.x) - problem.y.transposed * problem.x
        let patch = try problem.architecture.oneHiddenConvolution.map { _ in
            try CertifiedRank.rank(of: patchResidual(problem, omega: omega)).rank
        }
        return ConvolutionPointRanks(dataRank: try CertifiedRank.rank(of: problem.x).rank,
                                     residualRank: try CertifiedRank.rank(of: omega).rank, patchResidualRank: patch)
    }

    /// The bounds of a convolutional network's parts (bias-free) at its point: H_theta = S^T H_W S, with H_W the
    /// Hessian of the unrolled dense network at the unrolled weights (proofs/convolution.md), and rank S^T A S <=
    /// rank A; so every bound of the unrolled network at that point bounds this network's parts (statement
    /// "unrolled:<id>", with the basis of <id>), beside this network's own p and N K. The unrolled network's bounds are
    /// read with this point's rank X and the unrolled residual covariance's rank (exact, certified).
    public static func bounds(_ problem: ConvolutionalProblem) throws -> [HessianPart: [UpperBound]] {
        guard !problem.architecture.hasBias else { return try bounds(problem, ranks: nil) }
        return try bounds(problem, ranks: pointRanks(problem))
    }

    /// The bounds of `bounds(_:)`, read with the point's ranks computed already (`pointRanks`; nil with biases).
    public static func bounds(_ problem: ConvolutionalProblem, ranks: ConvolutionPointRanks?) throws -> [HessianPart: [UpperBound]] {
        let a = problem.architecture
        let own = PartUpperBounds.structural(parameters: problem.parameterCount, samples: problem.sampleCount,
                                             outputs: a.outputWidth)
        guard !a.hasBias, let ranks else { return [.outer: own.outer, .functional: own.functional, .loss: own.loss] }
        let widths = [a.input.count] + a.shapes.map(\.count)
        let unrolled = PartUpperBounds.linear(LinearNetworkFormulas(widths: widths, dataRank: ranks.dataRank),
                                              samples: problem.sampleCount, residualRank: ranks.residualRank)
        func lifted(_ bounds: [UpperBound]) -> [UpperBound] {
            bounds.filter { !StructuralBounds.statements.contains($0.statement) }.map {
                UpperBound(value: $0.value, statement: "unrolled:" + $0.statement, basis: $0.basis)
            }
        }
        var conv = PartUpperBounds(outer: [], functional: [], loss: [])
        if let shape = a.oneHiddenConvolution, let patchRank = ranks.patchResidualRank {
            let bounds = OneConvolutionBounds(channels: shape.channels, filterEntries: shape.filterEntries,
                                              positions: shape.positions, outputs: a.outputWidth, dataRank: ranks.dataRank)
            conv = bounds.upperBounds(samples: problem.sampleCount, patchResidualRank: patchRank)
            conv = PartUpperBounds(outer: [conv.outer[0]], functional: [conv.functional[0]], loss: [conv.loss[0]])
        }
        return [.outer: conv.outer + lifted(unrolled.outer) + own.outer,
                .functional: conv.functional + lifted(unrolled.functional) + own.functional,
                .loss: conv.loss + lifted(unrolled.loss) + own.loss]
    }

    /// G of `conv-functional` (proofs/convolution.md) for a network with one hidden convolution: (K d') x kappa, entry
    /// ((k, position), j) the residual covariance Omega[k, i] at the input entry i that filter entry j of channel 0
    /// meets at that position (0 where it meets padding).
    public static func patchResidual(_ problem: ConvolutionalProblem, omega: IntegerMatrix) -> IntegerMatrix {
        let a = problem.architecture, shape = a.oneHiddenConvolution!
        var g = IntegerMatrix(rows: a.outputWidth * shape.positions, columns: shape.filterEntries)
        // Channel 0's filter entries come first in the layer's parametrisation, its positions are rows 0..<d'.
        for (j, entries) in a.parametrization(0).prefix(shape.filterEntries).enumerated() {
            for entry in entries {
                for k in 0..<a.outputWidth { g.addEntry(k * shape.positions + entry.row, j, from: omega, k, entry.column) }
            }
        }
        return g
    }
}
