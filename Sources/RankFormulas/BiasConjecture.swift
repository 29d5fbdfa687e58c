// The with-bias conjecture of proofs/statements/bias.md: ranks of the Hessians of
// f(x) = W_L (... (W_1 x + b_1) ...) + b_L under MSE, fitted on about 130 configurations in float64. It is NOT the
// paper's statement; HessianRank's job is to confirm or refute it exactly, on a wider grid than it was fitted on.
//
// Notation: r = rank X, r~ = rank [X, 1] (r or r + 1), q = min(r, K, hidden widths), q~ = min(r~, K, hidden widths),
// s~ = min(r~, K), L = number of weight matrices.
//   rank H_O = q (r + K - q) + K                       if r~ = r + 1,
//            = q (r + K - q) + (K - q) [q < r]          if r~ = r;
//   rank H_F = 2 q~ sum(hidden) + 2 q~ s~ - L q~^2 + (L - 2) q~, plus 2 sum_{i > i*} (M_i - q~) when q~ < min(r~, K),
//              where i* is the last hidden layer of width q~;
//   rank H_L = rank H_O + rank H_F - q~ (2 s~ - q~ - 1).
// With no hidden layer (L = 1), f is affine in its parameters: H_F = 0 and H_L = H_O, of rank r~ K (our derivation;
// the H_O expression above gives the same value).

public struct BiasNetworkConjecture: Sendable, Equatable {
    /// All widths, input first: [d, M_1, ..., M_{L-1}, K].
    public let widths: [Int]
    /// r, the rank of X (N x d).
    public let dataRank: Int
    /// r~, the rank of [X, 1] (N x (d + 1)): r or r + 1.
    public let augmentedDataRank: Int

    public init(widths: [Int], dataRank: Int, augmentedDataRank: Int) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 >= 1 }, "BiasNetworkConjecture: need >= 2 positive widths")
        precondition(dataRank >= 0 && dataRank <= widths[0], "BiasNetworkConjecture: data rank must lie in 0...d")
        precondition(augmentedDataRank == dataRank || augmentedDataRank == dataRank + 1,
                     "BiasNetworkConjecture: rank [X, 1] is rank X or rank X + 1")
        self.widths = widths
        self.dataRank = dataRank
        self.augmentedDataRank = augmentedDataRank
    }

    public var depth: Int { widths.count - 1 }
    public var outputWidth: Int { widths[widths.count - 1] }
    public var hiddenWidths: ArraySlice<Int> { widths.dropFirst().dropLast() }
    /// p with biases: sum_i M_i (M_{i-1} + 1).
    public var parameterCount: Int { zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) } }

    /// q = min(r, K, hidden widths).
    public var q: Int { min(dataRank, outputWidth, hiddenWidths.min() ?? Int.max) }
    /// q~ = min(r~, K, hidden widths).
    public var qTilde: Int { min(augmentedDataRank, outputWidth, hiddenWidths.min() ?? Int.max) }
    /// s~ = min(r~, K).
    public var sTilde: Int { min(augmentedDataRank, outputWidth) }

    /// The quantities the conjecture reads (no samples: it does not use N).
    public var quantities: NetworkQuantities {
        NetworkQuantities(widths: widths, samples: 0, parameterCount: parameterCount, dataRank: dataRank,
                          augmentedDataRank: augmentedDataRank, bias: true)
    }

    /// The conjecture's value for `part`, from its text in the formula language (`BuiltInConjectures.bias`; at valid
    /// widths it never fails to evaluate: istar ranges over 1...L-1 only when L >= 2).
    func builtIn(_ part: FormulaPart) -> Int { try! BuiltInConjectures.bias.value(part, quantities) }

    public var outer: FormulaValue {
        FormulaValue(value: builtIn(.outer), status: depth == 1 ? .derivation : .conjecture)
    }

    public var functional: FormulaValue {
        FormulaValue(value: builtIn(.functional), status: depth == 1 ? .derivation : .conjecture)
    }

    public var loss: FormulaValue {
        FormulaValue(value: builtIn(.loss), status: depth == 1 ? .derivation : .conjecture)
    }
}
