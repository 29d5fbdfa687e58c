// The convolutional reference (ReferenceConvolution.swift): its unrolling checked by hand and against the output-size
// formula, its Hessians by hand, against the dense network it reduces to, against finite differences, and against an
// explicit S^T H S.
import HessianReference
import Testing

/// One seeded case of the agreement table: input shape, layers, activation.
struct ConvolutionCase: CustomStringConvertible, Sendable {
    let inputChannels: Int
    let inputShape: [Int]
    let layers: [ReferenceLayer]
    let activation: ReferenceActivation

    var description: String {
        let names = layers.map { layer in
            switch layer {
            case let .convolution(c, k, s, same, bias): "conv(\(c), k \(k), s \(s)\(same ? ", same" : "")\(bias ? ", bias" : ""))"
            case let .dense(k, bias): "dense(\(k)\(bias ? ", bias" : ""))"
            }
        }
        return "input \(inputChannels) x \(inputShape), \(names.joined(separator: " ")), \(activation)"
    }

    /// theta's length, counted here from the PyTorch shapes rather than taken from the unrolling.
    var parameterCount: Int {
        var (channels, spatial, count) = (inputChannels, inputShape, 0)
        for layer in layers {
            switch layer {
            case let .convolution(out, k, s, same, bias):
                count += out * channels * spatial.map { _ in k }.reduce(1, *) + (bias ? out : 0)
                (channels, spatial) = (out, spatial.map { same ? $0 : ($0 - k) / s + 1 })
            case let .dense(outputs, bias):
                count += outputs * channels * spatial.reduce(1, *) + (bias ? outputs : 0)
                (channels, spatial) = (outputs, [])
            }
        }
        return count
    }

    /// theta, two samples and their targets drawn from `seed`, every entry in -3...3.
    func network(seed: UInt64) throws -> ReferenceConvolutionalNetwork {
        var g = SeededGenerator(seed: seed)
        guard case let .dense(outputs, _) = layers[layers.count - 1] else { preconditionFailure("the table ends in dense layers") }
        let width = inputChannels * inputShape.reduce(1, *)
        let theta = (0..<parameterCount).map { _ in g.value(3) }
        let x = (0..<2).map { _ in (0..<width).map { _ in g.value(3) } }
        let y = (0..<2).map { _ in (0..<outputs).map { _ in g.value(3) } }
        return try ReferenceConvolutionalNetwork(inputChannels: inputChannels, inputShape: inputShape, layers: layers,
                                                 theta: theta, samples: x, targets: y)
    }

    static let table: [ConvolutionCase] = [ReferenceActivation.linear, .relu, .leakyReLU(numerator: 1, denominator: 2)].flatMap { activation in
        [(false, false), (true, true), (true, false)].flatMap { (first, rest) in [
            // 1-D: [1, 6] -> same k3 -> [2, 6] -> valid k2 stride 2 -> [2, 3] -> dense 2.
            ConvolutionCase(inputChannels: 1, inputShape: [6], layers: [
                .convolution(outChannels: 2, kernel: 3, stride: 1, samePadding: true, bias: first),
                .convolution(outChannels: 2, kernel: 2, stride: 2, samePadding: false, bias: rest),
                .dense(outputs: 2, bias: rest)], activation: activation),
            // 2-D: [1, 3, 3] -> valid k2 -> [2, 2, 2] -> same k2 -> [2, 2, 2] -> dense 1.
            ConvolutionCase(inputChannels: 1, inputShape: [3, 3], layers: [
                .convolution(outChannels: 2, kernel: 2, stride: 1, samePadding: false, bias: first),
                .convolution(outChannels: 2, kernel: 2, stride: 1, samePadding: true, bias: rest),
                .dense(outputs: 1, bias: rest)], activation: activation),
        ] }
    }
}

@Suite struct ConvolutionReferenceTests {
    static func conv1(_ k: Int, stride: Int = 1, same: Bool = false, bias: Bool = false) -> ReferenceLayer {
        .convolution(outChannels: 1, kernel: k, stride: stride, samePadding: same, bias: bias)
    }

