// The activation of the hidden layers (the output layer is linear), and why a leaky ReLU with a rational slope still
// gives integer Hessians.
//
// Linear, ReLU and leaky ReLU are all piecewise linear: sigma(z) = z for z > 0 and s z for z < 0, with s = 1, 0 and
// a/b. Away from kinks the network is locally a polynomial in theta, but for s = a/b with b > 1 its Hessians have
// denominators. They are avoided by working with b sigma instead of sigma.
//
// The integer-slope activation sigma_b(z) = b z (z > 0), a z (z < 0) is b sigma, and sigma is positively homogeneous:
// sigma(c z) = c sigma(z) for c > 0. Write h_t for the true network's layer outputs (h_0 = x, h_t = sigma(z_t),
// z_t = W_t h_{t-1} + b_t) and g_t for those of the network with sigma_b in which the bias of layer t is multiplied by
// c_t = b^(t-1), the constant input 1 carried through sigma_b up to layer t (1 at the input, sigma_b(c) = b c). Then by
// induction on t, for the L - 1 hidden layers,
//   z'_t = W_t g_{t-1} + c_t b_t = W_t b^(t-1) h_{t-1} + b^(t-1) b_t = b^(t-1) z_t,
//   g_t = sigma_b(b^(t-1) z_t) = b^(t-1) b sigma(z_t) = b^t h_t,
// and at the linear output layer z'_L = b^(L-1) z_L: the scaled network computes f' = b^(L-1) f. With targets
// y' = b^(L-1) y its residual is e' = b^(L-1) e and its loss l' = 1/2 sum |e'|^2 = b^(2(L-1)) l, as functions of the same
// coordinates theta (the bias coordinate is b_t itself; c_t is a constant of the construction, not a parameter). So
// every second derivative scales alike: H_L' = b^(2(L-1)) H_L, and also the parts, J' = b^(L-1) J gives
// H_O' = b^(2(L-1)) H_O, and e'_c Hessian(f'_c) = b^(2(L-1)) e_c Hessian(f_c) gives H_F' = b^(2(L-1)) H_F. The scaled
// network has integer slopes, constants and targets, so over integer weights and data its Hessians are integer
// matrices, with the same rank and kernel as the true ones. Kinks are the same points (z'_t = 0 iff z_t = 0), and the
// activation pattern is the same (sign z'_t = sign z_t). For linear and ReLU b = 1 and nothing changes.
//
// Every Hessian this module returns is the scaled one, b^(2(L-1)) times the true Hessian (`hessianScale`).

/// The activation of the hidden layers; the output layer is linear.
public enum ReferenceActivation: Sendable, Equatable {
    case linear
    /// max(0, z): exact on each linear region, refused on a kink.
    case relu
    /// z for z > 0, (numerator / denominator) z for z < 0; refused on a kink. The slope must be in lowest terms with
    /// denominator >= 1, |numerator| and denominator at most 2^16, and not 1 (`isValid`, a precondition of every
    /// computation: callers validate first); slope 0 is ReLU.
    case leakyReLU(numerator: Int, denominator: Int)

    /// The largest numerator magnitude and denominator of a leaky slope.
    public static let maximumSlopeTerm = 1 << 16

    /// Whether a leaky slope keeps to the conventions above (linear and relu always do).
    public var isValid: Bool {
        guard case let .leakyReLU(a, b) = self else { return true }
        func gcd(_ x: Int, _ y: Int) -> Int { y == 0 ? x : gcd(y, x % y) }
        // gcd(0, b) = b: slope 0 is in lowest terms only as 0/1.
        return (1...Self.maximumSlopeTerm).contains(b) && a.magnitude <= Self.maximumSlopeTerm && a != b
            && gcd(Int(a.magnitude), b) == 1
    }

    /// The slopes (z > 0, z < 0) of sigma_b = b sigma: (1, 1) linear, (1, 0) relu, (b, a) leaky-relu a/b.
    public var integerSlopes: (positive: Int128, negative: Int128) {
        switch self {
        case .linear: (1, 1)
        case .relu: (1, 0)
        case let .leakyReLU(a, b): (Int128(b), Int128(a))
        }
    }

    /// Whether a zero pre-activation in a hidden layer is a kink (every activation but the identity).
    var hasKinks: Bool { self != .linear }

    /// b^(2(L-1)) for a network of `depth` = L weight matrices: the factor between the Hessians this module returns
    /// and the true ones (1 for linear and relu).
    public func hessianScale(depth: Int) throws(ReferenceFailure) -> Int128 {
        let constants = try biasConstants(depth: depth)
        return try Checked.mul(constants[depth - 1], constants[depth - 1])
    }

    /// c_t = b^(t-1) for t = 1 ... L (index t - 1): the constant input of layer t's bias in the scaled network; the last,
    /// b^(L-1), also scales the targets.
    func biasConstants(depth: Int) throws(ReferenceFailure) -> [Int128] {
        precondition(isValid, "ReferenceActivation: \(self) is not a slope in lowest terms with 1 <= b <= 2^16, |a| <= 2^16, a/b != 1")
        var constants: [Int128] = [1]
        for _ in 1..<max(depth, 1) { constants.append(try Checked.mul(constants[constants.count - 1], integerSlopes.positive)) }
        return constants
    }
}
