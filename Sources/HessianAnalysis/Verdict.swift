// How an exact rank compares with a formula value, given what is proven about the point (`PointDiagnosis`).
//
// "ABOVE" is decisive at any point: rank can only drop on a Zariski-closed set, so no point exceeds the generic rank,
// and the reported rank is a proven lower bound on the true rank. Below the formula, what it means depends on the
// part:
// - where a condition proven sufficient for attainment holds (or at L = 1, where every rank is fixed), the true rank
//   is the formula's: a rank below it is a lower bound that fell short (an unlucky or given prime), a failure;
// - where that proven condition fails, the point is non-generic (the formula is the generic rank, and the rank at
//   this point is below it), which says nothing against the formula;
// - where attainment is not proven (H_L at L >= 2, H_F at L >= 3), the diagnostics C1-C4 are reported: a shortfall
//   where they all hold is evidence against "equality at generic points" and fails a verification run (verify redraws
//   it first); where one fails, it says nothing.
import HessianConstructions
import NetworkModel

public enum Verdict: String, Sendable, Codable, CaseIterable {
    case equal = "equal"
    case belowNonGeneric = "below: non-generic point (the condition proven to attain the formula fails)"
    case belowProvenAttained = "BELOW: the formula is proven attained here, so this lower bound fell short"
    case belowConditionsHold = "below: conditions C1-C4 hold, bound not attained"
    case belowConditionsFail = "below: a condition of C1-C4 fails"
    case above = "ABOVE: counterexample"
    /// Linear networks with biases, below the with-bias conjecture: no condition is known to attain it, so nothing
    /// is diagnosed; not a failure.
    case belowConjecture = "below: the with-bias conjecture, no diagnosis of the point"
    /// ReLU networks: the closed forms are statements about linear networks; the values are shown for comparison.
    case notApplicable = "not applicable: the formulas are for linear networks"

    public init(rank: Int, formula: Int, attainment: PointDiagnosis.Attainment, conditionsHold: Bool) {
        if rank == formula {
            self = .equal
        } else if rank > formula {
            self = .above
        } else if let proven = attainment.provenAttained {
            self = proven ? .belowProvenAttained : .belowNonGeneric
        } else {
            self = conditionsHold ? .belowConditionsHold : .belowConditionsFail
        }
    }

    /// Whether this verdict fails a verification run.
    public var isFailure: Bool { self == .above || self == .belowProvenAttained || self == .belowConditionsHold }

    /// A short form for tables.
    public var short: String {
        switch self {
        case .equal: "equal"
        case .belowNonGeneric: "below(non-generic)"
        case .belowProvenAttained: "BELOW(proven)"
        case .belowConditionsHold: "BELOW(C1-C4 hold)"
        case .belowConditionsFail: "below(C fails)"
        case .above: "ABOVE"
        case .belowConjecture: "below(conjecture)"
        case .notApplicable: "n/a"
        }
    }
}
