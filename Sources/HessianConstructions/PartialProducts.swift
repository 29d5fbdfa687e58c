// The partial products W^{k:l} = W_k ... W_l of a network, computed once and shared by the structured Hessian and
// the genericity diagnosis.
import ExactAlgebra
import NetworkModel

public struct PartialProducts: Sendable {
    public let architecture: Architecture
    /// table[l][k] = W_{k+1} ... W_{l+1} (0-based layers l ... k, l <= k), of size widths[k+1] x widths[l].
    let table: [[IntegerMatrix?]]

    /// With `modulus`, every product is reduced into [0, modulus): the products over F_p, with small entries.
    public init(_ problem: Problem, modulus: UInt? = nil) {
        let depth = problem.architecture.depth
        var table = [[IntegerMatrix?]](repeating: [IntegerMatrix?](repeating: nil, count: depth), count: depth)
        for l in 0..<depth {
            var product = problem.weights[l]
            table[l][l] = product
            for k in (l + 1)..<max(depth, l + 1) {
                product = problem.weights[k] * product
                if let modulus { product = product.reduced(modulo: modulus) }
                table[l][k] = product
            }
        }
        architecture = problem.architecture
        self.table = table
    }

    /// W_{k} ... W_{l} for 0-based layers l <= k; the identity of size widths[l] when k = l - 1 (the empty product).
    public func product(from l: Int, through k: Int) -> IntegerMatrix {
        precondition(l >= 0 && k < architecture.depth && k >= l - 1, "PartialProducts: bad range \(l)...\(k)")
        if k == l - 1 { return .identity(architecture.widths[l]) }
        return table[l][k]!
    }

    /// Every non-empty partial product, with its 0-based layer range.
    public var all: [(from: Int, through: Int, matrix: IntegerMatrix)] {
        (0..<architecture.depth).flatMap { l in (l..<architecture.depth).map { k in (l, k, table[l][k]!) } }
    }

    /// B_t = W_{t-1} ... W_0: the input side of layer t (widths[t] x d).
    public func inputSide(of t: Int) -> IntegerMatrix { product(from: 0, through: t - 1) }

    /// A_t = W_{L-1} ... W_{t+1}: the output side of layer t (K x widths[t+1]).
    public func outputSide(of t: Int) -> IntegerMatrix { product(from: t + 1, through: architecture.depth - 1) }

    /// f's matrix W^{L:1} (K x d).
    public var endToEnd: IntegerMatrix { product(from: 0, through: architecture.depth - 1) }
}
