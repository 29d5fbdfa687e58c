// The activations of the float path: hidden layers apply one of these, the output layer is linear.
#if canImport(Glibc)
import Glibc
#endif

public enum Activation: String, Sendable, CaseIterable, Codable {
    case linear
    /// max(0, z); at z = 0 the float path takes the derivative 0 (PyTorch's convention), the exact path refuses.
    case relu
    case tanh

    /// sigma(z), sigma'(z), sigma''(z).
    @inline(__always)
    public func evaluate(_ z: Double) -> (value: Double, first: Double, second: Double) {
        switch self {
        case .linear: return (z, 1, 0)
        case .relu: return z > 0 ? (z, 1, 0) : (0, 0, 0)
        case .tanh:
            let t = Glibc.tanh(z)
            let first = 1 - t * t
            return (t, first, -2 * t * first)
        }
    }
}
