// A conjecture: one formula per Hessian part (any of H_L, H_O, H_F), written in the formula language
// (`FormulaSyntax.swift`), with the definitions they share. The built-in closed forms are conjectures too, written
// in the same language (`BuiltInConjectures`), so that a user's formula and ours are evaluated and judged by the same
// code: `LinearNetworkFormulas` and `BiasNetworkConjecture` read their values from these texts.

/// The Hessian parts a formula can be about, named as on the command line.
public enum FormulaPart: String, Sendable, CaseIterable, Codable {
    case loss, outer, functional

    /// "H_L", "H_O", "H_F".
    public var symbol: String {
        switch self {
        case .loss: "H_L"
        case .outer: "H_O"
        case .functional: "H_F"
        }
    }
}

/// How a rank compares with a claim.
public enum ClaimOutcome: String, Sendable, Codable {
    /// The rank equals the formula's value.
    case equal
    /// A bound (`<=`, `>=`) holds with room: the rank lies strictly on its claimed side.
    case withinBound = "within the bound"
    /// The rank exceeds a value claimed equal or an upper bound.
    case above
    /// The rank falls short of a value claimed equal or a lower bound.
    case below
}

extension Relation {
    /// How `rank` compares with the claim `rank <relation> value`.
    public func outcome(rank: Int, value: Int) -> ClaimOutcome {
        if rank == value { return .equal }
        switch self {
        case .equal: return rank > value ? .above : .below
        case .atMost: return rank < value ? .withinBound : .above
        case .atLeast: return rank > value ? .withinBound : .below
        }
    }

    /// "equal to", "at most", "at least".
    public var phrase: String {
        switch self {
        case .equal: "equal to"
        case .atMost: "at most"
        case .atLeast: "at least"
        }
    }
}

public struct Conjecture: Sendable {
    /// What it is called in reports, e.g. "the paper's formulas" or "your conjecture".
    public let name: String
    public let definitions: FormulaDefinitions
    /// The formulas, by part; at least one.
    public let formulas: [FormulaPart: Formula]

    public init(name: String, definitions: FormulaDefinitions = .none, formulas: [FormulaPart: Formula]) {
        precondition(!formulas.isEmpty, "Conjecture: needs at least one formula")
        self.name = name
        self.definitions = definitions
        self.formulas = formulas
    }

    /// Reads the built-in texts, which are valid by construction (a test reads every one).
    init(builtIn name: String, definitions: [String] = [], _ texts: [FormulaPart: String]) {
        let parsedDefinitions = try! FormulaDefinitions(parsing: definitions)
        self.init(name: name, definitions: parsedDefinitions,
                  formulas: texts.mapValues { try! Formula(parsing: $0, definitions: parsedDefinitions) })
    }

    /// The parts it has formulas for, in the order loss, outer, functional.
    public var parts: [FormulaPart] { FormulaPart.allCases.filter { formulas[$0] != nil } }

    /// Whether any formula (or a definition one of them uses) reads the quantity `name`, e.g. "omega": the checker
    /// computes the costlier quantities only when they are read.
    public func reads(_ name: String) -> Bool {
        formulas.values.contains { $0.reads(name) }
    }

    /// The value of `part`'s formula at a network.
    public func value(_ part: FormulaPart, _ quantities: NetworkQuantities) throws(FormulaEvaluationError) -> Int {
        try formulas[part]!.value(quantities)
    }
}

/// The closed forms HessianRank knows, in the formula language. The texts are the statements of proofs/: the paper's
/// (proofs/statements/outer.md, functional.md, loss.md), the non-generic-residual variant and the with-bias
/// conjecture (proofs/statements/bias.md). What each claims (theorem, bound, conjecture) is in `LinearNetworkFormulas`
/// and `BiasNetworkConjecture`.
public enum BuiltInConjectures {
    /// The paper's formulas for a bias-free linear network under MSE. At L = 1 the network is linear in its
    /// parameters: H_F = 0 and H_L = H_O, of rank r K (outside the paper; ours).
    public static let paperTexts: [FormulaPart: String] = [
        .outer: "q * (r + K - q)",
        .functional: "if L == 1 then 0 else 2*q*sum(hidden) + 2*q*s - L*q^2",
        .loss: "if L == 1 then r*K else q*(r + K) + 2*q*sum(hidden) - L*q^2",
    ]
    public static let paper = Conjecture(builtIn: "the paper's formulas", paperTexts)

    /// The paper's formulas read for a loss: with Keff = K - 1 outputs under cross-entropy (and K under mse and
    /// log-cosh, where they are `paperTexts`), s and q taken with Keff. The paper's statements for these losses, not
    /// proved here: `verify --loss` compares them with certified intervals.
    public static let paperUnderLossDefinitions = ["se = min(r, Keff)", "qe = min(r, Keff, hidden)"]
    public static let paperUnderLossTexts: [FormulaPart: String] = [
        .outer: "qe * (r + Keff - qe)",
        .functional: "if L == 1 then 0 else 2*qe*sum(hidden) + 2*qe*se - L*qe^2",
        .loss: "if L == 1 then r*Keff else qe*(r + Keff) + 2*qe*sum(hidden) - L*qe^2",
    ]
    public static let paperUnderLoss = Conjecture(builtIn: "the paper's formulas for the loss",
                                                  definitions: paperUnderLossDefinitions, paperUnderLossTexts)

    /// The with-bias conjecture: istar is the last hidden layer of width qtilde, after which the wider layers add
    /// 2 (M_i - qtilde) each when qtilde < min(rtilde, K).
    public static let biasDefinitions = [
        "O = q*(r + K - q) + (if rtilde == r + 1 then K else if q < r then K - q else 0)",
        "istar = max(i = 1..L-1, if M[i] == qtilde then i else 0)",
        "F = if L == 1 then 0 else 2*qtilde*sum(hidden) + 2*qtilde*stilde - L*qtilde^2 + (L - 2)*qtilde"
            + " + (if qtilde < min(rtilde, K) then 2*sum(i = istar+1..L-1, M[i] - qtilde) else 0)",
    ]
    public static let biasTexts: [FormulaPart: String] = [
        .outer: "O",
        .functional: "F",
        .loss: "if L == 1 then rtilde*K else O + F - qtilde*(2*stilde - qtilde - 1)",
    ]
    public static let bias = Conjecture(builtIn: "the with-bias conjecture", definitions: biasDefinitions, biasTexts)

    /// The non-generic-residual variant: the paper's H_F and H_L read with s' = rank Omega in place of s
    /// (proofs/statements/nongeneric-residual.md).
    public static let nonGenericResidualDefinitions = [
        "qo = min(omega, hidden)",
        "F = if L == 1 then 0 else 2*qo*sum(hidden) + 2*qo*omega - L*qo^2",
    ]
    public static let nonGenericResidualTexts: [FormulaPart: String] = [
        .outer: "q * (r + K - q)",
        .functional: "F",
        .loss: "if L == 1 then q*(r + K - q) else q*(r + K - q) + F - qo*(2*omega - qo)",
    ]
    public static let nonGenericResidual = Conjecture(builtIn: "the non-generic-residual variant",
                                                      definitions: nonGenericResidualDefinitions, nonGenericResidualTexts)
}
