// The loss the Hessians are of. Today mean squared error; the losses of the paper's code (cross-entropy, log-cosh)
// become cases here. For each, H_O = sum_n J_n^T A_n J_n with a per-sample positive semidefinite factor A_n (the
// identity for mse), and H_F = sum_n sum_c g_{n,c} Hessian(f_c) with g the loss's gradient in the outputs (the
// residual for mse): a new loss supplies A_n and g to the constructions, a formula to RankFormulas, and a statement
// to proofs/statements/.

public enum Loss: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// l = 1/2 sum_n ||f(x_n) - y_n||^2: A_n = I, g_n = f(x_n) - y_n.
    case mse

    /// Parses the text form ("mse").
    public init(parsing text: String) throws(InputError) {
        guard let loss = Loss(rawValue: text.lowercased()) else {
            throw InputError("unknown loss '\(text)'; expected \(Loss.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = loss
    }

    public var description: String { rawValue }
}
