// The outer part's rank under each loss, exactly, through a problem whose MSE outer part has that rank at every
// point. H_O = sum_n J_n^T A_n J_n, and only the kernel of each A_n matters (proofs/statements/cross-entropy.md,
// Lemma 2):
// - mse (A_n = I) and log-cosh (A_n = diag(sech^2(f(x_n) - y_n)), positive definite): rank H_O is the rank of the
//   stacked Jacobian, as for mse, at every point (proofs/statements/log-cosh.md);
// - cross-entropy (A_n = diag(pi_n) - pi_n pi_n^T, kernel span(1) since every softmax probability is positive):
//   rank H_O is the rank of the stacked T J_n, T = [I_{K-1} | -1], which is the MSE H_O of the network with K - 1
//   outputs and last layer T W_L (and bias T b_L) (Lemma 3). This needs only that the last layer is affine, so it
//   holds for piecewise-linear hidden activations and with biases too.
// The entries of A_n are transcendental; these problems are integer, so H_O's rank is exact with the usual methods.
import ExactAlgebra
import NetworkModel

extension Problem {
    /// A problem whose MSE H_O has, at every point, the rank of this problem's H_O under `loss`: this problem for mse
    /// and log-cosh; for cross-entropy (K >= 2) the network with K - 1 outputs and last layer T W_L (and T b_L), with
    /// zero targets (H_O does not depend on them).
    public func outerRankProblem(for loss: Loss) throws(InputError) -> Problem {
        switch loss {
        case .mse, .logCosh:
            return self
        case .crossEntropy:
            let k = architecture.outputWidth
            guard k >= 2 else { throw InputError("cross-entropy needs at least 2 outputs (classes); got K = \(k)") }
            var t = IntegerMatrix(rows: k - 1, columns: k)
            for i in 0..<(k - 1) {
                t[i, i] = 1
                t[i, k - 1] = -1
            }
            let last = architecture.depth - 1
            var weights = self.weights
            weights[last] = t * weights[last]
            var biases = self.biases
            if architecture.bias { biases[last] = t * biases[last] }
            let reduced = try Architecture(widths: Array(architecture.widths.dropLast()) + [k - 1], bias: architecture.bias)
            return try Problem(architecture: reduced, weights: weights, biases: biases, x: x,
                               y: IntegerMatrix(rows: sampleCount, columns: k - 1))
        }
    }
}
