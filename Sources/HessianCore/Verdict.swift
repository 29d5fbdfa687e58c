// How an exact rank compares with a formula value, given whether the draw is generic.
//
// "ABOVE" is decisive whatever the draw: rank can only drop on a Zariski-closed set, so no point of the parameter
// space exceeds the generic rank, and the reported rank is a proven lower bound on the true rank. A shortfall at a
// generic draw means the formula value was not attained where it should have been; at a non-generic draw it is
// expected and says nothing against the formula.

public enum Verdict: String, Sendable, Codable, CaseIterable {
    case equal = "equal"
    case belowNonGeneric = "below: non-generic draw"
    case belowGeneric = "below: generic draw, bound not attained"
    case above = "ABOVE: counterexample"
    /// ReLU networks: the closed forms are statements about linear networks; the values are shown for comparison.
    case notApplicable = "not applicable: the formulas are for linear networks"

    public init(rank: Int, formula: Int, generic: Bool) {
        if rank == formula { self = .equal } else if rank > formula { self = .above } else {
            self = generic ? .belowGeneric : .belowNonGeneric
        }
    }

    /// Whether this verdict fails a verification run.
    public var isFailure: Bool { self == .above || self == .belowGeneric }

    /// A short form for tables.
    public var short: String {
        switch self {
        case .equal: "equal"
        case .belowNonGeneric: "below(non-generic)"
        case .belowGeneric: "BELOW(generic)"
        case .above: "ABOVE"
        case .notApplicable: "n/a"
        }
    }
}