    /// Conv1d(1, 1, 2) on x = (1, 2, 3), then Linear(2, 1), no biases, theta = (w0, w1, v0, v1) = (1, -1, 2, 1), y = 0.
    /// Unrolled: W_1 = [w0 w1 0; 0 w0 w1], W_2 = [v0 v1], so z = (w0 x0 + w1 x1, w0 x1 + w1 x2) = (-1, -1),
    /// f = v0 z0 + v1 z1 = -3 = e.
    ///   J = (v0 x0 + v1 x1, v0 x1 + v1 x2, z0, z1) = (4, 7, -1, -1), H_O = J^T J.
    ///   d2f/dw0 dv0 = x0 = 1, d2f/dw0 dv1 = x1 = 2, d2f/dw1 dv0 = x1 = 2, d2f/dw1 dv1 = x2 = 3; H_F = e times these.
    @Test func oneDimensionalByHand() throws {
        let network = try ReferenceConvolutionalNetwork(inputChannels: 1, inputShape: [3], layers: [Self.conv1(2), .dense(outputs: 1, bias: false)],
                                                        theta: [1, -1, 2, 1], samples: [[1, 2, 3]], targets: [[0]])
        #expect(network.shapes == [[1, 3], [1, 2], [1]])
        #expect(network.unrolled.weights == [[[1, -1, 0], [0, 1, -1]], [[2, 1]]])
        #expect(network.weightParameters == [[[0, 1, nil], [nil, 0, 1]], [[2, 3]]])
        #expect(network.biasParameters == nil && network.parameterMap == [0, 1, nil, nil, 0, 1, 2, 3])
        let result = try DirectHessian.compute(network)
        #expect(result.parameterCount == 4)
        #expect(result.outer == [16, 28, -4, -4,
                                 28, 49, -7, -7,
                                 -4, -7, 1, 1,
                                 -4, -7, 1, 1])
        #expect(result.functional == [0, 0, -3, -6,
                                      0, 0, -6, -9,
                                      -3, -6, 0, 0,
                                      -6, -9, 0, 0])
        #expect(result.loss == zip(result.outer, result.functional).map { $0 + $1 })
    }

    /// A kernel covering the whole 2 x 2 input (C_in = 1, valid) has one output position per channel, and unrolls to
    /// the dense matrix whose row c is the kernel of channel c flattened: in the same theta order, the network is the
    /// dense ReferenceNetwork 4, 3, 2 with the same Hessians entry for entry. With a bias on one layer only, the dense
    /// network with the other layer's bias 0 gives them, restricted to theta (that bias's rows and columns dropped).
    @Test func wholeInputKernelIsDense() throws {
        for activation in [ReferenceActivation.linear, .relu] {
            for (convBias, denseBias) in [(false, false), (true, true), (true, false), (false, true)] {
                let c = ConvolutionCase(inputChannels: 1, inputShape: [2, 2], layers: [
                    .convolution(outChannels: 3, kernel: 2, stride: 1, samePadding: false, bias: convBias),
                    .dense(outputs: 2, bias: denseBias)], activation: activation)
                var informative = false
                for seed in 1...50 as ClosedRange<UInt64> where !informative {
                    let conv = try c.network(seed: seed)
                    var rest = conv.theta[...]
                    func take(_ n: Int) -> [Int128] { defer { rest = rest.dropFirst(n) }; return Array(rest.prefix(n)) }
                    let w1 = (0..<3).map { _ in take(4) }, b1 = convBias ? take(3) : [0, 0, 0]
                    let w2 = (0..<2).map { _ in take(3) }, b2 = denseBias ? take(2) : [0, 0]
                    let someBias = convBias || denseBias
                    let dense = try ReferenceNetwork(widths: [4, 3, 2], weights: [w1, w2], biases: someBias ? [b1, b2] : nil,
                                                     samples: conv.unrolled.samples, targets: conv.unrolled.targets)
                    // Dense order: W_1 (0..<12), b_1 (12..<15), W_2 (15..<21), b_2 (21..<23).
                    let keep = !someBias ? Array(0..<18)
                        : Array(0..<12) + (convBias ? Array(12..<15) : []) + Array(15..<21) + (denseBias ? [21, 22] : [])
                    func restricted(_ m: [Int128]) -> [Int128] { keep.flatMap { i in keep.map { j in m[i * dense.parameterCount + j] } } }
                    do {
                        let expected = try DirectHessian.compute(dense, activation: activation)
                        let got = try DirectHessian.compute(conv, activation: activation)
                        #expect(got.outer == restricted(expected.outer), "\(c), seed \(seed)")
                        #expect(got.functional == restricted(expected.functional), "\(c), seed \(seed)")
                        #expect(got.loss == restricted(expected.loss), "\(c), seed \(seed)")
                        informative = got.functional.contains { $0 != 0 }
                    } catch ReferenceFailure.kink {
                        continue
                    }
                }
                #expect(informative, "\(c): no draw off a kink with nonzero H_F")
            }
        }
    }

    /// Output sizes and paddings: same keeps n, with floor((k-1)/2) zeros before (k = 3: one each side; k = 4: one
    /// before, two after); valid with stride 2 has floor((n - k)/2) + 1 positions; 2-D applies both per axis.
    @Test func outputSizesAndPadding() throws {
        func network(_ shape: [Int], _ layer: ReferenceLayer, channels: Int = 1) throws -> ReferenceConvolutionalNetwork {
            let c = ConvolutionCase(inputChannels: channels, inputShape: shape, layers: [layer], activation: .linear)
            return try ReferenceConvolutionalNetwork(inputChannels: channels, inputShape: shape, layers: [layer],
                                                     theta: (0..<c.parameterCount).map { Int128($0) }, samples: [], targets: [])
        }
        #expect(try network([3], Self.conv1(3, same: true)).weightParameters == [[[1, 2, nil], [0, 1, 2], [nil, 0, 1]]])
        #expect(try network([3], Self.conv1(2, same: true)).weightParameters == [[[0, 1, nil], [nil, 0, 1], [nil, nil, 0]]])
        #expect(try network([4], Self.conv1(4, same: true)).weightParameters[0][0] == [1, 2, 3, nil])
        #expect(try network([5], Self.conv1(4, same: true)).shapes.last == [1, 5])
        #expect(try network([7], Self.conv1(3, stride: 2)).weightParameters == [[[0, 1, 2, nil, nil, nil, nil],
                                                                                  [nil, nil, 0, 1, 2, nil, nil],
                                                                                  [nil, nil, nil, nil, 0, 1, 2]]])
        #expect(try network([6], Self.conv1(3, stride: 2)).shapes.last == [1, 2])
        let twoD = try network([4, 5], .convolution(outChannels: 3, kernel: 3, stride: 2, samePadding: false, bias: true), channels: 2)
        #expect(twoD.shapes == [[2, 4, 5], [3, 1, 2]] && twoD.parameterCount == 3 * 2 * 9 + 3)
        // Output (c = 2, y = 0, x = 1) reads input (ci = 1, iy = 2, ix = 3) through w[2, 1, 2, 1], and has beta[2].
        #expect(twoD.weightParameters[0][2 * 2 + 1][20 + 2 * 5 + 3] == ((2 * 2 + 1) * 3 + 2) * 3 + 1)
        #expect(twoD.biasParameters == [[54, 54, 55, 55, 56, 56]])
        let same2D = try network([2, 3], .convolution(outChannels: 1, kernel: 2, stride: 1, samePadding: true, bias: false))
        #expect(same2D.shapes.last == [1, 2, 3])
        // Output (1, 2), the bottom-right corner, sees only input (1, 2) through w[0, 0, 0, 0]: the padding is after.
        #expect(same2D.weightParameters[0][5] == [nil, nil, nil, nil, nil, 0])
    }

    @Test func badShapesThrow() {
        let dense = ReferenceLayer.dense(outputs: 1, bias: false)
        let cases: [(Int, [Int], [ReferenceLayer], Int, String)] = [
            (1, [3], [Self.conv1(4), dense], 5, "layer 1: kernel 4 exceeds input size 3 without padding (output size 0)"),
            (1, [3, 5], [.convolution(outChannels: 1, kernel: 4, stride: 1, samePadding: false, bias: false)], 16,
             "layer 1: kernel 4 exceeds input size 3 without padding (output size 0)"),
            (1, [5], [Self.conv1(3, stride: 2, same: true), dense], 6, "layer 1: same padding needs stride 1 (as in PyTorch)"),
            (1, [3], [Self.conv1(2), dense], 5, "theta must have 4 entries, not 5"),
            (1, [3], [dense, Self.conv1(1)], 4, "layer 2: a convolution cannot follow a dense layer"),
            (1, [3], [Self.conv1(0)], 0, "layer 1: out channels, kernel and stride must be at least 1"),
            (1, [3], [.dense(outputs: 0, bias: false)], 0, "layer 1: a dense layer needs at least one output"),
            (1, [2, 2, 2], [dense], 8, "the input needs at least one channel and a spatial shape [n] or [h, w] of positive sizes"),
            (1, [3], [], 0, "a network needs at least one layer"),
            (1, [1 << 11, 1 << 11], [dense], 0, "the input would have more than 1048576 entries"),
            (1, [1 << 10], [.convolution(outChannels: 1 << 10, kernel: 1, stride: 1, samePadding: false, bias: false)], 0,
             "layer 1's unrolled matrix would have more than 1048576 entries"),
        ]
        for (channels, shape, layers, count, message) in cases {
            #expect(throws: ReferenceNetwork.ShapeError.mismatch(message)) {
                try ReferenceConvolutionalNetwork(inputChannels: channels, inputShape: shape, layers: layers,
                                                  theta: [Int128](repeating: 1, count: count), samples: [], targets: [])
            }
        }
        #expect(throws: ReferenceNetwork.ShapeError.mismatch("data must be N x 3 and targets N x 1")) {
            try ReferenceConvolutionalNetwork(inputChannels: 1, inputShape: [3], layers: [Self.conv1(2), dense],
                                              theta: [1, 1, 1, 1], samples: [[1, 2]], targets: [[0]])
        }
    }

    /// The direct route equals finite differences in theta, for every part, on 1-D and 2-D networks of two convolutions
    /// and a dense layer, with no bias, biases everywhere, and a bias on the first layer only; draws on a kink skipped.
    @Test(arguments: ConvolutionCase.table)
    func directEqualsFiniteDifferences(_ c: ConvolutionCase) throws {
        var informative = false
        for seed in 1...200 as ClosedRange<UInt64> {
            let network = try c.network(seed: seed)
            do {
                let direct = try DirectHessian.compute(network, activation: c.activation)
                let differences = try FiniteDifferenceHessian.compute(network, activation: c.activation)
                #expect(direct.outer == differences.outer, "\(c), seed \(seed): H_O")
                #expect(direct.functional == differences.functional, "\(c), seed \(seed): H_F")
                #expect(direct.loss == differences.lossFromLoss, "\(c), seed \(seed): H_L")
                #expect(direct.parameterCount == c.parameterCount)
                informative = direct.outer.contains { $0 != 0 } && direct.functional.contains { $0 != 0 }
                if informative { break }
            } catch ReferenceFailure.kink {
                continue
            }
        }
        #expect(informative, "\(c): no draw off a kink with nonzero H_O and H_F")
    }

    /// Conv1d(1, 1, 2) on length 4, then Linear(3, 1): w0 sits at unrolled W_1 entries (0, 0), (1, 1), (2, 2), unrolled
    /// parameters 0, 5 and 10. With x = (1, 2, 3, 4), v = (1, -1, 2): df/dw0 = v0 x0 + v1 x1 + v2 x2 = 1 - 2 + 6 = 5, the
    /// sum of the unrolled derivatives v_o x_o = 1, -2, 6, so H_O[w0][w0] = 25, where the unrolled diagonal entries
    /// alone sum to 1 + 4 + 36 = 41: the cross terms count. Every entry equals S^T H_u S with S formed explicitly.
    @Test func weightSharingSumsUnrolledRows() throws {
        let network = try ReferenceConvolutionalNetwork(inputChannels: 1, inputShape: [4], layers: [Self.conv1(2), .dense(outputs: 1, bias: false)],
                                                        theta: [1, 1, 1, -1, 2], samples: [[1, 2, 3, 4]], targets: [[0]])
        let map = network.parameterMap
        #expect(map.indices.filter { map[$0] == 0 } == [0, 5, 10])
        let unrolled = try DirectHessian.compute(network.unrolled)
        let result = try DirectHessian.compute(network)
        let (p, q) = (network.parameterCount, map.count)
        #expect(result.outer[0] == 25 && [0, 5, 10].map { unrolled.outer[$0 * q + $0] } == [1, 4, 36])
        let s = map.map { i in (0..<p).map { Int128($0 == i ? 1 : 0) } }
        for (h, got) in [(unrolled.outer, result.outer), (unrolled.functional, result.functional), (unrolled.loss, result.loss)] {
            let hs = (0..<q).map { a in (0..<p).map { j in (0..<q).reduce(Int128(0)) { $0 + h[a * q + $1] * s[$1][j] } } }
            let sths = (0..<p).flatMap { i in (0..<p).map { j in (0..<q).reduce(Int128(0)) { $0 + s[$1][i] * hs[$1][j] } } }
            #expect(got == sths)
        }
        // Row w0 of H_O is the sum of unrolled rows 0, 5 and 10, read at the columns of each theta.
        for j in 0..<p {
            let columns = map.indices.filter { map[$0] == j }
            #expect(result.outer[j] == [0, 5, 10].reduce(0) { row, a in columns.reduce(row) { $0 + unrolled.outer[a * q + $1] } })
        }
    }
}
