import RankFormulas
import Testing

@Suite struct RankFormulasTests {
    /// The paper's demo configuration: d = 25, hidden [5, 10], K = 10, r = 25 gives 150, 175, 250
    /// (formulas.md, "Reference worked example").
    @Test func paperDemo() {
        let f = LinearNetworkFormulas(widths: [25, 5, 10, 10], dataRank: 25)
        #expect((f.s, f.q, f.parameterCount, f.depth) == (10, 5, 275, 3))
        #expect(f.outer == FormulaValue(value: 150, status: .theoremEquality))
        #expect(f.functional == FormulaValue(value: 175, status: .upperBoundObservedTight))
        #expect(f.loss == FormulaValue(value: 250, status: .upperBoundObservedTight))
    }

    /// Values worked by hand (each line: widths, r, then outer, functional, loss).
    @Test(arguments: [
        // L = 1: H_F = 0 and H_L = H_O = r K.
        ([3, 2], 3, 6, 0, 6),
        ([5, 1], 4, 4, 0, 4),
        // L = 2, s = 2, q = 2: outer 2 (4 + 2 - 2) = 8, functional 2 M_1 s = 12, loss 2 * 6 + 2 * 2 * 3 - 2 * 4 = 16.
        ([4, 3, 2], 4, 8, 12, 16),
        // bottleneck M_1 = 2 < K = 5: s = 5, q = 2: outer 2 * 9 = 18, functional 2 * 2 * 5 = 20, loss 22 + 8 - 8 = 22.
        ([6, 2, 5], 6, 18, 20, 22),
        // r = 3 < d: s = 3, q = 3: outer 3 * 5 = 15, functional 2 * 3 * 6 = 36, loss 3 * 8 + 2 * 3 * 6 - 2 * 9 = 42.
        ([8, 6, 5], 3, 15, 36, 42),
        // L = 3, K = 1: s = q = 1: outer 1 * 5 = 5, functional 2 * (4 + 3) + 2 - 3 = 13, loss 1 * 6 + 14 - 3 = 17.
        ([5, 4, 3, 1], 5, 5, 13, 17),
    ])
    func handDerived(widths: [Int], r: Int, outer: Int, functional: Int, loss: Int) {
        let f = LinearNetworkFormulas(widths: widths, dataRank: r)
        #expect(f.outer.value == outer)
        #expect(f.functional.value == functional)
        #expect(f.loss.value == loss)
    }

    /// The per-layer reading of formulas.md: rank H_L = sum_i q (M~_{i-1} + M~_i - q) with M~_0 = r, M~_L = K,
    /// an independent expression of the same number, checked over every architecture with widths 1...4, L <= 3.
    @Test func lossEqualsPerLayerSum() {
        var checked = 0
        for depth in 2...3 {
            for widths in allWidths(count: depth + 1, range: 1...4) {
                for r in 0...widths[0] {
                    let f = LinearNetworkFormulas(widths: widths, dataRank: r)
                    var tilde = widths
                    tilde[0] = r
                    let perLayer = (1...depth).reduce(0) { $0 + f.q * (tilde[$1 - 1] + tilde[$1] - f.q) }
                    #expect(f.loss.value == perLayer, "widths \(widths), r \(r)")
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test func nonGenericResidual() {
        let f = LinearNetworkFormulas(widths: [25, 5, 10, 10], dataRank: 25)
        // At an exact minimum, H_F = 0 and H_L = H_O.
        let minimum = f.nonGenericResidual(residualRank: 0)
        #expect(minimum.functional.value == 0 && minimum.loss.value == 150)
        // With rank Omega = s the variant gives the generic values.
        let generic = f.nonGenericResidual(residualRank: 10)
        #expect(generic.functional.value == 175 && generic.loss.value == 250)
        // s' = 3: q' = 3, H_F = 2 * 3 * 15 + 2 * 3 * 3 - 3 * 9 = 81, H_L = 150 + 81 - 3 * 3 = 222.
        let three = f.nonGenericResidual(residualRank: 3)
        #expect(three.functional.value == 81 && three.loss.value == 222)
    }

    func allWidths(count: Int, range: ClosedRange<Int>) -> [[Int]] {
        count == 0 ? [[]] : allWidths(count: count - 1, range: range).flatMap { prefix in range.map { prefix + [$0] } }
    }

    /// The with-bias conjecture, by hand (proofs/statements/bias.md):
    /// - [4, 3, 2], r = 4, r~ = 5: q = q~ = s~ = 2, L = 2. H_O = 2 (4 + 2 - 2) + 2 = 10; H_F = 2*2*3 + 2*2*2 - 2*4 + 0 = 12
    ///   (q~ = min(r~, K): no extra term); H_L = 10 + 12 - 2 (4 - 2 - 1) = 20.
    /// - [6, 2, 5, 3], r = r~ = 4: q = q~ = 2, s~ = 3, L = 3. H_O = 2 (4 + 3 - 2) + (3 - 2) = 11; H_F = 2*2*7 + 2*2*3
    ///   - 3*4 + 1*2 = 30, plus 2 (5 - 2) = 6 for the layer after the last width-2 layer since q~ < min(r~, K) = 3: 36;
    ///   H_L = 11 + 36 - 2 (6 - 2 - 1) = 41.
    /// - [3, 2] (L = 1), r = 3, r~ = 4: f is affine in its parameters, H_O = H_L = r~ K = 8, H_F = 0.
    @Test(arguments: [([4, 3, 2], 4, 5, 10, 12, 20), ([6, 2, 5, 3], 4, 4, 11, 36, 41), ([3, 2], 3, 4, 8, 0, 8)])
    func biasConjectureByHand(widths: [Int], r: Int, rTilde: Int, outer: Int, functional: Int, loss: Int) {
        let c = BiasNetworkConjecture(widths: widths, dataRank: r, augmentedDataRank: rTilde)
        #expect([c.outer.value, c.functional.value, c.loss.value] == [outer, functional, loss], "\(widths)")
        #expect(c.outer.status == (widths.count == 2 ? .derivation : .conjecture))
        #expect(c.parameterCount == zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) })
    }
}
