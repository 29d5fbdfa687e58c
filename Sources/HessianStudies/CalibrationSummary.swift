// Per rule, over every calibrated spectrum: how often the rule's float rank is right (equal to the exact rank, or
// inside an exact certified interval), undecided (inside an interval that is not exact) or wrong (outside the
// reference: for an interval, certainly wrong), how far its worst miss was, how close its threshold came to a singular
// value, and which rule to recommend.
import HessianAnalysis
import HessianConstructions
import NetworkModel
import NumericalAlgebra

public struct RuleSummary: Sendable {
    public let rule: RankRule
    /// Spectra on which the rule was right.
    public let agreements: Int
    /// Spectra on which its rank lay inside an interval that is not exact (neither right nor wrong, as far as proven).
    public let undecided: Int
    public let total: Int
    /// The smallest margin (decades between threshold and nearest singular value) over every spectrum.
    public let smallestMargin: Double
    /// The largest distance (in ranks) from a wrong rank to its reference; 0 when never wrong.
    public let largestMiss: Int
    public var share: Double { total == 0 ? 0 : Double(agreements) / Double(total) }
    /// Spectra on which the rule was wrong.
    public var wrong: Int { total - agreements - undecided }

    public init(rule: RankRule, agreements: Int, undecided: Int = 0, total: Int, smallestMargin: Double, largestMiss: Int = 0) {
        self.rule = rule
        self.agreements = agreements
        self.undecided = undecided
        self.total = total
        self.smallestMargin = smallestMargin
        self.largestMiss = largestMiss
    }
}

public enum CalibrationSummary {
    public static func summarize(_ results: [CalibrationResult], rules: [RankRule]) -> [RuleSummary] {
        let parts = results.flatMap(\.parts)
        let verdicts = parts.map(\.verdicts)
        return rules.enumerated().map { index, rule in
            let mine = verdicts.map { $0[index] }
            return RuleSummary(rule: rule, agreements: mine.filter { $0 == .right }.count,
                               undecided: mine.filter { $0 == .undecided }.count, total: mine.count,
                               smallestMargin: parts.map(\.outcomes[index].marginDecades).min() ?? .infinity,
                               largestMiss: mine.compactMap(\.miss).max() ?? 0)
        }
    }

    /// The rule to recommend: the fewest wrong; among equals, the most right; then the widest smallest margin (the
    /// most robust). Against exact references (nothing undecided) this is the highest agreement, then the margin.
    public static func recommended(_ summaries: [RuleSummary]) -> RuleSummary? {
        summaries.max { a, b in (-a.wrong, a.agreements, a.smallestMargin) < (-b.wrong, b.agreements, b.smallestMargin) }
    }
}
