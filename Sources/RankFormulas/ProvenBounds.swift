// Upper bounds on the rank of each Hessian part that hold at every point, not only at generic ones, with the statement
// that proves each (proofs/upper-bounds.md). A rank computed modulo any prime is a certain lower bound on the rank
// over Q; where it equals one of these bounds, the rank is exact, with no probability at all.
//
// At every point: the rank of a polynomial matrix at any point of an irreducible parameter space is at most its
// generic rank (lower semicontinuity, proofs/genericity.md), so a bound on the generic rank is a bound at every point
// of that space. For data of rank r that space is weights, targets and data of rank at most r, and the closed forms
// are read with this point's r. Only proven or cited statements are here; what is only observed (equality of the
// L >= 3 bounds, the with-bias conjecture) never is.

/// How an upper bound is known.
public enum BoundBasis: String, Sendable, CaseIterable, Codable {
    /// A complete argument in proofs/ (ours).
    case provedHere = "proved here"
    /// The paper's theorem (Singh, Bachmann & Hofmann, NeurIPS 2021, arXiv 2106.16225) bounds the generic rank; the
    /// bound at every point follows by semicontinuity (proved here).
    case cited = "cited"
}

/// An upper bound on one part's rank at every point.
public struct UpperBound: Sendable, Equatable {
    public let value: Int
    /// The statement's id in proofs/README.md.
    public let statement: String
    public let basis: BoundBasis

    public init(value: Int, statement: String, basis: BoundBasis) {
        self.value = value
        self.statement = statement
        self.basis = basis
    }

    /// The smallest of `bounds` (the first of equal ones), or nil for none.
    public static func tightest(_ bounds: [UpperBound]) -> UpperBound? {
        bounds.min { $0.value < $1.value }
    }
}

/// Bounds of every network, whatever its activation or bias: a p x p matrix has rank at most p, and H_O = J^T J has
/// the rank of the stacked Jacobian J, which has N K rows.
public enum StructuralBounds {
    public static func parameters(_ p: Int) -> UpperBound {
        UpperBound(value: p, statement: "parameters", basis: .provedHere)
    }

    public static func jacobianRows(samples: Int, outputs: Int) -> UpperBound {
        UpperBound(value: samples * outputs, statement: "jacobian-rows", basis: .provedHere)
    }

    /// Cross-entropy: H_O = sum_n J_n^T A_n J_n with A_n = diag(pi_n) - pi_n pi_n^T of rank K - 1 (its kernel is the
    /// all-ones vector), so rank H_O <= N (K - 1).
    public static func softmaxRows(samples: Int, outputs: Int) -> UpperBound {
        UpperBound(value: samples * (outputs - 1), statement: "softmax-rows", basis: .provedHere)
    }
}

extension LinearNetworkFormulas {
    /// rank H_O at every point: q (r + K - q) (proofs/genericity.md, ours; r K at L = 1, `one-layer`), and the
    /// structural bounds.
    public func outerUpperBounds(samples: Int) -> [UpperBound] {
        [UpperBound(value: outer.value, statement: depth == 1 ? "one-layer" : "outer", basis: .provedHere),
         StructuralBounds.jacobianRows(samples: samples, outputs: outputWidth), StructuralBounds.parameters(parameterCount)]
    }

    /// rank H_F at every point: 0 at L = 1 (`one-layer`); 2 M_1 rank Omega at L = 2, an identity at every point
    /// (`functional-L2`, with Omega's exact rank); the paper's bound 2 q sum(hidden) + 2 q s - L q^2 at L >= 3
    /// (`functional-bound`, cited); and p.
    public func functionalUpperBounds(residualRank: Int) -> [UpperBound] {
        precondition(residualRank >= 0 && residualRank <= s, "functionalUpperBounds: rank Omega must lie in 0...s")
        var bounds = [StructuralBounds.parameters(parameterCount)]
        switch depth {
        case 1: bounds.append(UpperBound(value: 0, statement: "one-layer", basis: .provedHere))
        case 2: bounds.append(UpperBound(value: 2 * widths[1] * residualRank, statement: "functional-L2", basis: .provedHere))
        default: bounds.append(UpperBound(value: functional.value, statement: "functional-bound", basis: .cited))
        }
        return bounds
    }

