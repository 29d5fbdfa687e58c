import ExactAlgebra
import Foundation
import HessianCore
import Testing

@Suite struct DyadicTests {
    /// 0.5 = 1/2, -1.25 = -5/4, 3 = 12/4, 2^-40 = 1/2^40: the common exponent is 40.
    @Test func exactIntegersOverACommonPowerOfTwo() throws {
        let (matrix, exponent) = try Dyadic.integers([[0.5, -1.25], [3, 0x1p-40], [0, 1]])
        #expect(exponent == 40)
        let scale = 1 << 40
        #expect(matrix == IntegerMatrix([[scale / 2, -5 * scale / 4], [3 * scale, 1], [0, scale]]))
    }

    @Test func integersNeedNoScaling() throws {
        let (matrix, exponent) = try Dyadic.integers([[1, -2048], [7, 0]])
        #expect(exponent == 0 && matrix == IntegerMatrix([[1, -2048], [7, 0]]))
    }

    @Test func refusals() {
        #expect(throws: InputError.self) { try Dyadic.integers([[1, .nan]]) }
        #expect(throws: InputError.self) { try Dyadic.integers([[.infinity]]) }
    }

    /// Magnitudes 120 binary orders apart: 2^60 and 2^-60 over 2^60 are 2^120 and 1, as big integers.
    @Test func wideSpreadIsExact() throws {
        let (matrix, exponent) = try Dyadic.integers([[0x1p60, -0x1p-60], [3 * 0x1p-61, 0]])
        #expect(exponent == 61)
        // 2^121 = 2658455991569831745807614120560689152; -2^-60 * 2^61 = -2; 3 * 2^-61 * 2^61 = 3.
        #expect(matrix == IntegerMatrix(decimalRows: [["2658455991569831745807614120560689152", "-2"], ["3", "0"]]))
    }

    /// The extremes of float64: the smallest subnormal 2^-1074 and the largest finite (2^53 - 1) 2^971.
    @Test func wholeDoubleRange() throws {
        let (matrix, exponent) = try Dyadic.integers([[.leastNonzeroMagnitude, -.greatestFiniteMagnitude]])
        #expect(exponent == 1074)
        #expect(matrix.decimal(0, 0) == "1" && matrix.sign(0, 1) == -1 && matrix.bits(0, 1) == 53 + 971 + 1074)
    }

    /// A weight 2^-70 times smaller than its neighbours (once refused): the exact problem is the integer network with
    /// W_1 scaled by 2^70 and the targets scaled to match, built here by hand.
    @Test func exactProblemWithWideWeights() throws {
        let problem = try Problem.exact(weights: [[[1, 0x1p-70], [2, -1]], [[3, 1]]], x: [[1, 2], [3, -1]], y: [[1], [2]])
        let expected = try Problem(architecture: Architecture(widths: [2, 2, 1]),
                                   // 2^70 W_1 = [[2^70, 1], [2^71, -2^70]].
                                   weights: [IntegerMatrix(decimalRows: [["1180591620717411303424", "1"],
                                                                         ["2361183241434822606848", "-1180591620717411303424"]])!,
                                             IntegerMatrix([[3, 1]])],
                                   x: IntegerMatrix([[1, 2], [3, -1]]),
                                   y: IntegerMatrix([[1], [2]]).multiplied(byPowerOfTwo: 70))
        #expect(problem.weights == expected.weights && problem.x == expected.x && problem.y == expected.y)
    }
}

