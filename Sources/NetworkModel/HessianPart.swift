// The three Hessians of the MSE loss l = 1/2 sum_n ||f(x_n) - y_n||^2 that HessianRank ranks.

public enum HessianPart: String, Sendable, CaseIterable, Codable {
    /// H_L, the Hessian of the loss: H_O + H_F.
    case loss
    /// H_O = sum_n J_n^T J_n, the outer-product (Gauss-Newton) part.
    case outer
    /// H_F = sum_n sum_c (f_c(x_n) - y_nc) Hessian of f_c(x_n), the functional part.
    case functional

    public var symbol: String {
        switch self {
        case .loss: "H_L"
        case .outer: "H_O"
        case .functional: "H_F"
        }
    }
}
