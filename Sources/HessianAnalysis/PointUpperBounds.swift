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