    /// rank H_L at every point: r K at L = 1 (`one-layer`); the paper's bound at L >= 2 (`loss`, cited); the rank of
    /// a sum, at most the sum of the parts' bounds (`sum`); and p.
    public func lossUpperBounds(samples: Int, residualRank: Int) -> [UpperBound] {
        var bounds = [StructuralBounds.parameters(parameterCount)]
        if depth == 1 {
            bounds.append(UpperBound(value: dataRank * outputWidth, statement: "one-layer", basis: .provedHere))
        } else {
            bounds.append(UpperBound(value: loss.value, statement: "loss", basis: .cited))
        }
        let outer = UpperBound.tightest(outerUpperBounds(samples: samples))!
        let functional = UpperBound.tightest(functionalUpperBounds(residualRank: residualRank))!
        bounds.append(UpperBound(value: outer.value + functional.value, statement: "sum",
                                 basis: outer.basis == .cited || functional.basis == .cited ? .cited : .provedHere))
        return bounds
    }
}

/// The upper bounds of the three parts of one network at one point: what `rank`, `verify`, `sweep` and `bias` compare
/// each rank with, and what a certificate's checker recomputes from the network alone.
public struct PartUpperBounds: Sendable, Equatable {
    public let outer: [UpperBound]
    public let functional: [UpperBound]
    public let loss: [UpperBound]

    public init(outer: [UpperBound], functional: [UpperBound], loss: [UpperBound]) {
        self.outer = outer
        self.functional = functional
        self.loss = loss
    }

    /// Every network, whatever its activation or bias: p for each part, N K for H_O.
    public static func structural(parameters p: Int, samples: Int, outputs: Int) -> PartUpperBounds {
        let parameters = StructuralBounds.parameters(p)
        return PartUpperBounds(outer: [StructuralBounds.jacobianRows(samples: samples, outputs: outputs), parameters],
                               functional: [parameters], loss: [parameters])
    }

    /// A linear bias-free network with data of rank r (`formulas`) and residual covariance of rank `residualRank`.
    public static func linear(_ formulas: LinearNetworkFormulas, samples: Int, residualRank: Int) -> PartUpperBounds {
        PartUpperBounds(outer: formulas.outerUpperBounds(samples: samples),
                        functional: formulas.functionalUpperBounds(residualRank: residualRank),
                        loss: formulas.lossUpperBounds(samples: samples, residualRank: residualRank))
    }

    /// A linear network with a bias in every layer, widths [d, M_1, ..., K] and p parameters (biases included). Its
    /// Hessians are principal submatrices of those of the bias-free augmented network [d + 1, M_1 + 1, ..., K] at the
    /// point whose data are [X, 1] (proofs/bias-network.md), and a principal submatrix has at most the rank of the
    /// matrix: so every formula bound of the augmented network, read with r~ = rank [X, 1] and the augmented residual
    /// covariance's rank, bounds this network's parts (statement "bias-network:<id>", with the basis of <id>), beside
    /// this network's own structural bounds.
    public static func biasNetwork(widths: [Int], parameters p: Int, samples: Int, augmentedDataRank: Int,
                                   augmentedResidualRank: Int) -> PartUpperBounds {
        var augmentedWidths = widths.map { $0 + 1 }
        augmentedWidths[widths.count - 1] = widths[widths.count - 1]
        let augmented = linear(LinearNetworkFormulas(widths: augmentedWidths, dataRank: augmentedDataRank),
                               samples: samples, residualRank: augmentedResidualRank)
        let own = structural(parameters: p, samples: samples, outputs: widths[widths.count - 1])
        func lifted(_ bounds: [UpperBound]) -> [UpperBound] {
            bounds.filter { !StructuralBounds.statements.contains($0.statement) }.map {
                UpperBound(value: $0.value, statement: "bias-network:" + $0.statement, basis: $0.basis)
            }
        }
        return PartUpperBounds(outer: lifted(augmented.outer) + own.outer,
                               functional: lifted(augmented.functional) + own.functional,
                               loss: lifted(augmented.loss) + own.loss)
    }

    /// The bounds of a part named "loss", "outer" or "functional"; nil for any other name.
    public func bounds(forPart name: String) -> [UpperBound]? {
        switch name {
        case "loss": loss
        case "outer": outer
        case "functional": functional
        default: nil
        }
    }
}

extension StructuralBounds {
    /// The ids of the structural statements.
    public static let statements: Set<String> = ["parameters", "jacobian-rows"]
}
