// The activation of the hidden layers (the output layer is linear), and its one textual form.
//
// Piecewise-linear activations (linear, relu, leaky-relu with a rational slope) have exact rational Hessians away from
// kinks: the exact path ranks them. tanh, sigmoid and elu have transcendental values: the float path only.
//
// Exact Hessians of a leaky ReLU with slope a/b. Its derivative is 1 or a/b, so the Hessian is rational. Multiply the
// activation by b: sigma_b(z) = b z for z > 0 and a z for z < 0 has integer slopes, and by homogeneity a network with
// sigma_b in its L - 1 hidden layers computes b^(L-1) f(theta; x), when each layer's bias is fed by a constant input
// that is itself carried through sigma_b (b^(t-1) at layer t; a bias-free network needs nothing). With targets
// b^(L-1) y the loss is b^(2(L-1)) times ours, so every Hessian is b^(2(L-1)) times ours: same rank, same kernel,
// integer entries. The exact path builds these scaled Hessians (`integerSlopes`, `hessianScale`); for linear and relu
// networks b = 1 and nothing changes (proofs/leaky-relu.md).
#if canImport(Glibc)
import Glibc
#endif

/// A rational number a/b in lowest terms with b >= 1: the slope of a leaky ReLU for z < 0.
public struct Slope: Sendable, Hashable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// Numerators and denominators are bounded so that scaled Hessians stay small (entries grow like b^(2(L-1))).
    public static let maximumTerm = 1 << 16

    public init(_ numerator: Int, _ denominator: Int) throws(InputError) {
        guard denominator != 0 else { throw InputError("a slope's denominator must not be 0") }
        // In magnitudes, so that no value (Int.min included) overflows.
        let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
        let a = numerator.magnitude / divisor, b = denominator.magnitude / divisor
        let negative = (numerator < 0) != (denominator < 0) && a != 0
        guard a <= UInt(Self.maximumTerm), b <= UInt(Self.maximumTerm) else {
            throw InputError("the slope \(negative ? "-" : "")\(a)/\(b) has a numerator or denominator above 2^16; give a simpler fraction")
        }
        self.numerator = negative ? -Int(a) : Int(a)
        self.denominator = Int(b)
    }

    /// Parses "a/b", an integer, or a decimal such as 0.01 (taken exactly: 1/100).
    public init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
            try self.init(a, b)
            return
        }
        guard parts.count == 1, let (a, b) = Self.decimal(text) else {
            throw InputError("'\(text)' is not a slope; give a fraction such as 1/8, or a decimal of at most 12 digits such as 0.01")
        }
        try self.init(a, b)
    }

    /// "-1.25" as (-125, 100); nil unless the text is an optional sign, digits, and at most one point with digits.
    static func decimal(_ text: String) -> (Int, Int)? {
        var body = Substring(text), negative = false
        if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
        let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), pieces.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              !pieces.joined().isEmpty, pieces.joined().count <= 12 else { return nil }
        let digits = Int(pieces.joined())!
        let scale = pieces.count == 2 ? Int(pow(10.0, Double(pieces[1].count))) : 1
        return (negative ? -digits : digits, scale)
    }

    static func gcd(_ a: UInt, _ b: UInt) -> UInt { b == 0 ? max(a, 1) : gcd(b, a % b) }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}

public enum Activation: Sendable, Hashable {
    case linear
    /// max(0, z); at z = 0 the float path takes the derivative 0 (PyTorch's convention), the exact path refuses.
    case relu
    /// z for z > 0, slope z for z < 0 (PyTorch's LeakyReLU(negative_slope)); at 0 as relu.
    case leakyReLU(Slope)
    case tanh
    /// 1 / (1 + e^-z).
    case sigmoid
    /// z for z > 0, e^z - 1 for z <= 0 (alpha = 1).
    case elu

    /// The slope of `leaky-relu` without one: PyTorch's default negative_slope, 0.01.
    public static let defaultLeakySlope = try! Slope(1, 100)

