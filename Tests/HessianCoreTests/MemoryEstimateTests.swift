// Exact facts about sizes and the memory estimate: where 64-bit sizes end, that a size beyond them is refused (nil)
// rather than trapped, that the estimate grows with every size and covers the matrices it names. How close the
// estimate is to a measured peak is a benchmark's business (Tests/scripts/memory-check.sh), not a unit test's.
import HessianCore
import Testing

@Suite struct MemoryEstimateTests {
    static let workloads: [MemoryEstimate.Workload] = [
        .rank(reduced: true), .rank(reduced: false), .rank(reduced: true, generic: true),
        .rank(reduced: false, activation: .relu), .certify(activation: .linear), .certify(activation: .relu),
        .fixtures(activation: .linear), .fixtures(activation: .relu),
        .calibrate(activations: Activation.calibrationDefaults, dataExponent: 4), .bias,
    ]

    /// 3,037,000,499 is the largest p with p^2 <= Int.max (3,037,000,499^2 = 9,223,372,030,926,249,001, and
    /// 3,037,000,500^2 = 9,223,372,037,000,250,000 > 9,223,372,036,854,775,807).
    @Test func widthsAreRefusedExactlyWhenASquaredSizeLeavesInt() throws {
        let largest = try Architecture(widths: [3_037_000_499, 1])
        #expect(largest.parameterCount == 3_037_000_499)
        #expect(try Architecture(widths: [1, 1_518_500_249, 1]).parameterCount == 3_037_000_498)
        for widths in [[3_037_000_500, 1], [1, 1_518_500_250, 1], [Int.max, 2], [2, Int.max], [Int.max / 2 + 1, 2], [Int.max, Int.max]] {
            #expect(Architecture.checkedParameterCount(widths) == nil, "\(widths)")
            let error = #expect(throws: InputError.self) { try Architecture(widths: widths) }
            #expect(error?.exceedsIntegerSizes == true, "\(widths)")
            #expect(error?.message.contains("more than 2^63 entries") == true, "\(widths)")
        }
        // A malformed list is refused for what it is, not as too large.
        for widths in [[0, Int.max], [Int.max], [-1, 3]] {
            let error = #expect(throws: InputError.self) { try Architecture(widths: widths) }
            #expect(error?.exceedsIntegerSizes == false, "\(widths)")
        }
    }

    /// p by its definition, sum of widths[t+1] widths[t], against the offsets' own sum.
    @Test func parameterCountIsTheSumOfTheLayerSizes() throws {
        for widths in [[3, 2], [25, 5, 10, 10], [1, 7, 1, 7, 1], [64, 56, 56, 10]] {
            let architecture = try Architecture(widths: widths)
            let p = zip(widths.dropFirst(), widths).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(architecture.parameterCount == p && architecture.parameterOffset(architecture.depth) == p)
            #expect(Architecture.checkedParameterCount(widths) == p)
        }
    }

    /// A size product beyond Int.max (N d, N K, N K p, the estimate itself) gives nil: refused, never trapped.
    @Test(arguments: workloads)
    func overflowingSizesAreRefusedNotTrapped(_ workload: MemoryEstimate.Workload) throws {
        let small = try Architecture(widths: [4, 3, 2])
        for samples in [Int.max, Int.max / 2, Int.max / 4 + 1, 1 << 62] {
            #expect(MemoryEstimate.bytes(workload, small, samples: samples) == nil, "N = \(samples)")
        }
        #expect(MemoryEstimate.bytes(workload, small, samples: Int.max, dataRank: 4) == nil)
        // p^2 fits an Int, but 8 p^2 bytes do not.
        let wide = try Architecture(widths: [3_037_000_499, 1])
        #expect(MemoryEstimate.bytes(workload, wide, samples: 1) == nil)
        #expect(MemoryEstimate.bytes(workload, small, samples: 5) != nil)
    }

    /// The shapes the parts are ranked through, for an N whose N K overflows: the layout compares N only with the
    /// widths, and J Q is used only when N K < s, so every N at least p / K gives the same shapes.
    @Test func rankedShapesForAnyNumberOfSamples() throws {
        for widths in [[4, 3, 2], [64, 51, 51, 10], [6, 2, 5]] {
            let architecture = try Architecture(widths: widths)
            let settled = ReducedHessian.rankedShapes(architecture: architecture, samples: architecture.parameterCount)
            for samples in [Int.max, Int.max / 3, 1 << 40] {
                #expect(ReducedHessian.rankedShapes(architecture: architecture, samples: samples) == settled, "\(widths), N = \(samples)")
            }
            #expect(settled.allSatisfy { $0.rows == $0.columns })
        }
    }

    /// Larger in any one size never needs less: every width and N, one step at a time, over small networks.
    @Test(arguments: workloads)
    func estimateGrowsWithEverySize(_ workload: MemoryEstimate.Workload) throws {
        // Every list of two to four widths in 1...3.
        var shapes: [[Int]] = [[1], [2], [3]], all: [[Int]] = []
        for _ in 0..<3 {
            shapes = shapes.flatMap { prefix in (1...3).map { prefix + [$0] } }
            all += shapes
        }
        for widths in all {
            let architecture = try Architecture(widths: widths)
            for samples in [1, 2, 3, 5, 8] {
                let base = try #require(MemoryEstimate.bytes(workload, architecture, samples: samples))
                #expect(try #require(MemoryEstimate.bytes(workload, architecture, samples: samples + 1)) >= base,
                        "\(widths), N = \(samples) + 1")
                for t in widths.indices {
                    var grown = widths
                    grown[t] += 1
                    let larger = try #require(MemoryEstimate.bytes(workload, try Architecture(widths: grown), samples: samples))
                    #expect(larger >= base, "\(widths) -> \(grown), N = \(samples)")
                }
            }
        }
    }

    /// The estimate covers what it is made of: the process, and for rank the three residue matrices ranked at once
    /// (their shapes from `ReducedHessian`, 8 bytes an entry), for certify the checker's three Int128 Hessians.
    @Test func estimateCoversTheMatricesItNames() throws {
        for (widths, samples) in [([64, 51, 51, 10], 100), ([25, 5, 10, 10], 50), ([300, 20], 40), ([8, 4, 2], 200_000)] {
            let architecture = try Architecture(widths: widths)
            let shapes = ReducedHessian.rankedShapes(architecture: architecture, samples: samples)
            let residues = shapes.reduce(0) { $0 + 8 * $1.rows * $1.columns }
            let reduced = try #require(MemoryEstimate.bytes(.rank(reduced: true), architecture, samples: samples))
            #expect(reduced >= MemoryEstimate.baseline + residues)
            let p = architecture.parameterCount
            let full = try #require(MemoryEstimate.bytes(.rank(reduced: false), architecture, samples: samples))
            #expect(full >= MemoryEstimate.baseline + 8 * p * p * 2 + 8 * min(samples * widths.last!, p) * p)
            let certify = try #require(MemoryEstimate.bytes(.certify(activation: .linear), architecture, samples: samples))
            #expect(certify >= MemoryEstimate.baseline + 48 * p * p)
        }
    }

    @Test func sizesAreDescribedInTheirUnit() {
        #expect(MemoryEstimate.describe(512 * 1_048_576) == "512.0 MiB")
        #expect(MemoryEstimate.describe(1.5 * 1_073_741_824) == "1.50 GiB")
        #expect(MemoryEstimate.describe(3 * 1_099_511_627_776) == "3.0 TiB")
        #expect(MemoryEstimate.describe(Double(Int.max)) == "8.0 EiB")
    }
}
