// SplitMix64 (SplitMix64.swift), the generator behind every seeded draw: its reference outputs, and uniform draws that
// stay in their range and cover it.
import ExactAlgebra
import Testing

@Suite struct SplitMix64Tests {
    /// Reference outputs of SplitMix64 from seed 0 (Steele, Lea and Flood), recomputed in Python when written.
    @Test func referenceStream() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        var g = SplitMix64(seed: 3)
        let draws = (0..<2000).map { _ in g.uniform(in: -3...3) }
        #expect(draws.allSatisfy { (-3...3).contains($0) })
        #expect(Set(draws) == Set(-3...3))
    }
}
