// The one seeded table of small networks the core tests share: L = 1 ... 5, bottlenecks narrower than d and K,
// fewer samples than inputs, K = 1, prescribed data ranks.
import HessianCore

struct SmallCase: CustomStringConvertible, Sendable {
    let widths: [Int]
    let samples: Int
    let dataRank: Int?
    let seed: UInt64

    var description: String {
        "widths \(widths), N = \(samples)" + (dataRank.map { ", r = \($0)" } ?? "") + ", seed \(seed)"
    }

    func problem() throws -> Problem {
        try Generator.draw(Architecture(widths: widths), samples: samples, dataRank: dataRank, seed: seed)
    }

    static let table: [SmallCase] = [
        SmallCase(widths: [3, 2], samples: 4, dataRank: nil, seed: 1),           // L = 1
        SmallCase(widths: [4, 3], samples: 2, dataRank: nil, seed: 2),           // L = 1, N < d
        SmallCase(widths: [3, 2, 2], samples: 3, dataRank: nil, seed: 3),        // L = 2
        SmallCase(widths: [4, 1, 3], samples: 5, dataRank: nil, seed: 4),        // bottleneck 1 < d, K
        SmallCase(widths: [5, 3, 1], samples: 3, dataRank: nil, seed: 5),        // K = 1, N < d
        SmallCase(widths: [4, 3, 3], samples: 5, dataRank: 2, seed: 6),          // prescribed r = 2
        SmallCase(widths: [3, 2, 3, 2], samples: 4, dataRank: nil, seed: 7),     // L = 3
        SmallCase(widths: [4, 1, 2, 3], samples: 2, dataRank: nil, seed: 8),     // L = 3, bottleneck, N < d
        SmallCase(widths: [2, 2, 2, 2, 2], samples: 3, dataRank: nil, seed: 9),  // L = 4
        SmallCase(widths: [3, 2, 1, 2, 1], samples: 2, dataRank: 1, seed: 10),   // L = 4, K = 1, r = 1
        SmallCase(widths: [2, 2, 1, 2, 2, 2], samples: 3, dataRank: nil, seed: 11), // L = 5
        SmallCase(widths: [3, 2, 2, 2, 2, 1], samples: 2, dataRank: nil, seed: 12), // L = 5, K = 1, N < d
    ]
}
