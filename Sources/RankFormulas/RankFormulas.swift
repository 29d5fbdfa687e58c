// The closed forms HessianRank checks: the ranks of the loss Hessian H_L = H_O + H_F of a bias-free deep linear
// network under MSE, from Singh, Bachmann & Hofmann (NeurIPS 2021, arXiv 2106.16225), in the notation of
// proofs/notation.md.
//
// This module imports nothing else of ours, on purpose: a check must compare the exact rank with an independent
// statement, never with a value derived from the same code. It speaks only in integers: widths and ranks.
//
// Notation: widths M_0 = d, M_1 .. M_{L-1} hidden, M_L = K; r = rank of the data; s = min(r, K);
// q = min(r, K, hidden widths). With no hidden layer (L = 1) q = s.

/// How much a formula claims.
public enum FormulaStatus: String, Sendable, CaseIterable {
    /// Proved equal to the rank at generic points.
    case theoremEquality = "theorem (equality at generic points)"
    /// Proved to be an upper bound; equality observed at generic points.
    case upperBoundObservedTight = "upper bound (equality observed at generic points)"
    /// Our own derivation; checked numerically before, exactly here.
    case derivation = "our derivation"
    /// Fitted on data; the tool's job is to confirm or refute it.
    case conjecture = "empirical conjecture"
}

/// A formula's value and status for one Hessian part.
public struct FormulaValue: Sendable, Equatable {
    public let value: Int
    public let status: FormulaStatus
    public init(value: Int, status: FormulaStatus) {
        self.value = value
        self.status = status
    }
}

/// The closed forms for one architecture and data rank (MSE loss, no bias).
public struct LinearNetworkFormulas: Sendable, Equatable {
    /// All widths, input first: [d, M_1, ..., M_{L-1}, K].
    public let widths: [Int]
    /// r, the rank of the data matrix (N x d).
    public let dataRank: Int

    public init(widths: [Int], dataRank: Int) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 >= 1 }, "LinearNetworkFormulas: need >= 2 positive widths")
        precondition(dataRank >= 0 && dataRank <= widths[0], "LinearNetworkFormulas: data rank must lie in 0...d")
        self.widths = widths
        self.dataRank = dataRank
    }

    /// L, the number of weight matrices.
    public var depth: Int { widths.count - 1 }
    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[widths.count - 1] }
    public var hiddenWidths: ArraySlice<Int> { widths.dropFirst().dropLast() }
    /// p = sum_i M_i M_{i-1}.
    public var parameterCount: Int { zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 } }

    /// s = min(r, K).
    public var s: Int { min(dataRank, outputWidth) }
    /// q = min(r, K, M_1, ..., M_{L-1}).
    public var q: Int { min(s, hiddenWidths.min() ?? s) }

    /// The quantities the formulas read (no samples: none of the closed forms uses N).
    public var quantities: NetworkQuantities { NetworkQuantities(widths: widths, dataRank: dataRank) }

    /// rank H_O = q (r + K - q): a theorem, equality at generic points. For L = 1 it reads r K.
    public var outer: FormulaValue {
        FormulaValue(value: Self.builtIn(.outer, quantities), status: .theoremEquality)
    }

    /// rank H_F <= 2 q sum(hidden) + 2 q s - L q^2, exactly 2 M_1 s for L = 2. For L = 1 the network is linear in
    /// its parameters, so H_F = 0: that case lies outside the paper and is ours (the paper's expression gives q^2).
    public var functional: FormulaValue {
        FormulaValue(value: Self.builtIn(.functional, quantities), status: depth == 1 ? .derivation : .upperBoundObservedTight)
    }

    /// rank H_L <= q (r + K) + 2 q sum(hidden) - L q^2. For L = 1, H_L = H_O of rank r K.
    public var loss: FormulaValue {
        FormulaValue(value: Self.builtIn(.loss, quantities), status: depth == 1 ? .derivation : .upperBoundObservedTight)
    }

    /// The paper's formula for `part`, in the formula language (`BuiltInConjectures.paper`). Its texts never fail to
    /// evaluate at valid widths: no division, and every min over hidden widths is guarded by L == 1 or a scalar.
    static func builtIn(_ part: FormulaPart, _ quantities: NetworkQuantities) -> Int {
        try! BuiltInConjectures.paper.value(part, quantities)
    }

    /// The non-generic-residual variant (ours, proofs/statements/nongeneric-residual.md): when the residual covariance
    /// Omega has rank s' (possibly below s), with q' = min(s', hidden widths), at generic points of that set,
    ///   rank H_F = 2 q' sum(hidden) + 2 q' s' - L q'^2,   rank H_L = rank H_O + rank H_F - q' (2 s' - q').
    /// Proved for H_F at L = 2 and for s' = 0 (H_F = 0, H_L = H_O); otherwise a conjecture, observed at random points
    /// and false without genericity (rank Omega = s' with C1, C2 does not suffice at L = 3). Returns (functional,
    /// loss).
    public func nonGenericResidual(residualRank sPrime: Int) -> (functional: FormulaValue, loss: FormulaValue) {
        precondition(sPrime >= 0 && sPrime <= s, "nonGenericResidual: rank Omega must lie in 0...s")
        let quantities = NetworkQuantities(widths: widths, dataRank: dataRank, residualRank: sPrime)
        let variant = BuiltInConjectures.nonGenericResidual
        return (FormulaValue(value: try! variant.value(.functional, quantities), status: .derivation),
                FormulaValue(value: try! variant.value(.loss, quantities), status: .derivation))
    }
}
