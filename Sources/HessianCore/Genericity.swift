// Is this draw generic in the sense the formulas need?
//
// The closed forms hold at generic points: every partial product W^{k:l} has the largest rank its shape allows, and
// the residual covariance Omega has rank s = min(r, K) (../shared/reference/formulas.md). The data must be generic
// with respect to the weights too: each W^{k:1} X^T (the layer-k features of all samples) must have the largest rank
// the chain allows, min(r, M_1, ..., M_k). Without that, data whose rows lie in the kernel of W_1 pass the first two
// tests and still fall below the formula. Small integer draws can
// miss this, and a checker must then say "non-generic draw", not "counterexample". The matrices involved are small
// (at most max width squared), so their ranks are certified exactly, not estimated.
import ExactAlgebra

public struct Genericity: Sendable, Equatable {
    public struct ProductRank: Sendable, Equatable {
        /// 1-based layer range of the product W_through ... W_from, as in the paper's W^{k:l}.
        public let from: Int
        public let through: Int
        public let rank: Int
        public let maximum: Int
        public var isFull: Bool { rank == maximum }
    }

    public let products: [ProductRank]
    /// rank W^{k:1} X^T for k = 1 ... L (`from` = 1, `through` = k).
    public let features: [ProductRank]
    public let residualRank: Int
    /// s = min(r, K), the rank Omega has at generic points.
    public let expectedResidualRank: Int

    public var isGeneric: Bool {
        products.allSatisfy(\.isFull) && features.allSatisfy(\.isFull) && residualRank == expectedResidualRank
    }

    /// A short reason when not generic, e.g. "rank W^{3:2} = 1 < 2; rank Omega = 1 < 2".
    public var deficiencies: [String] {
        products.filter { !$0.isFull }.map { "rank W^{\($0.through):\($0.from)} = \($0.rank) < \($0.maximum)" }
            + features.filter { !$0.isFull }.map { "rank W^{\($0.through):1} X^T = \($0.rank) < \($0.maximum)" }
            + (residualRank < expectedResidualRank ? ["rank Omega = \(residualRank) < \(expectedResidualRank)"] : [])
    }

    /// The largest rank W_k ... W_l can have is the narrowest width it passes through, ends included:
    /// min(widths[l ... k+1]) for 0-based layers l ... k.
    /// With `fieldPrime`, every rank is taken over F_p (generic mode); otherwise over Q, certified.
    public init(products: PartialProducts, x: IntegerMatrix, omega: IntegerMatrix, dataRank: Int,
                outputWidth: Int, fieldPrime: UInt? = nil) throws(CertifiedRank.TooLarge) {
        func rank(_ m: IntegerMatrix) throws(CertifiedRank.TooLarge) -> Int {
            if let p = fieldPrime { return ModularMatrix(m, prime: p).rank() }
            return try CertifiedRank.rank(of: m).rank
        }
        var ranks: [ProductRank] = []
        let widths = products.architecture.widths
        for (l, k, matrix) in products.all {
            let rank = try rank(matrix)
            ranks.append(ProductRank(from: l + 1, through: k + 1, rank: rank, maximum: widths[l...(k + 1)].min()!))
        }
        self.products = ranks
        let xt = x.transposed
        features = try (0..<products.architecture.depth).map { (k) throws(CertifiedRank.TooLarge) in
            let rank = try rank(products.product(from: 0, through: k) * xt)
            return ProductRank(from: 1, through: k + 1, rank: rank, maximum: min(dataRank, widths[1...(k + 1)].min()!))
        }
        residualRank = try rank(omega)
        expectedResidualRank = min(dataRank, outputWidth)
    }
}
