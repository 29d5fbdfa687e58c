// Rank statements for a linear network with one hidden convolution: a convolution (m output channels, each filter
// with kappa = C_0 k^s entries, on an input with C_0 channels and s spatial axes; any stride and padding) producing
// d' positions per channel, then a dense layer to K outputs; no biases (proofs/convolution.md, "One hidden
// convolution"). Both hold at every point:
// - `conv-functional`: rank H_F = 2 m rank G, with G the (K d') x kappa matrix of the residual covariance read through
//   the patches (G[(k, position), j] = Omega[k, the input entry filter entry j meets at that position]);
// - `conv-outer`: rank H_O <= min(K r, q (K d' + kappa - q)), q = min(m, K d', kappa), r the data's rank.
// H_L is at most the sum of the two (`sum`).

/// The one-hidden-convolution network's sizes and the statements above.
public struct OneConvolutionBounds: Sendable, Equatable {
    /// m, the convolution's output channels.
    public let channels: Int
    /// kappa = C_0 k^s, the entries of one filter.
    public let filterEntries: Int
    /// d', the output positions of one channel.
    public let positions: Int
    /// K.
    public let outputs: Int
    /// r, the rank of the data.
    public let dataRank: Int

    public init(channels: Int, filterEntries: Int, positions: Int, outputs: Int, dataRank: Int) {
        precondition(channels >= 1 && filterEntries >= 1 && positions >= 1 && outputs >= 1 && dataRank >= 0,
                     "OneConvolutionBounds: sizes must be positive")
        self.channels = channels
        self.filterEntries = filterEntries
        self.positions = positions
        self.outputs = outputs
        self.dataRank = dataRank
    }

    /// p = m kappa + K m d'.
    public var parameterCount: Int { channels * filterEntries + outputs * channels * positions }

    /// q = min(m, K d', kappa): the largest rank of sum_c vec(W2_c) vec(w_c)^T.
    public var q: Int { min(channels, outputs * positions, filterEntries) }

    /// `conv-outer`: rank H_O <= min(K r, q (K d' + kappa - q)) at every point.
    public var outer: UpperBound {
        UpperBound(value: min(outputs * dataRank, q * (outputs * positions + filterEntries - q)), statement: "conv-outer",
                   basis: .provedHere)
    }

    /// The largest rank H_F can have: 2 m min(K d', kappa), G's rank at most its smaller side.
    public var functionalMaximum: Int { 2 * channels * min(outputs * positions, filterEntries) }

    /// `conv-functional`: rank H_F = 2 m rank G at every point (an identity), given rank G.
    public func functional(patchResidualRank: Int) -> UpperBound {
        precondition(patchResidualRank >= 0 && patchResidualRank <= min(outputs * positions, filterEntries),
                     "OneConvolutionBounds: rank G must lie in 0...min(K d', kappa)")
        return UpperBound(value: 2 * channels * patchResidualRank, statement: "conv-functional", basis: .provedHere)
    }

    /// Every bound of the three parts at a point with N samples and rank G = `patchResidualRank`: the two statements,
    /// their sum for H_L, and the structural bounds.
    public func upperBounds(samples: Int, patchResidualRank: Int) -> PartUpperBounds {
        let structural = PartUpperBounds.structural(parameters: parameterCount, samples: samples, outputs: outputs)
        let outer = [self.outer] + structural.outer
        let functional = [functional(patchResidualRank: patchResidualRank)] + structural.functional
        let sum = UpperBound(value: UpperBound.tightest(outer)!.value + UpperBound.tightest(functional)!.value,
                             statement: "sum", basis: .provedHere)
        return PartUpperBounds(outer: outer, functional: functional, loss: [sum] + structural.loss)
    }
}
