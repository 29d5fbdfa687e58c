import RankFormulas
import Testing

/// The upper bounds at every point, with values worked by hand and the statement behind each: only proved or cited
/// statements, never an observed one.
@Suite struct ProvenBoundsTests {
    /// 6,2,5 with r = 6, N = 8: q = 2, s = 5, p = 22. H_O: q (r + K - q) = 2 (6 + 5 - 2) = 18 (outer), N K = 40, p = 22.
    /// H_F at L = 2 with rank Omega = 3: 2 M_1 rank Omega = 12 (functional-L2), p = 22. H_L: the paper's 22 (loss,
    /// cited), 18 + 12 = 30 (sum), p = 22.
    @Test func twoLayersByHand() {
        let f = LinearNetworkFormulas(widths: [6, 2, 5], dataRank: 6)
        #expect(f.outerUpperBounds(samples: 8) == [
            UpperBound(value: 18, statement: "outer", basis: .provedHere),
            UpperBound(value: 40, statement: "jacobian-rows", basis: .provedHere),
            UpperBound(value: 22, statement: "parameters", basis: .provedHere),
        ])
        #expect(f.functionalUpperBounds(residualRank: 3) == [
            UpperBound(value: 22, statement: "parameters", basis: .provedHere),
            UpperBound(value: 12, statement: "functional-L2", basis: .provedHere),
        ])
        #expect(f.lossUpperBounds(samples: 8, residualRank: 3) == [
            UpperBound(value: 22, statement: "parameters", basis: .provedHere),
            UpperBound(value: 22, statement: "loss", basis: .cited),
            UpperBound(value: 30, statement: "sum", basis: .provedHere),
        ])
        #expect(UpperBound.tightest(f.lossUpperBounds(samples: 8, residualRank: 3))?.statement == "parameters")
    }

    /// L = 1 (3,2 with r = 3, N = 2): H_O and H_L are r K = 6 at every point (one-layer), capped by N K = 4 for H_O;
    /// H_F is 0.
    @Test func oneLayer() {
        let f = LinearNetworkFormulas(widths: [3, 2], dataRank: 3)
        #expect(UpperBound.tightest(f.outerUpperBounds(samples: 2)) == UpperBound(value: 4, statement: "jacobian-rows", basis: .provedHere))
        #expect(UpperBound.tightest(f.functionalUpperBounds(residualRank: 2)) == UpperBound(value: 0, statement: "one-layer", basis: .provedHere))
        #expect(UpperBound.tightest(f.lossUpperBounds(samples: 5, residualRank: 2)) == UpperBound(value: 6, statement: "parameters", basis: .provedHere))
    }

    /// L >= 3: the functional and loss bounds are the paper's (cited); the demo 25,5,10,10 (r = 25, N = 50) gives
    /// 150, 175, 250 as in `RankFormulasTests.paperDemo`, and the sum bound is 150 + 175 = 325, cited because the
    /// functional bound is.
    @Test func deeperBoundsAreCited() {
        let f = LinearNetworkFormulas(widths: [25, 5, 10, 10], dataRank: 25)
        #expect(UpperBound.tightest(f.outerUpperBounds(samples: 50)) == UpperBound(value: 150, statement: "outer", basis: .provedHere))
        #expect(UpperBound.tightest(f.functionalUpperBounds(residualRank: 10)) == UpperBound(value: 175, statement: "functional-bound", basis: .cited))
        #expect(f.lossUpperBounds(samples: 50, residualRank: 10).contains(UpperBound(value: 325, statement: "sum", basis: .cited)))
        #expect(UpperBound.tightest(f.lossUpperBounds(samples: 50, residualRank: 10)) == UpperBound(value: 250, statement: "loss", basis: .cited))
    }

    /// Every statement a bound names is proved or cited in proofs/README.md; none is an observation.
    @Test func onlyProvedOrCitedStatements() {
        var statements = Set<String>()
        for widths in [[3, 2], [4, 3, 2], [6, 2, 5], [5, 4, 3, 1], [25, 5, 10, 10]] {
            let f = LinearNetworkFormulas(widths: widths, dataRank: widths[0])
            for bound in f.outerUpperBounds(samples: 7) + f.functionalUpperBounds(residualRank: f.s)
                + f.lossUpperBounds(samples: 7, residualRank: f.s) { statements.insert(bound.statement) }
        }
        #expect(statements == ["outer", "one-layer", "functional-L2", "functional-bound", "loss", "sum", "parameters", "jacobian-rows"])
    }

    /// A bias network 4,3,2 (p = 3 5 + 2 4 = 23), N = 7, r~ = rank [X, 1] = 5, rank Omega~ = 2: the bounds of its
    /// augmented network [5, 4, 2] (q = 2), renamed bias-network:<id>, then its own structural bounds. H_O:
    /// 2 (5 + 2 - 2) = 10, N K = 14, p = 23. H_F: 2 M_1~ rank Omega~ = 2 4 2 = 16, p. H_L: the paper's
    /// q (r~ + K) + 2 q 4 - 2 q^2 = 14 + 16 - 8 = 22 (cited), the sum 10 + 16 = 26, p. The augmented network's own p
    /// (28) never appears: it is not this network's size.
    @Test func biasNetworkByHand() {
        let b = PartUpperBounds.biasNetwork(widths: [4, 3, 2], parameters: 23, samples: 7, augmentedDataRank: 5,
                                            augmentedResidualRank: 2)
        #expect(b.outer == [UpperBound(value: 10, statement: "bias-network:outer", basis: .provedHere),
                            UpperBound(value: 14, statement: "jacobian-rows", basis: .provedHere),
                            UpperBound(value: 23, statement: "parameters", basis: .provedHere)])
        #expect(b.functional == [UpperBound(value: 16, statement: "bias-network:functional-L2", basis: .provedHere),
                                 UpperBound(value: 23, statement: "parameters", basis: .provedHere)])
        #expect(b.loss == [UpperBound(value: 22, statement: "bias-network:loss", basis: .cited),
                           UpperBound(value: 26, statement: "bias-network:sum", basis: .provedHere),
                           UpperBound(value: 23, statement: "parameters", basis: .provedHere)])
        #expect(b.bounds(forPart: "outer") == b.outer && b.bounds(forPart: "bias") == nil)
    }

    /// The with-bias statements are the proved or cited ones, prefixed: no observation enters through them either.
    @Test func biasNetworkStatementsAreProvedOrCited() {
        let b = PartUpperBounds.biasNetwork(widths: [5, 4, 3, 2], parameters: 47, samples: 6, augmentedDataRank: 6,
                                            augmentedResidualRank: 2)
        let statements = Set((b.outer + b.functional + b.loss).map(\.statement))
        #expect(statements == ["bias-network:outer", "bias-network:functional-bound", "bias-network:loss",
                               "bias-network:sum", "jacobian-rows", "parameters"])
    }

    /// One hidden 1-D convolution, 2 channels of kernel 3 on 1 x 8 (d' = 6), K = 2, data of rank 8, by hand:
    /// p = 2 * 3 + 2 * 2 * 6 = 30; q = min(2, 12, 3) = 2; conv-outer = min(2 * 8, 2 (12 + 3 - 2)) = 16; with rank G = 3,
    /// conv-functional = 2 * 2 * 3 = 12, at most 2 * 2 * min(12, 3) = 12; H_L's sum 28. With data of rank 2:
    /// min(4, 26) = 4. With 5 channels of 8 entries and K d' = 3: q = 3, 3 (3 + 8 - 3) = 24.
    @Test func oneConvolutionByHand() {
        let bounds = OneConvolutionBounds(channels: 2, filterEntries: 3, positions: 6, outputs: 2, dataRank: 8)
        #expect(bounds.parameterCount == 30 && bounds.q == 2 && bounds.functionalMaximum == 12)
        #expect(bounds.outer == UpperBound(value: 16, statement: "conv-outer", basis: .provedHere))
        #expect(bounds.functional(patchResidualRank: 3) == UpperBound(value: 12, statement: "conv-functional", basis: .provedHere))
        let parts = bounds.upperBounds(samples: 10, patchResidualRank: 3)
        #expect(parts.loss.first == UpperBound(value: 28, statement: "sum", basis: .provedHere))
        #expect(parts.outer.map(\.statement) == ["conv-outer", "jacobian-rows", "parameters"])
        #expect(OneConvolutionBounds(channels: 2, filterEntries: 3, positions: 6, outputs: 2, dataRank: 2).outer.value == 4)
        #expect(OneConvolutionBounds(channels: 5, filterEntries: 8, positions: 3, outputs: 1, dataRank: 40).outer.value == 24)
    }
}

