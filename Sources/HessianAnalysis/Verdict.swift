// How an exact rank compares with a formula's claim, given what is proven about the point (`PointDiagnosis`). One
// rule for every formula: the built-in ones (the paper's, the with-bias conjecture) and a user's (`hessian-rank
// conjecture`), each a claim "rank == value", "rank <= value" or "rank >= value" (`RankFormulas.Relation`).
//
// "ABOVE" (the rank exceeds a value claimed equal, or an upper bound) is decisive at any point: rank can only drop on
// a Zariski-closed set, so no point exceeds the generic rank, and the reported rank is a proven lower bound on the
// true rank. Below (a value claimed equal, or a lower bound), what it means depends on what is known:
// - where a condition proven sufficient for attainment holds (or at L = 1, where every rank is fixed), the true rank
//   is the formula's: a rank below it is a lower bound that fell short (an unlucky or given prime), a failure;
// - where that proven condition fails, the point is non-generic (the formula is the generic rank, and the rank at
//   this point is below it), which says nothing against the formula;
// - where attainment is not proven (H_L at L >= 2, H_F at L >= 3, and every user formula), the diagnostics C1-C4 of a
//   linear bias-free network are reported: a shortfall where they all hold is evidence against "equality at generic
//   points" and fails a check (after redraws); where one fails, it says nothing;
// - for other networks (biases, piecewise-linear activations) no diagnosis exists: a shortfall that survives the
//   redraws is evidence against the formula and fails a check.
import HessianConstructions
import NetworkModel
import RankFormulas

public enum Verdict: String, Sendable, Codable, CaseIterable {
    case equal = "equal"
    case belowNonGeneric = "below: non-generic point (the condition proven to attain the formula fails)"
    case belowProvenAttained = "BELOW: the formula is proven attained here, so this lower bound fell short"
    case belowConditionsHold = "below: conditions C1-C4 hold, bound not attained"
    case belowConditionsFail = "below: a condition of C1-C4 fails"
    case above = "ABOVE: counterexample"
    /// A bound (`<=` or `>=`) that holds with room.
    case withinBound = "within the bound"
    /// Below, where no condition is known to attain the formula and the point has no diagnosis (networks with biases
    /// or piecewise-linear activations).
    case belowUndiagnosed = "below: no diagnosis of the point"
    /// A value claimed equal, or a lower bound, above a bound that holds at every point of every network (p; N K for
    /// H_O, N (K - 1) under cross-entropy): no point attains it, so the claim is refuted for certain.
    case impossible = "IMPOSSIBLE: the value exceeds a bound that holds at every point"
    /// A certified rank interval (transcendental entries: `LossIntervals`) that contains the formula's value, or
    /// straddles a bound: nothing is decided either way.
    case undecided = "undecided: the value lies inside the certified rank interval"
    /// ReLU networks: the closed forms are statements about linear networks; the values are shown for comparison.
    case notApplicable = "not applicable: the formulas are for linear networks"

    /// The verdict on the claim "rank `relation` `value`". `attainment` is what is proven about attaining the value
    /// at this point (the paper's formulas only; nil for a user's); `conditionsHold` whether C1-C4 hold (nil where
    /// the network has no diagnosis).
    public init(rank: Int, value: Int, relation: Relation = .equal, attainment: PointDiagnosis.Attainment?,
                conditionsHold: Bool?) {
        switch relation.outcome(rank: rank, value: value) {
        case .equal: self = .equal
        case .withinBound: self = .withinBound
        case .above: self = .above
        case .below:
            if let proven = attainment?.provenAttained {
                self = proven ? .belowProvenAttained : .belowNonGeneric
            } else if let conditionsHold {
                self = conditionsHold ? .belowConditionsHold : .belowConditionsFail
            } else {
                self = .belowUndiagnosed
            }
        }
    }

    /// The verdict on a claim about a rank known only to lie in [lower, upper] (a certified interval): decided where
    /// the whole interval lies on one side of the value, like an exact rank (no diagnosis exists for these networks);
    /// undecided where it straddles it.
    public init(lower: Int, upper: Int, value: Int, relation: Relation = .equal) {
        if lower == upper {
            self.init(rank: lower, value: value, relation: relation, attainment: nil, conditionsHold: nil)
            return
        }
        switch relation {
        case .equal:
            self = value < lower ? .above : value > upper ? .belowUndiagnosed : .undecided
        case .atMost:
            // Every rank in the interval at most the value: the bound holds, whichever it is.
            self = lower > value ? .above : upper <= value ? .withinBound : .undecided
        case .atLeast:
            self = upper < value ? .belowUndiagnosed : lower >= value ? .withinBound : .undecided
        }
    }

    /// `verdict`, or `.impossible` when a claim of equality or a lower bound names a value above `structuralBound`,
    /// a bound that holds at every point (then no draw can attain it).
    public static func checked(_ verdict: Verdict, value: Int, relation: Relation, structuralBound: Int) -> Verdict {
        relation != .atMost && value > structuralBound && verdict != .equal ? .impossible : verdict
    }

    /// A shortfall that another draw may resolve, and that a check therefore redraws before it counts: the ones no
    /// proven condition decides.
    public var isRedrawn: Bool { self == .belowConditionsHold || self == .belowConditionsFail || self == .belowUndiagnosed }

    /// Whether this verdict fails a verification run.
    public var isFailure: Bool {
        self == .above || self == .belowProvenAttained || self == .belowConditionsHold || self == .belowUndiagnosed
            || self == .impossible
    }

    /// A failure that no draw and no prime can explain: the claim is false at every point.
    public var refutesForCertain: Bool { self == .above || self == .impossible }

    /// A short form for tables.
    public var short: String {
        switch self {
        case .equal: "equal"
        case .belowNonGeneric: "below(non-generic)"
        case .belowProvenAttained: "BELOW(proven)"
        case .belowConditionsHold: "BELOW(C1-C4 hold)"
        case .belowConditionsFail: "below(C fails)"
        case .above: "ABOVE"
        case .withinBound: "within"
        case .belowUndiagnosed: "below"
        case .undecided: "undecided"
        case .impossible: "IMPOSSIBLE"
        case .notApplicable: "n/a"
        }
    }
}
