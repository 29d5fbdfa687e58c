// One Hessian part's certified rank interval in JSON, as `rank --loss`, `sweep --loss` and `calibrate` print it: the
// rank lies in lower...upper, `lower` from a minor proven nonsingular (with balls of `precision` bits; absent when it
// is exact by construction, as H_O of a linear network), `upper` by the proven `statement` (its `basis`: proved here
// or cited).
import HessianCore
import RankFormulas

struct IntervalReport: Encodable {
    let lower: Int
    let upper: Int
    let statement: String
    let basis: String
    let precision: Int?
    let exact: Bool
    /// The paper's linear-network formula (with K - 1 for cross-entropy), a comparison: not proved for these losses,
    /// nor for smooth activations; absent where there is none (biases, ReLU, calibrate's references).
    let formula: Int?

    init(_ interval: RankInterval, formula: Int? = nil) {
        (lower, upper, statement, basis) = (interval.lower, interval.upper.value, interval.upper.statement,
                                            interval.upper.basis.rawValue)
        (precision, exact, self.formula) = (interval.precision, interval.isExact, formula)
    }

    /// The intervals by part name, each beside its value in `formulas` (when given).
    static func parts(_ intervals: [RankInterval], formulas: LinearNetworkFormulas?) -> [String: IntervalReport] {
        Dictionary(uniqueKeysWithValues: intervals.map { interval in
            let formula = formulas.map { f in
                [HessianPart.loss: f.loss.value, .outer: f.outer.value, .functional: f.functional.value][interval.part]!
            }
            return (interval.part.rawValue, IntervalReport(interval, formula: formula))
        })
    }
}
