import RankFormulas
import Testing

/// The names of convolutional networks in the formula language: values by hand, the errors of reading them at a
/// dense network or outside 1..L, and the refusal when the formulas are read for dense networks (where the names are
/// free for definitions and variables instead).
@Suite struct ConvolutionFormulaLanguageTests {
    /// Input 2x6 (C0 = 2, S = 1), conv:3:2:s2 (kernel 2, stride 2: (6 - 2) / 2 + 1 = 3 positions, kappa = 2 * 2 = 4),
    /// dense:4 (kappa = 3 * 3 = 9 inputs). Unrolled widths 12, 9, 4; p = 3 * 4 + 4 * 9 = 48; N = 14, r = 12, rank
    /// [X, 1] = 13, rank Omega = 3, rank G = 4.
    let cnn = NetworkQuantities(
        widths: [12, 9, 4], samples: 14, parameterCount: 48, dataRank: 12, augmentedDataRank: 13, residualRank: 3,
        convolution: ConvolutionQuantities(inputChannels: 2, spatialAxes: 1, channels: [3, 4], kernels: [2, 0], strides: [2, 0],
                                           positions: [3, 1], filterEntries: [4, 9], patchResidualRank: 4))

    func value(_ text: String, _ quantities: NetworkQuantities? = nil) throws -> Int {
        try Formula(parsing: text, for: .convolutional).value(quantities ?? cnn)
    }

    @Test(arguments: [
        ("C0 * 10 + S", 21),
        ("sum(channels) + 10 * len(kappa)", 7 + 20),
        ("channels[1] * kernel[1] * stride[1]", 12),
        ("kernel[L] + stride[2]", 0),
        ("prod(positions) + max(kappa)", 3 + 9),
        ("sum(i = 1..L, kappa[i] * channels[i])", 48),
        ("M[1] - channels[1] * positions[1]", 0),
        ("2 * channels[1] * patchrank", 24),
        ("let qc = min(channels[1], K*positions[1], kappa[1]) in min(K*r, qc*(K*positions[1] + kappa[1] - qc))", 3 * (12 + 4 - 3)),
        ("d + K + N + L + p + r + q + omega + rtilde", 12 + 4 + 14 + 2 + 48 + 12 + 4 + 3 + 13),
    ])
    func valuesByHand(text: String, expected: Int) throws {
        #expect(try value(text) == expected)
    }

    @Test(arguments: [
        ("kernel[3]", "kernel[3] does not exist: the layers run from 1 to L = 2", 0),
        ("channels[0]", "channels[0] does not exist: the layers run from 1 to L = 2 (the input's channels are C0)", 0),
        ("1 + stride[L - 2]", "stride[0] does not exist: the layers run from 1 to L = 2", 4),
    ])
    func indexErrors(text: String, message: String, position: Int) {
        #expect(throws: FormulaEvaluationError(message: message, position: position, source: text)) { try value(text) }
    }

