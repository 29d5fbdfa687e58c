// The loss the Hessians are of: mean squared error, and the other losses of the paper's code (cross-entropy,
// log-cosh), for which only the outer part's rank is computed so far (`Problem.outerRankProblem(for:)`). For each, H_O = sum_n J_n^T A_n J_n with a per-sample positive semidefinite factor A_n (the
// identity for mse), and H_F = sum_n sum_c g_{n,c} Hessian(f_c) with g the loss's gradient in the outputs (the
// residual for mse): a new loss supplies A_n and g to the constructions, a formula to RankFormulas, and a statement
// to proofs/statements/.

public enum Loss: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// l = 1/2 sum_n ||f(x_n) - y_n||^2: A_n = I, g_n = f(x_n) - y_n.
    case mse
    /// l = -sum_n y_n^T log softmax(f(x_n)), targets probability vectors (one-hot or soft): A_n = diag(pi_n) -
    /// pi_n pi_n^T with pi_n = softmax(f(x_n)), g_n = pi_n - y_n (proofs/statements/cross-entropy.md).
    case crossEntropy = "cross-entropy"
    /// l = sum_n sum_c log cosh(f_c(x_n) - y_nc): A_n = diag(sech^2(f(x_n) - y_n)), positive definite, g_n =
    /// tanh(f(x_n) - y_n) (proofs/statements/log-cosh.md).
    case logCosh = "log-cosh"

    /// Parses the text form ("mse", "cross-entropy", "log-cosh").
    public init(parsing text: String) throws(InputError) {
        guard let loss = Loss(rawValue: text.lowercased()) else {
            throw InputError("unknown loss '\(text)'; expected \(Loss.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = loss
    }

    public var description: String { rawValue }
}
