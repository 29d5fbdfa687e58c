// Per rule, over every calibrated spectrum: how often the rule's float rank equals the reference (the exact rank,
// or the formula for tanh), how close its threshold came to a singular value, and which rule to recommend.
import HessianAnalysis
import HessianConstructions
import NetworkModel
import NumericalAlgebra

public struct RuleSummary: Sendable {
    public let rule: RankRule
    public let agreements: Int
    public let total: Int
    /// The smallest margin (decades between threshold and nearest singular value) over every spectrum.
    public let smallestMargin: Double
    public var share: Double { total == 0 ? 0 : Double(agreements) / Double(total) }

    public init(rule: RankRule, agreements: Int, total: Int, smallestMargin: Double) {
        self.rule = rule
        self.agreements = agreements
        self.total = total
        self.smallestMargin = smallestMargin
    }
}

public enum CalibrationSummary {
    public static func summarize(_ results: [CalibrationResult], rules: [RankRule]) -> [RuleSummary] {
        let parts = results.flatMap(\.parts)
        return rules.enumerated().map { index, rule in
            let outcomes = parts.map { ($0.outcomes[index], $0.referenceRank) }
            return RuleSummary(rule: rule, agreements: outcomes.filter { $0.0.rank == $0.1 }.count, total: outcomes.count,
                               smallestMargin: outcomes.map(\.0.marginDecades).min() ?? .infinity)
        }
    }

    /// The rule to recommend: the highest agreement; among equals, the widest smallest margin (the most robust).
    public static func recommended(_ summaries: [RuleSummary]) -> RuleSummary? {
        summaries.max { a, b in (a.agreements, a.smallestMargin) < (b.agreements, b.smallestMargin) }
    }
}
