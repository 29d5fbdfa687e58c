// The one seam for exact Hessians: every construction conforms to `ExactHessian`, and `ExactHessians.build` chooses
// the construction for a problem, an activation and a field, in one place.
//
// Constructions (each argued in its own file):
// - `StructuredHessian`: linear networks, from products and data moments, O(p^2) assembly;
// - `ReducedHessian`: the same restricted to a subspace containing the column spaces (same rank over Q, smaller);
// - `PiecewiseLinearHessian`: relu and leaky-relu networks (linear ones too), sample by sample, exact away from kinks;
// - `AugmentedHessian`: a network with biases as the principal submatrix of its augmented bias-free network's Hessian
//   (`Problem.augmented`); the next layer kinds (a convolution, W = sum_i theta_i E_i) reparametrise the same way.
import ExactAlgebra
import NetworkModel

public protocol ExactHessian: Sendable {
    associatedtype Source: ExactRankSource
    /// The rows (and columns) of `source(for:)`: p for the full Hessians, the reduced size otherwise.
    func dimension(of part: HessianPart) -> Int
    /// The part as an exact matrix source: p x p, or n x n for a reduced construction.
    func source(for part: HessianPart) -> Source
    /// What to rank for the part: `source(for:)`, or a matrix with the same rank over Q and fewer rows (H_O through
    /// its Jacobian).
    func rankSource(for part: HessianPart) -> Source
    /// `source(for:)` as an exact integer matrix: for tests, certificates and small cases.
    func exactMatrix(_ part: HessianPart) -> IntegerMatrix
    /// The linear network's products and moments, when the construction is built from them (the diagnosis of the
    /// point reads them); nil otherwise.
    var structured: StructuredHessian? { get }
}

extension ExactHessian {
    public var structured: StructuredHessian? { nil }
}

extension StructuredHessian: ExactHessian {
    public func dimension(of part: HessianPart) -> Int { parameterCount }
    public var structured: StructuredHessian? { self }
}

extension ReducedHessian: ExactHessian {
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix { source(for: part).exact }
    public var structured: StructuredHessian? { hessian }
}

extension PiecewiseLinearHessian: ExactHessian {
    public func dimension(of part: HessianPart) -> Int { problem.parameterCount }
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix { source(for: part).exact }
}

/// The Hessians of a network with biases: principal submatrices, on this network's parameters, of the Hessians of its
/// augmented bias-free network (`Problem.augmented`, proofs/bias-network.md). H_O is ranked as the p x p principal
/// submatrix (a column subset of the augmented Jacobian would do as well; it is not needed at these sizes).
public struct AugmentedHessian<Base: ExactHessian>: ExactHessian {
    public let base: Base
    public let indices: [Int]

    public init(_ base: Base, indices: [Int]) {
        self.base = base
        self.indices = indices
    }

    public func dimension(of part: HessianPart) -> Int { indices.count }

    public func source(for part: HessianPart) -> PrincipalSubmatrix<Base.Source> {
        PrincipalSubmatrix(base.source(for: part), indices: indices)
    }

    public func rankSource(for part: HessianPart) -> PrincipalSubmatrix<Base.Source> { source(for: part) }

    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix {
        let rows = base.exactMatrix(part).decimalRows
        return IntegerMatrix(decimalRows: indices.map { i in indices.map { rows[i][$0] } })!
    }
}

public enum ExactHessians {
    /// Whether `build` ranks through the reduced Hessians: linear bias-free networks, unless full matrices are asked.
    public static func reduces(_ architecture: Architecture, activation: Activation, fullMatrices: Bool) -> Bool {
        activation == .linear && !architecture.bias && !fullMatrices
    }

    /// The construction for `problem` with hidden activation `activation` (piecewise linear; others are the float
    /// path's). With `modulus` the problem's entries are residues modulo that prime and the Hessians are over F_p
    /// (linear networks only: a sign modulo p means nothing). With `reduce`, a linear bias-free network is ranked
    /// through `ReducedHessian`. Throws `PiecewiseLinearHessian.Kink` when a piecewise-linear network sits on a kink.
    public static func build(_ problem: Problem, activation: Activation, modulus: UInt? = nil,
                             reduce: Bool = false) throws(PiecewiseLinearHessian.Kink) -> any ExactHessian {
        precondition(activation.isPiecewiseLinear, "ExactHessians: \(activation) has no exact Hessian")
        precondition(modulus == nil || activation == .linear, "ExactHessians: over F_p only linear networks")
        if problem.architecture.bias {
            let indices = problem.augmentedIndices
            let augmented = problem.augmented
            if activation == .linear {
                return AugmentedHessian(StructuredHessian(augmented, modulus: modulus), indices: indices)
            }
            return AugmentedHessian(try PiecewiseLinearHessian(augmented, activation: activation), indices: indices)
        }
        if activation != .linear { return try PiecewiseLinearHessian(problem, activation: activation) }
        let structured = StructuredHessian(problem, modulus: modulus)
        return reduce ? ReducedHessian(structured, modulus: modulus) : structured
    }

    /// In generic mode, a bound on the degree of every entry of the matrices ranked, as polynomials in the drawn
    /// values (data of degree <= 2 in them): 2L + 2 for full Hessians and Jacobians (bias included: the augmented
    /// network's fixed entries are constants, and its depth is L), 6L + 6 for reduced ones (proofs/exact-rank-method.md,
    /// proofs/reduced-hessian.md). Schwartz-Zippel then bounds the chance of a rank below the generic rank over F_p.
    public static func entryDegreeBound(depth: Int, reduced: Bool) -> Int {
        reduced ? ReducedHessian.entryDegreeBound(depth: depth) : StructuredHessian.entryDegreeBound(depth: depth)
    }
}

/// The shape of a matrix ranked (a full or reduced Hessian, or a Jacobian).
public struct MatrixShape: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }
}
