import Foundation
import ExactAlgebra
import HessianCore
import HessianReference
import RankFormulas
import Testing

/// `ParametrizedLinearHessian`: the Hessians of networks affine in each layer's parameters, checked against the
/// structured construction of dense networks (an independent route) and on convolutions whose structure is known.
@Suite struct ConvolutionHessianTests {
    /// Seeded integers in -3...3.
    static func values(_ count: Int, seed: UInt64) -> [Int] {
        var stream = SplitMix64(seed: seed)
        return (0..<count).map { _ in stream.uniform(in: -3...3) }
    }

    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> IntegerMatrix {
        let v = values(rows * columns, seed: seed)
        return IntegerMatrix((0..<rows).map { i in Array(v[(i * columns)..<((i + 1) * columns)]) })
    }

    /// A network of dense layers only is an ordinary dense network: the parametrised construction equals the
    /// structured one (`ExactHessians.build`, its own derivation) entry for entry, with and without biases.
    @Test(arguments: [([4, 3, 2], false), ([3, 2, 4, 2], false), ([4, 3, 2], true), ([2, 3, 3, 2], true)])
    func denseLayersEqualTheStructuredConstruction(widths: [Int], bias: Bool) throws {
        let layers = widths.dropFirst().map { LayerSpec.dense(outputs: $0, bias: bias) }
        let architecture = try ConvolutionalArchitecture(input: TensorShape(channels: widths[0], spatial: [1]), layers: layers)
        let theta = Self.values(architecture.parameterCount, seed: 7)
        let samples = 5
        let x = Self.matrix(samples, widths[0], seed: 8), y = Self.matrix(samples, widths.last!, seed: 9)
        let conv = ParametrizedLinearHessian(try ConvolutionalProblem(architecture: architecture, theta: theta, x: x, y: y))

        // The same network as a Problem: W_t row-major then b_t, PyTorch's order in both.
        var weights: [IntegerMatrix] = [], biases: [IntegerMatrix] = [], offset = 0
        for t in 0..<(widths.count - 1) {
            let (rows, columns) = (widths[t + 1], widths[t])
            weights.append(IntegerMatrix((0..<rows).map { i in Array(theta[(offset + i * columns)..<(offset + (i + 1) * columns)]) }))
            offset += rows * columns
            if bias {
                biases.append(IntegerMatrix((0..<rows).map { [theta[offset + $0]] }))
                offset += rows
            }
        }
        let dense = try Problem(architecture: try Architecture(widths: widths, bias: bias), weights: weights, biases: biases, x: x, y: y)
        let structured = try ExactHessians.build(dense, activation: .linear)
        for part in HessianPart.allCases {
            #expect(conv.matrix(part) == structured.exactMatrix(part), "\(part)")
        }
    }

