// What can be said, exactly, about the point a network's Hessians were ranked at (proofs/genericity.md).
//
// "Generic" means outside the proper algebraic set where the relevant Hessian minors vanish; there each formula that
// is a generic rank is attained. That set cannot be tested directly, so this file checks two kinds of statement:
//
// - **Attainment conditions, proven sufficient.** For H_O at L >= 2: rank W^{L:1} X^T = q implies
//   rank H_O = q (r + K - q) (proofs/genericity.md proves both the upper bound at every point and the attainment).
//   For H_F at L = 2: rank H_F = 2 M_1 rank Omega at every point, so rank Omega = s is necessary and sufficient.
//   At L = 1 every part is fixed by the data rank: H_O = H_L of rank r K and H_F = 0, at every point.
// - **Diagnostics C1-C4**, for the parts whose attainment is not proven (H_L at L >= 2, H_F at L >= 3). Each says that
//   some small matrix has the largest rank its chain of widths allows: C1 every partial product W^{k:l}; C2 every
//   feature matrix W^{k:1} X^T; C3 Omega; C4 every W^{k-1:1} Omega^T W^{L:l+1} (k < l), the small factor of H_F's
//   (l, k) block. They are necessary for nothing and sufficient for nothing proven: a point can pass them and fall
//   short, and fail them and attain every formula. They are reported as what was checked, never as "generic".
//
// Every rank here is certified over Q (the matrices are at most max width squared), or taken over F_p in generic mode.
import ExactAlgebra
import HessianConstructions
import NetworkModel

public struct PointDiagnosis: Sendable, Equatable {
    /// The rank of one small matrix against the largest its chain of widths allows.
    public struct MatrixRank: Sendable, Equatable {
        /// How the matrix is written, e.g. "W^{3:2}", "W^{2:1} X^T", "Omega", "W^{1:1} Omega^T W^{3:3}".
        public let name: String
        public let rank: Int
        public let maximum: Int
        public var isFull: Bool { rank == maximum }
        public var shortfall: String { "rank \(name) = \(rank) < \(maximum)" }
    }

    /// The diagnostics, in order.
    public enum Condition: String, Sendable, CaseIterable, Codable {
        case c1 = "C1", c2 = "C2", c3 = "C3", c4 = "C4"
    }

    /// How a part's formula is known to be attained at this point.
    public enum Attainment: Sendable, Equatable {
        /// At every point (L = 1).
        case always
        /// A condition proven sufficient, checked here.
        case provenCondition(String, holds: Bool)
        /// Not proven: only the diagnostics C1-C4 speak about it.
        case unproven

        /// True when the formula is proven attained here, false when its proven condition fails, nil when unproven.
        public var provenAttained: Bool? {
            switch self {
            case .always: true
            case .provenCondition(_, let holds): holds
            case .unproven: nil
            }
        }
    }

    public let checks: [Condition: [MatrixRank]]
    /// rank W^{L:1} X^T against q, the condition proven sufficient for H_O.
    public let outputFeatures: MatrixRank
    public let depth: Int

    public func holds(_ condition: Condition) -> Bool { checks[condition, default: []].allSatisfy(\.isFull) }
    /// rank Omega (exact over Q for integer points; over F_p in generic mode).
    public var residualRank: Int { checks[.c3]![0].rank }
    public var conditionsHold: Bool { Condition.allCases.allSatisfy(holds) }
    /// Each failed check, e.g. "C1: rank W^{1:1} = 1 < 2".
    public var failures: [String] {
        Condition.allCases.flatMap { c in checks[c, default: []].filter { !$0.isFull }.map { "\(c.rawValue): \($0.shortfall)" } }
    }

    public func attainment(_ part: HessianPart) -> Attainment {
        if depth == 1 { return .always }
        switch part {
        case .outer:
            return .provenCondition("rank W^{L:1} X^T = q", holds: outputFeatures.isFull)
        case .functional where depth == 2:
            return .provenCondition("rank Omega = s", holds: holds(.c3))
        default:
            return .unproven
        }
    }

    /// With `fieldPrime`, every rank is taken over F_p (generic mode); otherwise over Q, certified.
    public init(products: PartialProducts, x: IntegerMatrix, omega: IntegerMatrix, dataRank r: Int,
                fieldPrime: UInt? = nil) throws(CertifiedRank.TooLarge) {
        func rank(_ m: IntegerMatrix) throws(CertifiedRank.TooLarge) -> Int {
            if let p = fieldPrime { return ModularMatrix(m, prime: p).rank() }
            return try CertifiedRank.rank(of: m).rank
        }
        func reduced(_ m: IntegerMatrix) -> IntegerMatrix { fieldPrime.map { m.reduced(modulo: $0) } ?? m }
        let widths = products.architecture.widths, depth = products.architecture.depth
        let s = min(r, widths[depth])
        /// The narrowest hidden width M_i for i in `range` (within 1 ... L - 1).
        func hidden(_ range: ClosedRange<Int>) -> Int { range.map { widths[$0] }.min()! }

        var c1: [MatrixRank] = []
        for (l, k, matrix) in products.all {
            c1.append(MatrixRank(name: "W^{\(k + 1):\(l + 1)}", rank: try rank(matrix), maximum: widths[l...(k + 1)].min()!))
        }
        let xt = x.transposed
        var c2: [MatrixRank] = []
        for k in 0..<depth {
            let features = reduced(products.product(from: 0, through: k) * xt)
            c2.append(MatrixRank(name: "W^{\(k + 1):1} X^T", rank: try rank(features), maximum: min(r, widths[1...(k + 1)].min()!)))
        }
        let c3 = [MatrixRank(name: "Omega", rank: try rank(omega), maximum: s)]
        var c4: [MatrixRank] = []
        let omegaT = omega.transposed
        for k in 1...depth {
            for l in (k + 1)..<(depth + 1) {
                // W^{k-1:1} Omega^T W^{L:l+1}: 0-based, the input side of layer k - 1 and the output side of layer l - 1.
                let g = reduced(reduced(products.inputSide(of: k - 1) * omegaT) * products.outputSide(of: l - 1))
                let maximum = min(s, k >= 2 ? hidden(1...(k - 1)) : .max, l <= depth - 1 ? hidden(l...(depth - 1)) : .max)
                let name = (k >= 2 ? "W^{\(k - 1):1} " : "") + "Omega^T" + (l < depth ? " W^{\(depth):\(l + 1)}" : "")
                c4.append(MatrixRank(name: name, rank: try rank(g), maximum: maximum))
            }
        }
        checks = [.c1: c1, .c2: c2, .c3: c3, .c4: c4]
        let q = depth == 1 ? s : min(s, hidden(1...(depth - 1)))
        outputFeatures = MatrixRank(name: "W^{\(depth):1} X^T", rank: c2[depth - 1].rank, maximum: q)
        self.depth = depth
    }
}