    /// A dense network has none of the names (a formula read for any network meets this when it is evaluated).
    @Test(arguments: [
        ("channels[1]", "channels (output channels per layer) is defined for convolutional networks only; this network is dense", 0),
        ("2 * C0", "C0 (input channels) is defined for convolutional networks only; this network is dense", 4),
        ("sum(kappa)", "kappa (entries of one filter per layer) is defined for convolutional networks only; this network is dense", 4),
        ("patchrank", "patchrank (rank G) is defined for convolutional networks only; this network is dense", 0),
    ])
    func denseNetworksHaveNoConvolutionalNames(text: String, message: String, position: Int) {
        let dense = NetworkQuantities(widths: [3, 2, 1], dataRank: 3, samples: 4, residualRank: 1)
        #expect(throws: FormulaEvaluationError(message: message, position: position, source: text)) {
            try Formula(parsing: text).value(dense)
        }
    }

    /// patchrank is rank G of one hidden convolution then a dense layer; any other network has none.
    @Test func patchRankOnlyForOneHiddenConvolution() {
        let two = NetworkQuantities(
            widths: [8, 7, 6, 1], samples: 10, parameterCount: 10, dataRank: 8, residualRank: 1,
            convolution: ConvolutionQuantities(inputChannels: 1, spatialAxes: 1, channels: [1, 1, 1], kernels: [2, 2, 0],
                                               strides: [1, 1, 0], positions: [7, 6, 1], filterEntries: [2, 2, 6]))
        #expect(throws: FormulaEvaluationError(
            message: "patchrank (rank G) is defined for one hidden convolution then a dense layer, without biases (proofs/convolution.md); this network has other layers",
            position: 0, source: "patchrank")) { try value("patchrank", two) }
    }

    /// Read for dense networks, the names are refused where they are used, with the position; and they are free names.
    @Test(arguments: [
        ("channels[1]", 0, "channels"),
        ("q + C0", 4, "C0"),
        ("sum(i = 1..L, kappa[i])", 14, "kappa"),
        ("if L == 1 then patchrank else 0", 15, "patchrank"),
    ])
    func refusedForDenseNetworks(text: String, position: Int, name: String) {
        let message = "'\(name)' is a quantity of convolutional networks, and these formulas are read for dense networks (a grid of CNNs is given by --input and --layers)"
        #expect(throws: FormulaSyntaxError(message, at: position, in: text)) { try Formula(parsing: text, for: .dense) }
    }

    @Test func freeNamesForDenseNetworks() throws {
        let dense = NetworkQuantities(widths: [3, 2, 1], dataRank: 3)
        let definitions = try FormulaDefinitions(parsing: ["kappa = 2 * d", "S = kappa + 1"], for: .dense)
        #expect(try Formula(parsing: "S + kappa", definitions: definitions, for: .dense).value(dense) == 13)
        #expect(try Formula(parsing: "let kernel = K in sum(i = 1..L, kernel * M[i])", for: .dense).value(dense) == 3)
        // Read for any network, or for convolutional ones, they are names of the network.
        #expect(throws: FormulaSyntaxError("'kappa' cannot be defined: it is a per-layer list of convolutional networks", at: 0,
                                           in: "kappa = 2 * d")) { try FormulaDefinitions(parsing: ["kappa = 2 * d"]) }
        #expect(throws: FormulaSyntaxError("'S' cannot be defined: it is a quantity of the network", at: 0, in: "S = 1")) {
            try FormulaDefinitions(parsing: ["S = 1"], for: .convolutional)
        }
        #expect(throws: FormulaSyntaxError("'stride' cannot name a variable: it is a per-layer list of convolutional networks", at: 4,
                                           in: "let stride = 1 in stride")) { try Formula(parsing: "let stride = 1 in stride") }
    }

    /// Typed when read: a list is not an integer, an index is.
    @Test(arguments: [
        ("channels + 1", 0, "'+' needs an integer; this is a list (a list such as hidden goes inside sum, prod, min, max or len)"),
        ("kernel[1] < 2", 0, "a formula must be an integer; this is a condition"),
        ("kappa[hidden]", 6, "an index of kappa needs an integer; this is a list (a list such as hidden goes inside sum, prod, min, max or len)"),
        ("positions[1", 11, "expected ']' to close positions[; found 'the end of the formula'"),
    ])
    func typedWhenRead(text: String, position: Int, message: String) {
        #expect(throws: FormulaSyntaxError(message, at: position, in: text)) { try Formula(parsing: text, for: .convolutional) }
    }

    @Test func unknownNamesListTheConvolutionalOnes() {
        #expect(throws: FormulaSyntaxError(
            "unknown name 'filters'; known: d, K, N, L, p, r, s, q, rtilde, stilde, qtilde, omega, bias, Keff, hidden, widths, M[i], M_1, C0, S, patchrank, channels[i], kernel[i], stride[i], positions[i], kappa[i] and the functions min, max, sum, prod, len, abs",
            at: 0, in: "filters")) { try Formula(parsing: "filters", for: .convolutional) }
    }

    @Test func readsTheConvolutionalNames() throws {
        let definitions = try FormulaDefinitions(parsing: ["g = 2 * patchrank"])
        #expect(try Formula(parsing: "channels[1] * g", definitions: definitions).reads("patchrank"))
        #expect(try Formula(parsing: "channels[1] * g", definitions: definitions).reads("channels"))
        #expect(try Formula(parsing: "sum(i = 1..L, M[i] * kappa[i])").reads("kappa"))
        #expect(!(try Formula(parsing: "sum(kernel)").reads("patchrank")))
    }
}