    /// A convolution whose kernel covers the whole input (valid padding, one output position per channel, one input
    /// channel) is the dense layer with the same weights: the weight (C, 1, k, k) flattened row-major is the dense
    /// (C, k*k) matrix, so the parameters coincide and so do the Hessians.
    @Test(arguments: [false, true])
    func wholeInputKernelIsADenseLayer(bias: Bool) throws {
        let square = TensorShape(channels: 1, spatial: [3, 3])
        let conv = try ConvolutionalArchitecture(input: square, layers: [
            .convolution(ConvolutionSpec(outChannels: 2, kernel: 3, bias: bias)), .dense(outputs: 2, bias: bias),
        ])
        let dense = try ConvolutionalArchitecture(input: TensorShape(channels: 9, spatial: [1]), layers: [
            .dense(outputs: 2, bias: bias), .dense(outputs: 2, bias: bias),
        ])
        #expect(conv.parameterCount == dense.parameterCount)
        #expect(conv.shapes[0] == TensorShape(channels: 2, spatial: [1, 1]))
        let theta = Self.values(conv.parameterCount, seed: 3)
        let x = Self.matrix(4, 9, seed: 4), y = Self.matrix(4, 2, seed: 5)
        let a = ParametrizedLinearHessian(try ConvolutionalProblem(architecture: conv, theta: theta, x: x, y: y))
        let b = ParametrizedLinearHessian(try ConvolutionalProblem(architecture: dense, theta: theta, x: x, y: y))
        for part in HessianPart.allCases { #expect(a.matrix(part) == b.matrix(part), "\(part)") }
    }

    /// The Toeplitz matrix of a 1-D convolution by hand: input length 4, kernel 2, stride 1, valid: 3 outputs,
    /// out[y] = w0 in[y] + w1 in[y + 1]; with 'same' padding (k - 1 = 1: none before, one after) 4 outputs, the last
    /// seeing only w0; with stride 2, 2 outputs.
    @Test func toeplitzByHand() throws {
        func unrolled(_ spec: ConvolutionSpec) throws -> [[Int]] {
            let a = try ConvolutionalArchitecture(input: TensorShape(channels: 1, spatial: [4]), layers: [.convolution(spec)])
            let problem = try ConvolutionalProblem(architecture: a, theta: [5, 7], x: IntegerMatrix(rows: 1, columns: 4),
                                                   y: IntegerMatrix(rows: 1, columns: a.outputWidth))
            let w = problem.unrolledMatrices[0]
            return (0..<w.rowCount).map { i in (0..<w.columnCount).map { w[i, $0] } }
        }
        #expect(try unrolled(ConvolutionSpec(outChannels: 1, kernel: 2)) == [[5, 7, 0, 0], [0, 5, 7, 0], [0, 0, 5, 7]])
        #expect(try unrolled(ConvolutionSpec(outChannels: 1, kernel: 2, samePadding: true))
                == [[5, 7, 0, 0], [0, 5, 7, 0], [0, 0, 5, 7], [0, 0, 0, 5]])
        #expect(try unrolled(ConvolutionSpec(outChannels: 1, kernel: 2, stride: 2)) == [[5, 7, 0, 0], [0, 0, 5, 7]])
        // 3 x 3 same padding keeps 1 x 5 x 5; 2-D valid 3 x 3 on 4 x 5 gives 2 x 3; stride 2 valid on 5: 2.
        let same = try ConvolutionalArchitecture(input: TensorShape(channels: 1, spatial: [5, 5]),
                                                 layers: [.convolution(ConvolutionSpec(outChannels: 3, kernel: 3, samePadding: true))])
        #expect(same.shapes[0] == TensorShape(channels: 3, spatial: [5, 5]) && same.parameterCount == 27)
        let valid = try ConvolutionalArchitecture(input: TensorShape(channels: 2, spatial: [4, 5]),
                                                  layers: [.convolution(ConvolutionSpec(outChannels: 1, kernel: 3, bias: true)), .dense(outputs: 2, bias: false)])
        #expect(valid.shapes.map(\.description) == ["1x2x3", "2"] && valid.parameterCount == 18 + 1 + 12)
    }