    /// The activations of calibrate's "all", in its table's order.
    public static let calibrationDefaults: [Activation] = [.linear, .relu, .tanh]

    /// The names the parser accepts, for help texts and errors.
    public static let names = "linear, relu, leaky-relu[:slope] (e.g. leaky-relu:1/8; default slope 1/100), tanh, sigmoid, elu"

    /// Exact Hessians exist away from kinks, with rational entries.
    public var isPiecewiseLinear: Bool {
        switch self {
        case .linear, .relu, .leakyReLU: true
        case .tanh, .sigmoid, .elu: false
        }
    }

    /// Whether the network has kinks (points without a Hessian): every piecewise-linear activation but the identity.
    public var hasKinks: Bool { isPiecewiseLinear && self != .linear }

    /// The integer slopes (z > 0, z < 0) of the scaled activation b sigma (see the top of the file): (1, 1) linear,
    /// (1, 0) relu, (b, a) for leaky-relu:a/b; nil for the float-only activations.
    public var integerSlopes: (positive: Int, negative: Int)? {
        switch self {
        case .linear: (1, 1)
        case .relu: (1, 0)
        case .leakyReLU(let s): (s.denominator, s.numerator)
        case .tanh, .sigmoid, .elu: nil
        }
    }

    /// The factor b^(2(L-1)) between the exact path's integer Hessians and the true ones (1 but for leaky-relu:a/b).
    public func hessianScaleLog2(depth: Int) -> Double {
        guard case .leakyReLU(let s) = self else { return 0 }
        return 2 * Double(depth - 1) * log2(Double(s.denominator))
    }

    /// sigma(z), sigma'(z), sigma''(z).
    @inline(__always)
    public func evaluate(_ z: Double) -> (value: Double, first: Double, second: Double) {
        switch self {
        case .linear: return (z, 1, 0)
        case .relu: return z > 0 ? (z, 1, 0) : (0, 0, 0)
        case .leakyReLU(let s):
            let a = s.value
            return z > 0 ? (z, 1, 0) : (a * z, a, 0)
        case .tanh:
            let t = Glibc.tanh(z)
            let first = 1 - t * t
            return (t, first, -2 * t * first)
        case .sigmoid:
            let s = 1 / (1 + Glibc.exp(-z))
            let first = s * (1 - s)
            return (s, first, first * (1 - 2 * s))
        case .elu:
            guard z <= 0 else { return (z, 1, 0) }
            let e = Glibc.exp(z)
            return (e - 1, e, e)
        }
    }
}

extension Activation: RawRepresentable, Codable, CustomStringConvertible {
    /// Parses the textual form: linear, relu, leaky-relu, leaky-relu:a/b (or a decimal slope), tanh, sigmoid, elu.
    public init(parsing text: String) throws(InputError) {
        let lowered = text.lowercased()
        switch lowered {
        case "linear": self = .linear
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "elu": self = .elu
        case "leaky-relu", "leaky_relu", "leakyrelu": self = .leakyReLU(Self.defaultLeakySlope)
        default:
            let prefix = ["leaky-relu:", "leaky_relu:", "leakyrelu:"].first { lowered.hasPrefix($0) }
            guard let prefix else { throw InputError("unknown activation '\(text)'; expected \(Self.names)") }
            let slope = try Slope(parsing: String(lowered.dropFirst(prefix.count)))
            guard slope != (try! Slope(1, 1)) else {
                throw InputError("leaky-relu with slope 1 is the identity; use the activation linear")
            }
            self = .leakyReLU(slope)
        }
    }

    public init?(rawValue: String) { try? self.init(parsing: rawValue) }

    /// The canonical text: "leaky-relu:1/8" for a leaky ReLU, the name otherwise.
    public var rawValue: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .leakyReLU(let s): "leaky-relu:\(s)"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .elu: "elu"
        }
    }

    public var description: String { rawValue }
}
