import ExactAlgebra
import HessianCore
import Testing

@Suite struct GeneratorTests {
    @Test func sameSeedSameProblem() throws {
        let arch = try Architecture(widths: [4, 3, 2])
        let a = try Generator.draw(arch, samples: 5, seed: 9), b = try Generator.draw(arch, samples: 5, seed: 9)
        let c = try Generator.draw(arch, samples: 5, seed: 10)
        #expect(a.weights == b.weights && a.x == b.x && a.y == b.y)
        #expect(a.weights != c.weights)
    }

    @Test func weightsAreNonzeroAndInRange() throws {
        let p = try Generator.draw(Architecture(widths: [12, 12, 12]), samples: 3, seed: 4)
        for w in p.weights {
            for i in 0..<w.rowCount { for j in 0..<w.columnCount {
                let v = w[i, j]
                #expect(v != 0 && abs(v) <= Generator.weightBound)
            } }
        }
    }

    /// The large-value draw (ReLU sweeps): weights nonzero, every value within 2^20, reproducible from the seed, and
    /// large indeed (some value beyond 2^19 in each matrix of this size).
    @Test func largeValueDrawStaysInRange() throws {
        let p = try Generator.drawLargeValues(Architecture(widths: [12, 12, 3]), samples: 20, seed: 4)
        for (index, m) in (p.weights + [p.x, p.y]).enumerated() {
            var largest = 0
            for i in 0..<m.rowCount { for j in 0..<m.columnCount {
                let v = m[i, j]
                #expect(abs(v) <= Generator.largeValueBound && (index >= p.weights.count || v != 0))
                largest = max(largest, abs(v))
            } }
            #expect(largest > Generator.largeValueBound / 2, "matrix \(index)")
        }
        let again = try Generator.drawLargeValues(Architecture(widths: [12, 12, 3]), samples: 20, seed: 4)
        #expect(again.weights == p.weights && again.x == p.x && again.y == p.y)
        // Non-negative data (the paper's inputs in [0, 1], scaled): same weights and targets, data in 0...2^20.
        let nonnegative = try Generator.drawLargeValues(Architecture(widths: [12, 12, 3]), samples: 20, nonnegativeData: true, seed: 4)
        let xs = (0..<20).flatMap { i in (0..<12).map { nonnegative.x[i, $0] } }
        #expect(xs.allSatisfy { $0 >= 0 && $0 <= Generator.largeValueBound } && xs.max()! > Generator.largeValueBound / 2)
        #expect(nonnegative.weights == p.weights && nonnegative.y == p.y)
    }

    @Test(arguments: [0, 1, 3, 5])
    func prescribedDataRankIsExact(_ r: Int) throws {
        let p = try Generator.draw(Architecture(widths: [6, 2]), samples: 5, dataRank: r, seed: UInt64(r))
        #expect(try CertifiedRank.rank(of: p.x).rank == r)
    }

    @Test func dataRankAboveMinimumIsRefused() throws {
        #expect(throws: InputError.self) { try Generator.draw(Architecture(widths: [6, 2]), samples: 3, dataRank: 4, seed: 1) }
    }

    @Test(arguments: ["3", "3,x", "3,0,2", "3,-1", "", "3,,2", "3.5,2"])
    func badArchitecturesAreRefused(_ text: String) {
        #expect(throws: InputError.self) { try Architecture(parsing: text) }
    }

    @Test func architectureBasics() throws {
        let a = try Architecture(parsing: "25, 5,10,10")
        #expect(a.widths == [25, 5, 10, 10] && a.depth == 3 && a.parameterCount == 275 && a.parameterOffset(2) == 175)
    }

    @Test func memoryEstimate() {
        #expect(MemoryEstimate.parse("8G") == Double(8 * 1_073_741_824))
        #expect(MemoryEstimate.parse("512MiB") == Double(512 * 1_048_576))
        #expect(MemoryEstimate.parse("1000") == 1000)
        #expect(MemoryEstimate.parse("lots") == nil && MemoryEstimate.parse("-1G") == nil)
    }
}
