// The built-in grid that `hessian-rank verify` (the main job) checks: small networks of depth L = 1 ... 5 with inputs
// d <= 12 and outputs K = 1 ... 6, with bottlenecks narrower than d and K, fewer samples than inputs, prescribed data
// ranks, and the paper's demo configuration (d = 25, hidden [5, 10], K = 10, N = 50).
import HessianAnalysis
import HessianConstructions
import NetworkModel

public enum VerifyGrid {
    /// The shapes, by depth. Each is used with N = d + 3 samples, and, where d >= 3, with N = d - 1 < d; every other
    /// shape with d >= 4 also gets a prescribed data rank d / 2 (with N = d + 2).
    static let shapes: [[Int]] = [
        [3, 2], [5, 1], [4, 4], [6, 3], [2, 6], [12, 5],
        [4, 3, 2], [6, 2, 5], [5, 5, 5], [8, 3, 4], [3, 6, 2], [10, 4, 6], [12, 2, 3], [6, 8, 1], [7, 1, 4], [9, 5, 6],
        [4, 3, 3, 2], [6, 2, 4, 5], [8, 5, 3, 6], [5, 6, 6, 4], [10, 4, 4, 2], [12, 3, 8, 6], [6, 6, 2, 6], [3, 5, 5, 3],
        [4, 3, 3, 3, 2], [6, 2, 5, 4, 3], [8, 4, 6, 3, 5], [5, 5, 5, 5, 5], [10, 6, 2, 6, 4], [7, 3, 4, 5, 1],
        [4, 3, 3, 3, 3, 2], [6, 4, 2, 4, 4, 3], [8, 5, 4, 6, 3, 6], [5, 3, 5, 3, 5, 4], [12, 6, 6, 6, 6, 6],
    ]

    /// The paper's demo configuration: d = 25, hidden [5, 10], K = 10, N = 50.
    public static let demo: (widths: [Int], samples: Int) = ([25, 5, 10, 10], 50)

    /// The cases, case i drawn with seed + i.
    public static func cases(seed: UInt64) -> [NetworkCase] {
        var result: [(widths: [Int], samples: Int, dataRank: Int?)] = []
        for (n, widths) in shapes.enumerated() {
            let d = widths[0]
            result.append((widths, d + 3, nil))
            if d >= 3 { result.append((widths, d - 1, nil)) }
            if d >= 4 && n % 2 == 0 { result.append((widths, d + 2, d / 2)) }
        }
        result.append((demo.widths, demo.samples, nil))
        return result.enumerated().map { index, c in
            // The shapes above are valid by construction.
            NetworkCase(architecture: try! Architecture(widths: c.widths), samples: c.samples, dataRank: c.dataRank,
                        seed: seed &+ UInt64(index))
        }
    }
}