@Suite struct DyadicBiasTests {
    /// By hand: W_1 = [[1, 1/2], [2, -1]] (a_1 = 1), W_2 = [[3, 1]] (a_2 = 0), b_1 = [1/4, 1] (e_1 = 2), b_2 = [1/8]
    /// (e_2 = 3), integer X and Y (b = c = 0). S_1 = S_2 = 1, so the biases need s = max(e_1 - S_1, e_2 - S_2) = 2:
    /// X becomes 4 X, beta_t = 2^(S_t + 2) b_t = [2, 8] and [1], Y becomes 2^(S_2 + 2) Y = 8 Y; the exponents map each
    /// integer matrix back to the values given.
    @Test func exactProblemWithBiases() throws {
        let (problem, exponents) = try Problem.exactWithExponents(
            weights: [[[1, 0.5], [2, -1]], [[3, 1]]], biases: [[0.25, 1], [0.125]], x: [[1, 2], [3, -1]], y: [[1], [2]])
        let expected = try Problem(architecture: Architecture(widths: [2, 2, 1], bias: true),
                                   weights: [IntegerMatrix([[2, 1], [4, -2]]), IntegerMatrix([[3, 1]])],
                                   biases: [IntegerMatrix([[2], [8]]), IntegerMatrix([[1]])],
                                   x: IntegerMatrix([[4, 8], [12, -4]]), y: IntegerMatrix([[8], [16]]))
        #expect(problem.architecture == expected.architecture && problem.weights == expected.weights
                && problem.biases == expected.biases && problem.x == expected.x && problem.y == expected.y)
        #expect(exponents == InputExponents(weights: [1, 0], biases: [3, 3], x: 2, y: 3))
    }

    /// Without biases nothing changes: no bias exponents (absent from the JSON), the same problem as before.
    @Test func noBiasesNoBiasExponents() throws {
        let (problem, exponents) = try Problem.exactWithExponents(weights: [[[0.5, 1]], [[2]]], x: [[1, 3]], y: [[0.25]])
        #expect(!problem.architecture.bias && problem.biases.isEmpty && exponents.biases == nil)
        #expect(exponents == InputExponents(weights: [1, 0], x: 1, y: 2), "S_L = 1 < c = 2: X is scaled by 2")
        let json = String(decoding: try JSONEncoder().encode(exponents), as: UTF8.self)
        #expect(!json.contains("biases"))
    }

    /// A drawn integer bias network P = (W, B, X, Y) read at powers of two: W_t / 2^a_t, X / 2^b,
    /// B_t / 2^(S_t + k) and Y / 2^(S_L + j), S_t = a_1 + ... + a_t + b. Those values are the integer problem
    /// Q = (W, 2^j B, 2^(j + k) X, 2^k Y) at exponents a_t, b + j + k (`FloatNetwork`'s scales), so the exact problem
    /// read from them has Q's ranks: k > 0 makes the biases finer than their layer (the data are scaled up for them),
    /// j > 0 the targets finer than the outputs. Checked for linear, relu and leaky-relu:1/8, with the exponents
    /// mapping every integer matrix back to the values given. Draws of Q on a kink are skipped.
    @Test(arguments: ["linear", "relu", "leaky-relu:1/8"], [(0, 0), (0, 3), (2, 0), (2, 3)])
    func floatBiasNetworkHasTheRanksOfItsIntegerNetwork(_ name: String, _ shifts: (j: Int, k: Int)) throws {
        let activation = try Activation(parsing: name)
        func values(_ m: IntegerMatrix, _ exponent: Int) -> [[Double]] {
            (0..<m.rowCount).map { i in (0..<m.columnCount).map { Double(m.decimal(i, $0))! * pow(2, Double(-exponent)) } }
        }
        for (index, widths) in [[3, 2, 2], [2, 3, 2, 1]].enumerated() {
            var compared = 0
            for attempt in UInt64(0)..<40 where compared == 0 {
                let seed = UInt64(20 + index) + 1000 * attempt
                let p = try Generator.draw(Architecture(widths: widths, bias: true), samples: 4, seed: seed)
                let q = try Problem(architecture: p.architecture, weights: p.weights,
                                    biases: p.biases.map { $0.multiplied(byPowerOfTwo: shifts.j) },
                                    x: p.x.multiplied(byPowerOfTwo: shifts.j + shifts.k), y: p.y.multiplied(byPowerOfTwo: shifts.k))
                let reference: any ExactHessian
                do { reference = try ExactHessians.build(q, activation: activation) } catch { continue }
                let a = (0..<p.architecture.depth).map { ($0 * 3 + index) % 4 }, b = 2
                let scales = a.indices.map { t in a[...t].reduce(b, +) }
                let weights = zip(p.weights, a).map { values($0, $1) }
                let biases = zip(p.biases, scales).map { values($0, $1 + shifts.k).map { $0[0] } }
                let x = values(p.x, b), y = values(p.y, scales[scales.count - 1] + shifts.j)
                let (exact, exponents) = try Problem.exactWithExponents(weights: weights, biases: biases, x: x, y: y)
                #expect(zip(exact.weights, exponents.weights).map { values($0, $1) } == weights)
                #expect(zip(exact.biases, try #require(exponents.biases)).map { values($0, $1).map { $0[0] } } == biases)
                #expect(values(exact.x, exponents.x) == x && values(exact.y, exponents.y) == y)
                let hessian = try ExactHessians.build(exact, activation: activation)
                for part in HessianPart.allCases {
                    #expect(try CertifiedRank.rank(of: hessian.source(for: part)).rank == CertifiedRank.rank(of: reference.source(for: part)).rank,
                            "\(name), widths \(widths), seed \(seed), shifts \(shifts): \(part.symbol)")
                }
                compared += 1
            }
            #expect(compared == 1, "\(name), widths \(widths): every draw sat on a kink")
        }
    }

    /// Bias vectors of the wrong number or length are refused, naming the vector and both sizes.
    @Test func badBiasesAreRefused() {
        #expect(throws: InputError("b2 has 2 entries but W2 has 1 rows")) {
            try Problem.exactWithExponents(weights: [[[1, 2]], [[3]]], biases: [[1], [1, 2]], x: [[1, 1]], y: [[1]])
        }
        #expect(throws: InputError("1 bias vectors for 2 weight matrices: give one per layer, or none")) {
            try Problem.exactWithExponents(weights: [[[1, 2]], [[3]]], biases: [[1]], x: [[1, 1]], y: [[1]])
        }
    }
}
