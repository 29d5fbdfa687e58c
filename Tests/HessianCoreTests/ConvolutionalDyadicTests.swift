import ExactAlgebra
import Foundation
import HessianCore
import HessianReference
import Testing

/// `ConvolutionalProblem.exactWithExponents`: a linear CNN at float values (each an integer over a power of two) as an
/// integer problem whose Hessians are the true ones scaled by a diagonal of powers of two, H = D H~ D / 4^S. Checked
/// against the float64 Hessians computed directly at the fractional values (the same algorithm over `DoubleMatrix`,
/// with no scaling anywhere), against the independent reference route on the integer problem, and by hand.
@Suite struct ConvolutionalDyadicTests {
    static let shapes: [(input: String, layers: String, samples: Int)] = [
        ("1x6", "conv:2:3,dense:2", 4),
        ("1x5x5", "conv:2:3:same:bias,dense:2", 3),
        ("2x7", "conv:2:3:s2:bias,conv:1:2,dense:2:bias", 4),
        ("1x4x4", "conv:2:2:bias,conv:1:2:same,dense:2", 3),
        ("3x6", "conv:2:4:same,dense:3:bias", 5),
    ]

    /// A drawn problem's values, each divided by its own seeded power of two (0...maxShift for that array): the
    /// weights and biases of each layer (flattened in PyTorch's order), x and y, as doubles.
    static func fractional(_ problem: ConvolutionalProblem, seed: UInt64, weightShift: Int = 5, biasShift: Int = 9,
                           dataShift: Int = 3, targetShift: Int = 14)
        -> (weights: [[Double]], biases: [[Double]?], x: [[Double]], y: [[Double]]) {
        var stream = SplitMix64(seed: seed)
        func divided(_ v: Int, _ maxShift: Int) -> Double {
            Double(sign: .plus, exponent: -stream.uniform(in: 0...maxShift), significand: Double(v))
        }
        let a = problem.architecture, theta = problem.theta
        var weights: [[Double]] = [], biases: [[Double]?] = []
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t), count = a.weightShape(t).reduce(1, *)
            weights.append(theta[offset..<(offset + count)].map { divided($0, weightShift) })
            biases.append(a.biasCount(t) == 0 ? nil
                : theta[(offset + count)..<(offset + count + a.biasCount(t))].map { divided($0, biasShift) })
        }
        func rows(_ m: IntegerMatrix, _ maxShift: Int) -> [[Double]] {
            (0..<m.rowCount).map { i in (0..<m.columnCount).map { divided(m[i, $0], maxShift) } }
        }
        return (weights, biases, rows(problem.x, dataShift), rows(problem.y, targetShift))
    }

    /// The float64 Hessians at the values themselves: each layer's unrolled matrix filled with its float parameters
    /// (the constant 1 of the biases from the integer problem's structure), the data and targets as they are.
    static func floatHessians(_ a: ConvolutionalArchitecture, weights: [[Double]], biases: [[Double]?], x: [[Double]],
                              y: [[Double]]) throws -> [HessianPart: DoubleMatrix] {
        let structure = try ConvolutionalProblem(architecture: a, theta: Array(repeating: 0, count: a.parameterCount),
                                                 x: IntegerMatrix(rows: x.count, columns: a.input.count),
                                                 y: IntegerMatrix(rows: y.count, columns: a.outputWidth))
        var unrolled = structure.unrolledMatrices.map(DoubleMatrix.init)
        for t in 0..<a.depth {
            let values = weights[t] + (biases[t] ?? [])
            for (i, positions) in a.parametrization(t).enumerated() {
                for e in positions { unrolled[t][e.row, e.column] = values[i] }
            }
        }
        var inputs = DoubleMatrix(structure.inputColumns)
        for (n, row) in x.enumerated() { for (j, v) in row.enumerated() { inputs[j, n] = v } }
        var targets = DoubleMatrix(rows: a.outputWidth, columns: y.count)
        for (n, row) in y.enumerated() { for (k, v) in row.enumerated() { targets[k, n] = v } }
        return ParametrizedHessians.compute(a, unrolled: unrolled, inputColumns: inputs, targetColumns: targets,
                                            parts: Set(HessianPart.allCases)).matrices
    }

    /// H = D H~ D / 4^S entry for entry (to a relative 1e-12 of the part's largest entry: the float route rounds),
    /// D = 2^(parameterExponents), S = the targets' exponent, at values spread over many powers of two (so that s > 0
    /// for some: targets over up to 2^14, biases over up to 2^9).
    @Test(arguments: 0..<shapes.count)
    func floatHessiansAreTheIntegerOnesScaled(_ index: Int) throws {
        let shape = Self.shapes[index]
        let a = try ConvolutionalArchitecture(input: shape.input, layers: shape.layers)
        let drawn = try ConvolutionalProblem.draw(a, samples: shape.samples, seed: UInt64(40 + index))
        let v = Self.fractional(drawn, seed: UInt64(index))
        let (problem, exponents) = try ConvolutionalProblem.exactWithExponents(a, weights: v.weights, biases: v.biases, x: v.x, y: v.y)
        let float = try Self.floatHessians(a, weights: v.weights, biases: v.biases, x: v.x, y: v.y)
        let exact = ParametrizedLinearHessian(problem)
        let d = ConvolutionalProblem.parameterExponents(a, exponents), s = exponents.y
        for part in HessianPart.allCases {
            let h = try #require(float[part]), reference = DoubleMatrix(exact.matrix(part))
            let (largest, error) = scaledComparison(h, reference, exponents: d, shift: s)
            #expect(largest > 0 && error <= 1e-12 * largest, "\(shape.input) \(shape.layers) \(part): error \(error), largest \(largest)")
        }
        // The integer problem read back through its exponents is the values given, exactly.
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t)
            let given = v.weights[t] + (v.biases[t] ?? [])
            for (i, value) in given.enumerated() {
                let integer = try #require(problem.parameters.intValue(offset + i, 0))
                #expect(Double(sign: .plus, exponent: -d[offset + i], significand: Double(integer)) == value)
            }
        }
        for (n, row) in v.y.enumerated() {
            for (k, value) in row.enumerated() {
                #expect(Double(sign: .plus, exponent: -exponents.y, significand: Double(problem.y[n, k])) == value)
            }
        }
    }

    /// The integer problem's Hessians equal the independent reference route's (the direct Hessian of the unrolled
    /// dense network, pulled back to theta) on that problem (values over smaller powers of two, so that the reference's
    /// Int128 arithmetic holds them).
    @Test(arguments: 0..<shapes.count)
    func integerProblemMatchesTheReferenceRoute(_ index: Int) throws {
        let shape = Self.shapes[index]
        let a = try ConvolutionalArchitecture(input: shape.input, layers: shape.layers)
        let drawn = try ConvolutionalProblem.draw(a, samples: shape.samples, seed: UInt64(40 + index))
        let v = Self.fractional(drawn, seed: UInt64(index), biasShift: 4, targetShift: 6)
        let problem = try ConvolutionalProblem.exactWithExponents(a, weights: v.weights, biases: v.biases, x: v.x, y: v.y).problem
        let layers = a.layers.map { layer -> ReferenceLayer in
            switch layer {
            case .convolution(let c):
                .convolution(outChannels: c.outChannels, kernel: c.kernel, stride: c.stride, samePadding: c.samePadding, bias: c.bias)
            case .dense(let outputs, let bias): .dense(outputs: outputs, bias: bias)
            }
        }
        func rows(_ m: IntegerMatrix) throws -> [[Int128]] {
            try (0..<m.rowCount).map { i in try (0..<m.columnCount).map { Int128(try #require(m.intValue(i, $0))) } }
        }
        let reference = try ReferenceConvolutionalNetwork(
            inputChannels: a.input.channels, inputShape: a.input.spatial, layers: layers,
            theta: try (0..<problem.parameterCount).map { Int128(try #require(problem.parameters.intValue($0, 0))) },
            samples: try rows(problem.x), targets: try rows(problem.y))
        let direct = try DirectHessian.compute(reference)
        let hessian = ParametrizedLinearHessian(problem), p = a.parameterCount
        #expect(hessian.loss == IntegerMatrix(rows: p, columns: p, int128: direct.loss))
        #expect(hessian.outer == IntegerMatrix(rows: p, columns: p, int128: direct.outer))
        #expect(hessian.functional == IntegerMatrix(rows: p, columns: p, int128: direct.functional))
    }

    /// Integer values are their own integer problem, every exponent 0 (a bias-free layer's bias exponent nil).
    @Test func integerValuesAreThemselves() throws {
        let a = try ConvolutionalArchitecture(input: "2x7", layers: "conv:2:3:s2:bias,conv:1:2,dense:2:bias")
        let drawn = try ConvolutionalProblem.draw(a, samples: 4, seed: 3)
        let v = Self.fractional(drawn, seed: 0, weightShift: 0, biasShift: 0, dataShift: 0, targetShift: 0)
        let (problem, exponents) = try ConvolutionalProblem.exactWithExponents(a, weights: v.weights, biases: v.biases, x: v.x, y: v.y)
        #expect(problem.parameters == drawn.parameters && problem.x == drawn.x && problem.y == drawn.y)
        #expect(exponents == ConvolutionalInputExponents(weights: [0, 0, 0], biases: [0, nil, 0], x: 0, y: 0))
    }

    /// The exponents by hand. 1x3, conv:1:2:bias then dense:1, N = 1: w1 = (1/2, 3/4) (a_1 = 2), b1 = 5/64 (e_1 = 6),
    /// x = (1, 1/2, 3) (b = 1), w2 = (1, 1/8) (a_2 = 3), y = 7/2 (c = 1). S_1 = 3, S_2 = 6, s = max(0, 6 - 3, 1 - 6) = 3:
    /// theta~ = (2, 3, 5 * 2^(3 + 3 - 6) = 5, 8, 1), x~ = 2^3 (2, 1, 6), y~ = 7 * 2^(6 + 3 - 1) = 1792; exponents
    /// weights (2, 3), biases (S_1 + s = 6, nil), x b + s = 4, y S_2 + s = 9.
    @Test func exponentsByHand() throws {
        let a = try ConvolutionalArchitecture(input: "1x3", layers: "conv:1:2:bias,dense:1")
        let (problem, exponents) = try ConvolutionalProblem.exactWithExponents(
            a, weights: [[0.5, 0.75], [1, 0.125]], biases: [[5.0 / 64], nil], x: [[1, 0.5, 3]], y: [[3.5]])
        #expect(problem.theta == [2, 3, 5, 8, 1])
        #expect(problem.x == IntegerMatrix([[16, 8, 48]]) && problem.y == IntegerMatrix([[1792]]))
        #expect(exponents == ConvolutionalInputExponents(weights: [2, 3], biases: [6, nil], x: 4, y: 9))
        #expect(ConvolutionalProblem.parameterExponents(a, exponents) == [2, 2, 6, 3, 3])
    }

    /// Values that need more than 64 bits as integers (a float64 of 53 bits beside one 2^-60 smaller) are exact.
    @Test func largeIntegersAreExact() throws {
        let a = try ConvolutionalArchitecture(input: "1x3", layers: "conv:1:2,dense:1")
        let tiny = 0x1.8p-70, odd = 1.0 + 0x1p-52
        let (problem, exponents) = try ConvolutionalProblem.exactWithExponents(
            a, weights: [[odd, tiny], [1, 1]], biases: [nil, nil], x: [[1, 2, 3]], y: [[1]])
        #expect(exponents.weights == [71, 0])
        #expect(problem.parameters.intValue(0, 0) == nil, "beyond Int")
        #expect(problem.parameters.decimal(1, 0) == "3")
        #expect(problem.parameters.decimal(0, 0) == "2361183241434823131136")
    }
}