    @Test func refusals() {
        #expect(throws: InputError("--layers: layer 1: a kernel of 5 does not fit the input 1x4 (valid padding)")) {
            try ConvolutionalArchitecture(input: TensorShape(channels: 1, spatial: [4]), layers: [.convolution(ConvolutionSpec(outChannels: 1, kernel: 5))])
        }
        #expect(throws: InputError("--layers: layer 1: same padding needs stride 1 (as in PyTorch)")) {
            try ConvolutionalArchitecture(input: TensorShape(channels: 1, spatial: [4]),
                                          layers: [.convolution(ConvolutionSpec(outChannels: 1, kernel: 3, stride: 2, samePadding: true))])
        }
        #expect(throws: InputError("--layers: layer 2 is a convolution after a dense layer; convolutions come first")) {
            try ConvolutionalArchitecture(input: TensorShape(channels: 1, spatial: [4]),
                                          layers: [.dense(outputs: 3, bias: false), .convolution(ConvolutionSpec(outChannels: 1, kernel: 1))])
        }
        #expect(throws: InputError("--input: expected channels x length or channels x height x width of positive integers, e.g. 1x8x8 or 2x16; got '1x0'")) {
            try TensorShape(parsing: "1x0")
        }
    }

    /// The independent route (`HessianReference`: the direct Hessian of the unrolled dense network in Int128, pulled
    /// back to theta by S^T H S) equals the parametrised construction entry for entry, and so do finite differences of
    /// the loss where the unrolled network has at most 200 parameters: 1-D and 2-D, strides, same padding, two
    /// convolutions then a dense head, with and without biases.
    @Test(arguments: [
        ("1x6", "conv:2:3,dense:2", false),
        ("2x7", "conv:2:3:s2,conv:1:2,dense:2", false),
        ("1x5", "conv:2:3:same,conv:2:2:same,dense:1", true),
        ("1x4x4", "conv:2:3:same,conv:1:2,dense:2", false),
        ("2x3x4", "conv:1:2:bias,dense:3", false),
        ("1x4x4", "conv:2:2:s2,dense:2", true),
    ])
    func equalsTheReferenceRoute(input: String, layers: String, bias: Bool) throws {
        let architecture = try ConvolutionalArchitecture(input: input, layers: layers, bias: bias)
        let problem = try ConvolutionalProblem.draw(architecture, samples: 3, seed: 11)
        let hessian = ParametrizedLinearHessian(problem)
        let referenceLayers = architecture.layers.map { layer -> ReferenceLayer in
            switch layer {
            case .convolution(let c):
                .convolution(outChannels: c.outChannels, kernel: c.kernel, stride: c.stride, samePadding: c.samePadding, bias: c.bias)
            case .dense(let outputs, let bias): .dense(outputs: outputs, bias: bias)
            }
        }
        func rows(_ m: IntegerMatrix) -> [[Int128]] { (0..<m.rowCount).map { i in (0..<m.columnCount).map { Int128(m[i, $0]) } } }
        let reference = try ReferenceConvolutionalNetwork(
            inputChannels: architecture.input.channels, inputShape: architecture.input.spatial, layers: referenceLayers,
            theta: problem.theta.map { Int128($0) }, samples: rows(problem.x), targets: rows(problem.y))
        let direct = try DirectHessian.compute(reference)
        let p = problem.parameterCount
        #expect(direct.parameterCount == p)
        #expect(hessian.loss == IntegerMatrix(rows: p, columns: p, int128: direct.loss))
        #expect(hessian.outer == IntegerMatrix(rows: p, columns: p, int128: direct.outer))
        #expect(hessian.functional == IntegerMatrix(rows: p, columns: p, int128: direct.functional))
        // Exact finite differences of the unrolled network (step 1: f has degree <= 1 in each parameter,
        // FiniteDifferenceHessian.swift), H_L from the loss itself, where the unrolled network is small enough.
        if reference.unrolled.parameterCount <= 200 {
            let differences = try FiniteDifferenceHessian.compute(reference)
            #expect(hessian.outer == IntegerMatrix(rows: p, columns: p, int128: differences.outer))
            #expect(hessian.functional == IntegerMatrix(rows: p, columns: p, int128: differences.functional))
            #expect(hessian.loss == IntegerMatrix(rows: p, columns: p, int128: differences.lossFromLoss))
        }
    }

    /// The same algorithm over F_p equals the exact matrices reduced modulo p (H_O as its Jacobian), and over
    /// magnitudes bounds every row's norm from above.
    @Test func modularAndMagnitudeRoutesAgreeWithTheExactOne() throws {
        let architecture = try ConvolutionalArchitecture(input: "1x4x4", layers: "conv:2:3:same,conv:2:2,dense:3", bias: true)
        let problem = try ConvolutionalProblem.draw(architecture, samples: 4, seed: 21)
        let exact = ParametrizedLinearHessian(problem)
        let prime = SeededPrime.prime(15)
        for part in HessianPart.allCases {
            let source = ParametrizedHessianSource(problem, part: part)
            let expected = exact.rankSource(for: part)
            let reduced = source.reduced(modulo: prime), direct = ModularMatrix(expected, prime: prime)
            #expect((reduced.rowCount, reduced.columnCount) == (expected.rowCount, expected.columnCount))
            #expect((0..<reduced.rowCount).allSatisfy { i in (0..<reduced.columnCount).allSatisfy { reduced[i, $0] == direct[i, $0] } }, "\(part)")
            for (i, bound) in source.rowNormLog2Bounds().enumerated() {
                let squares = (0..<expected.columnCount).reduce(0.0) { $0 + Double(expected[i, $1]) * Double(expected[i, $1]) }
                if squares > 0 { #expect(bound != nil && bound! >= log2(squares) / 2, "\(part) row \(i)") }
            }
            #expect(ModularRank.rank(of: source, primes: [prime], drawnAtRandom: false).rank == direct.rank())
        }
        // All parts in one pass per prime: the same ranks as part by part, and with random primes the same bounds.
        let together = ParametrizedHessians.ranks(problem, primes: .given([prime]))
        #expect(together.map(\.rank) == HessianPart.allCases.map {
            ModularRank.rank(of: ParametrizedHessianSource(problem, part: $0), primes: [prime], drawnAtRandom: false).rank
        })
        #expect(together.allSatisfy { $0.errorBound == nil })
        let drawn = ParametrizedHessians.ranks(problem, primes: .random(count: 1))
        for (result, part) in zip(drawn, HessianPart.allCases) {
            let separate = ModularRank.rank(of: ParametrizedHessianSource(problem, part: part), primes: result.primes, drawnAtRandom: true)
            #expect(result.errorBound == separate.errorBound && result.rank == separate.rank, "\(part)")
        }
    }

    /// The channels study's networks: 9 c + 9 c^2 convolution weights (1 and then c input channels, 3 x 3) and a dense
    /// layer from c x 8 x 8 to 10: 640 c. Its plot draws each part's points and p.
    @Test func channelStudyNetworksAndPlot() {
        for c in ChannelStudy.channels {
            let a = ChannelStudy.architecture(channels: c)
            #expect(a.parameterCount == 9 * c + 9 * c * c + 640 * c)
            #expect(a.shapes.map(\.count) == [64 * c, 64 * c, 10])
        }
        let records = [(1, [534, 500, 35]), (2, [603, 500, 104])].enumerated().map { i, point in
            ChannelStudy.Record(index: i, channels: point.0, layers: "", parameters: 658 * point.0, samples: 100, seed: "1",
                                ranks: point.1, exactBy: [nil, "jacobian-rows", nil], errorBound: 1e-14, primes: [], seconds: 0)
        }
        let svg = ChannelPlot.svg(records)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2 * 3 + 3)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains("channels per convolution c"))
    }

    /// The unrolled dense network's bounds hold for the convolutional network (rank S^T A S <= rank A): on bias-free
    /// networks every bound is at least the certified rank; and for one hidden convolution with a dense head (1 x 16,
    /// 2 channels of kernel 3, K = 2, N = 20) H_O meets the unrolled formula q (r + K - q) with q = min(16, 2, 28) = 2:
    /// 2 (16 + 2 - 2) = 32.
    @Test(arguments: [("1x6", "conv:2:3,dense:2"), ("2x7", "conv:2:3:s2,conv:1:2,dense:2"), ("1x4x4", "conv:2:3:same,conv:1:2,dense:2"),
                      ("1x16", "conv:2:3,dense:2")])
    func unrolledBoundsHold(input: String, layers: String) throws {
        let architecture = try ConvolutionalArchitecture(input: input, layers: layers)
        let problem = try ConvolutionalProblem.draw(architecture, samples: input == "1x16" ? 20 : 4, seed: 5)
        let hessian = ParametrizedLinearHessian(problem)
        let bounds = try PointUpperBounds.bounds(problem)
        for part in HessianPart.allCases {
            let rank = try CertifiedRank.rank(of: hessian.matrix(part)).rank
            for bound in bounds[part]! { #expect(bound.value >= rank, "\(part): \(bound.statement) = \(bound.value) < \(rank)") }
            if input == "1x16" && part == .outer {
                #expect(rank == 32 && bounds[part]!.contains(UpperBound(value: 32, statement: "unrolled:outer", basis: .provedHere)))
            }
        }
    }

    /// The observation of proofs/convolution.md for one hidden 1-D convolution (m channels, kernel k, valid, input d,
    /// d' = d - k + 1) and a dense head to K, at N = d + 2 samples: rank H_F = 2 m min(k, K d'), and rank H_O =
    /// K d' + k - 1 for m = 1, K d for m >= 2. Observed, not proved: this test keeps the observation checked (certified
    /// ranks) on 24 shapes.
    @Test func oneHiddenConvolutionObservation() throws {
        for m in 1...3 {
            for k in 2...3 {
                for d in 6...7 {
                    for outputs in 1...2 {
                        let architecture = try ConvolutionalArchitecture(input: "1x\(d)", layers: "conv:\(m):\(k),dense:\(outputs)")
                        let problem = try ConvolutionalProblem.draw(architecture, samples: d + 2, seed: UInt64(100 * m + 10 * k + d))
                        let h = ParametrizedLinearHessian(problem)
                        let positions = d - k + 1
                        let functional = try CertifiedRank.rank(of: h.functional).rank
                        let outer = try CertifiedRank.rank(of: h.jacobian).rank
                        #expect(functional == 2 * m * min(k, outputs * positions), "m \(m) k \(k) d \(d) K \(outputs)")
                        #expect(outer == (m == 1 ? outputs * positions + k - 1 : outputs * d), "m \(m) k \(k) d \(d) K \(outputs)")
                    }
                }
            }
        }
    }

    /// The two statements of proofs/convolution.md for one hidden convolution and a dense head, at every point, on
    /// shapes of every kind (1-D and 2-D, several input channels, stride 2, same padding, a kernel covering the whole
    /// input, N below the input size): the certified rank of H_F equals 2 m rank G (`conv-functional`, an identity: H_F
    /// and G are different matrices), rank H_O <= `conv-outer`, rank H_L <= their sum. Where equality in `conv-outer`
    /// fails: 2 x 5 x 5, two 3 x 3 filters, K = 1 has rank H_O = 48 (certified) against min(K r, q (K d' + kappa - q))
    /// = min(50, 2 (9 + 18 - 2)) = 50, so the bound is not attained there.
    @Test(arguments: [("1x8", "conv:2:3,dense:2", 10), ("2x9", "conv:3:2:s2,dense:2", 20), ("1x6x6", "conv:2:3:same,dense:2", 40),
                      ("2x5x5", "conv:2:3,dense:1", 52), ("3x7", "conv:2:3:same,dense:3", 5), ("1x5x5", "conv:3:2:s2,dense:2", 6),
                      ("2x4x4", "conv:1:4,dense:3", 40), ("1x9", "conv:4:2,dense:1", 12)])
    func oneHiddenConvolutionStatements(input: String, layers: String, samples: Int) throws {
        let architecture = try ConvolutionalArchitecture(input: input, layers: layers)
        let problem = try ConvolutionalProblem.draw(architecture, samples: samples, seed: 17)
        let hessian = ParametrizedLinearHessian(problem)
        let bounds = try PointUpperBounds.bounds(problem)
        func statement(_ part: HessianPart, _ id: String) throws -> UpperBound {
            try #require(bounds[part]!.first { $0.statement == id })
        }
        let functional = try CertifiedRank.rank(of: hessian.functional).rank
        let outer = try CertifiedRank.rank(of: hessian.jacobian).rank
        let loss = try CertifiedRank.rank(of: hessian.loss).rank
        let conv = (functional: try statement(.functional, "conv-functional").value,
                    outer: try statement(.outer, "conv-outer").value, sum: try statement(.loss, "sum").value)
        #expect(functional == conv.functional, "\(input) \(layers)")
        #expect(outer <= conv.outer, "\(input) \(layers)")
        #expect(loss <= conv.sum, "\(input) \(layers)")
        if input == "2x5x5" { #expect(outer == 48 && conv.outer == 50) }
    }

    /// Networks other than one bias-free convolution and a bias-free dense layer get neither statement.
    @Test(arguments: [("1x8", "conv:2:3:bias,dense:2"), ("1x8", "conv:2:3,dense:2:bias"), ("1x8", "conv:2:3,conv:1:2,dense:2"),
                      ("1x8", "conv:2:3,dense:3,dense:2")])
    func statementsOnlyForOneHiddenConvolution(input: String, layers: String) throws {
        let problem = try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: input, layers: layers), samples: 6, seed: 3)
        let statements = try PointUpperBounds.bounds(problem).values.flatMap { $0.map(\.statement) }
        #expect(!statements.contains("conv-outer") && !statements.contains("conv-functional"), "\(layers)")
    }
}
