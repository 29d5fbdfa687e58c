// Numerical rank: the rules people actually use to turn a float spectrum into a rank, each with its margin.
//
// Every rule looks at the singular values s_1 >= s_2 >= ... >= s_n >= 0 of an m x n matrix (for a symmetric matrix,
// the absolute eigenvalues) and counts those above a threshold:
// - numpy-default: s_1 * max(m, n) * eps, eps = 2^-52 (numpy.linalg.matrix_rank, jax.numpy and torch.linalg defaults);
// - relative-1e-k: s_1 * 10^-k, for k = 6 ... 13;
// - absolute: a fixed threshold;
// - largest-gap: the rank is where log10 s drops most between neighbours, counting the drop from s_n to the noise
//   floor s_1 * eps (so a well-conditioned full-rank matrix gets rank n); the threshold is the geometric mean of the
//   two values around the drop.
// The margin of a threshold rule is how close the nearest singular value sits to its threshold, in decades
// (|log10(s_i / threshold)|, minimised over nonzero s_i): a margin of 0.1 means a 26% change in one value would
// change the rank. For largest-gap it is half the chosen drop.
#if canImport(Glibc)
import Glibc
#endif

public enum RankRule: Sendable, Hashable, CustomStringConvertible {
    case numpyDefault
    /// Threshold s_1 * 10^-exponent.
    case relative(exponent: Int)
    case absolute(Double)
    case largestGap

    /// numpy-default, relative 1e-6 ... 1e-13, absolute, largest-gap.
    public static func standard(absolute threshold: Double) -> [RankRule] {
        [.numpyDefault] + (6...13).map { .relative(exponent: $0) } + [.absolute(threshold), .largestGap]
    }

    public var description: String {
        switch self {
        case .numpyDefault: "numpy-default"
        case .relative(let k): "relative-1e-\(k)"
        case .absolute(let t): "absolute-\(t)"
        case .largestGap: "largest-gap"
        }
    }
}

public struct RankOutcome: Sendable, Equatable {
    public let rule: RankRule
    public let rank: Int
    /// The threshold the values were compared with (for largest-gap, the geometric mean around the drop).
    public let threshold: Double
    /// Decades between the threshold and the nearest singular value; +infinity when no value is nonzero.
    public let marginDecades: Double
}

public enum NumericalRank {
    public static let epsilon = Double.ulpOfOne

    /// Applies `rule` to the singular values of an m x n matrix (any order; negative entries are taken as absolute).
    public static func evaluate(_ rule: RankRule, singularValues: [Double], rows m: Int, columns n: Int) -> RankOutcome {
        let s = singularValues.map(abs).sorted(by: >)
        let largest = s.first ?? 0
        if largest == 0 { return RankOutcome(rule: rule, rank: 0, threshold: 0, marginDecades: .infinity) }
        let threshold: Double
        switch rule {
        case .numpyDefault: threshold = largest * Double(max(m, n)) * epsilon
        case .relative(let k): threshold = largest * pow10(-k)
        case .absolute(let t): threshold = t
        case .largestGap: return largestGap(s)
        }
        let rank = s.filter { $0 > threshold }.count
        let margin = s.filter { $0 > 0 }.map { abs(log10($0 / threshold)) }.min() ?? .infinity
        return RankOutcome(rule: rule, rank: rank, threshold: threshold, marginDecades: margin)
    }

    static func largestGap(_ s: [Double]) -> RankOutcome {
        let floor = s[0] * epsilon
        // Values at or below the noise floor sit on it: they are noise, and log10(0) is not a number.
        let levels = s.map { log10(max($0, floor)) } + [log10(floor)]
        var best = 0, bestDrop = -Double.infinity
        for i in 0..<(levels.count - 1) where levels[i] - levels[i + 1] > bestDrop {
            (best, bestDrop) = (i, levels[i] - levels[i + 1])
        }
        let threshold = pow10(0.5 * (levels[best] + levels[best + 1]))
        return RankOutcome(rule: .largestGap, rank: best + 1, threshold: threshold, marginDecades: bestDrop / 2)
    }

    static func pow10(_ x: Double) -> Double { pow(10, x) }
    static func pow10(_ k: Int) -> Double { pow(10, Double(k)) }
}

