// The network's shapes and parameter order (layer by layer, W_t row-major, then b_t).
import HessianReference
import Testing

@Suite struct ReferenceNetworkTests {
    static let weights: [[[Int128]]] = [[[1, 2, 3], [4, 5, 6]], [[7, 8]]]

    /// widths 3,2,1: p = 6 + 2 + 1 without biases; with them 6 + 2 (b_1) and 2 + 1 (b_2) = 11, layer 2 starting at 8.
    @Test func parameterCountAndOffsets() throws {
        let plain = try ReferenceNetwork(widths: [3, 2, 1], weights: Self.weights, samples: [], targets: [])
        #expect(plain.parameterCount == 8 && plain.offset(1) == 6 && !plain.hasBias)
        let biased = try ReferenceNetwork(widths: [3, 2, 1], weights: Self.weights, biases: [[0, 0], [0]], samples: [], targets: [])
        #expect(biased.parameterCount == 11 && biased.offset(1) == 8 && biased.offset(2) == 11 && biased.hasBias)
    }

    @Test func biasShapesAreChecked() {
        for (biases, message) in [([[Int128]](), "need one bias vector per layer (2), or none"),
                                  ([[0, 0]], "need one bias vector per layer (2), or none"),
                                  ([[0], [0]], "b1 must have 2 entries"),
                                  ([[0, 0], [0, 0]], "b2 must have 1 entries")] {
            #expect(throws: ReferenceNetwork.ShapeError.mismatch(message)) {
                try ReferenceNetwork(widths: [3, 2, 1], weights: Self.weights, biases: biases, samples: [], targets: [])
            }
        }
    }
}
